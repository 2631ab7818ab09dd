// How XS finds modules on the board, emulated in Node for a Moddable manifest (MIT): modules are
// known by the names the manifests give them ("*": the file's basename, "prefix/*": prefix +
// basename, "name": path), and an import resolves by name: a bare specifier as it is, a relative
// one against the importing module's *name* (not its file), with a trailing ".js" dropped; a
// module whose name has no folder cannot import relatively. The simulator resolves by file path,
// so this is where a naming mistake that only the board would show is caught.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, posix, resolve } from 'node:path';

/** Modules Moddable's own manifests provide (hosts/esp32/manifest_xsws.json includes them by $(MODDABLE) paths this check cannot read). */
const MODDABLE_NAMES = new Set(['mc/config', 'timer', 'instrumentation', 'debug', 'file', 'Resource', 'text/decoder', 'text/encoder',
  'base64', 'crc', 'inflate', 'url', 'logical', 'rng', 'net', 'embedded:io/socket/tcp', 'embedded:io/socket/listener', 'embedded:io/socket/udp']);

/** name -> the module's .js file (null for a native .c part or a module given by a $(...) path), from `file` and everything it includes, for `platform`. */
export function boardModules(file, platform = 'esp32', modules = new Map(), seen = new Set()) {
  const path = resolve(file);
  if (seen.has(path)) return modules;
  seen.add(path);
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  const dir = dirname(path);
  const blocks = [manifest, manifest.platforms?.[platform] ?? {}];
  for (const block of blocks) {
    for (const inc of [block.include ?? []].flat()) if (!String(inc).includes('$(')) boardModules(resolve(dir, inc), platform, modules, seen);
    for (const [key, value] of Object.entries(block.modules ?? {})) {
      for (const entry of [value].flat()) {
        const text = String(entry);
        if (text.includes('$(')) {
          if (key !== '*' && !key.endsWith('/*')) modules.set(key, null);
          continue;
        }
        const target = resolve(dir, text);
        const sources = target.endsWith('*')
          ? (existsSync(dirname(target)) ? readdirSync(dirname(target)).filter((n) => extname(n) === '.js').map((n) => join(dirname(target), basename(n, '.js'))) : [])
          : [target];
        for (const source of sources) {
          const name = key === '*' ? basename(source) : key.endsWith('/*') ? key.slice(0, -1) + basename(source) : key;
          // a C source is a native part mcconfig compiles: it imports nothing
          modules.set(name, !existsSync(`${source}.js`) && existsSync(`${source}.c`) ? null : `${source}.js`);
        }
      }
    }
  }
  return modules;
}

const IMPORTS = /(?:^|[;\s])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** Every import that would not resolve on the board, as "module: specifier (why)"; empty when all do. */
export function boardNameProblems(manifestFile, platform = 'esp32') {
  const modules = boardModules(manifestFile, platform);
  const problems = [];
  for (const [name, file] of modules) {
    if (!file) continue;
    if (!existsSync(file)) { problems.push(`${name}: ${file} does not exist`); continue; }
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    for (const m of source.matchAll(IMPORTS)) {
      const specifier = m[1] ?? m[2];
      let target = specifier;
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        if (!name.includes('/')) { problems.push(`${name}: ${specifier} (a module whose name has no folder cannot import relatively)`); continue; }
        target = posix.join(posix.dirname(name), specifier);
      }
      target = target.replace(/\.m?js$/, '');
      if (!modules.has(target) && !MODDABLE_NAMES.has(target)) problems.push(`${name}: ${specifier} (resolves to "${target}", which no manifest names)`);
    }
  }
  return problems;
}
