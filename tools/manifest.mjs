#!/usr/bin/env node
// xsws manifest tool (MIT): reads a Moddable-format manifest.json for the Linux simulator and
// writes what xsws-sim needs. Node built-ins only.
//
//   node tools/manifest.mjs [path/to/manifest.json] [key=value ...]   -> prints the result as JSON
//
// Understood: include (string or array, relative to the including manifest; $(...) includes
// such as $(MODDABLE)/... are skipped with a warning), modules ("*": paths whose basename is the
// specifier, "specifier": "path" aliases, "prefix/*": "dir/*"), data/resources ("*": paths,
// copied into the resources directory), config (merged, later wins, then key=value overrides),
// creation (as given: the board profile of tools/boards.mjs fills in the rest), platforms (the "lin"
// block, or "..." when there is no "lin"), build (variables for $(NAME) in paths).
// Ignored on lin: defines, strip, and every other platform's block. `preload` names the modules
// the simulator loads before it measures its baseline (on the board they live in flash).
//
// A module path names a source without extension: if `path.ts` exists, the module is what the
// nearest tsconfig.json above it compiles it to (its outDir mirroring its rootDir, both required:
// here "." and "build/js"); otherwise `path.js`. hosts/lin/manifest.json (the simulator's native modules and
// Moddable's data modules from build/xs) is always included first.
//
// Output in <project>/build/lin/<app>/ (project: the nearest directory with a package.json; app:
// the manifest's directory name, or the `name` option):
// modules.map ("specifier<TAB>/absolute/path.js" lines), mc/config.js, resources/.
import {
  copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** This repository (its TypeScript sources are here), or xsws installed as a package in a project (it ships dist/). */
export const isCheckout = existsSync(join(repositoryRoot, 'src', 'index.ts'));

/** The simulator binary: build/lin/xsws-sim, or another build named by XSWS_SIM (the sanitizer build, npm run test:asan). */
export const simulatorPath = process.env.XSWS_SIM || join(repositoryRoot, 'build', 'lin', 'xsws-sim');
export const hostManifest = join(repositoryRoot, 'hosts', 'lin', 'manifest.json');
/** The board's counterpart of hostManifest (Moddable's modules and our natives): the simulator has them built in. */
const boardManifest = join(repositoryRoot, 'hosts', 'esp32', 'manifest_xsws.json');
const PLATFORM = 'lin';

export function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Merge plain objects into target, recursively (later wins); arrays and values replace. */
export function deepMerge(target, source) {
  for (const [key, value] of Object.entries(source ?? {})) {
    if (isPlainObject(value) && isPlainObject(target[key])) deepMerge(target[key], value);
    else target[key] = isPlainObject(value) ? deepMerge({}, value) : value;
  }
  return target;
}

export function asArray(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Parse `key=value` overrides: numbers and true/false/null are typed, dotted keys nest. */
export function parseOverrides(list) {
  const config = {};
  for (const item of list) {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`config override "${item}": expected key=value`);
    const key = item.slice(0, at);
    const text = item.slice(at + 1);
    let value = text;
    if (/^-?\d+(\.\d+)?$/.test(text)) value = Number(text);
    else if (text === 'true') value = true;
    else if (text === 'false') value = false;
    else if (text === 'null') value = null;
    const parts = key.split('.');
    let node = config;
    for (const part of parts.slice(0, -1)) node = node[part] = isPlainObject(node[part]) ? node[part] : {};
    node[parts.at(-1)] = value;
  }
  return config;
}

/** The nearest directory from `dir` upward that holds `name`, or null. */
export function findUp(dir, name) {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, name))) return d;
    if (dirname(d) === d) return null;
  }
}

/**
 * A tsconfig's rootDir and outDir, absolute, as the project's own TypeScript reads the file
 * (comments, `extends` of files and packages); without TypeScript at hand, plain JSON with
 * relative `extends`.
 */
function compilerOptions(file) {
  const dir = dirname(file);
  let ts = null;
  for (const from of [join(dir, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      ts = createRequire(from)('typescript');
      break;
    } catch { /* not there */ }
  }
  if (ts) {
    const read = ts.readConfigFile(file, ts.sys.readFile);
    if (read.error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
    const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, file);
    return { rootDir: options.rootDir, outDir: options.outDir };
  }
  let config;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error.message} (install typescript in the project to read any tsconfig)`);
  }
  const base = typeof config.extends === 'string' && config.extends.startsWith('.')
    ? compilerOptions(resolve(dir, config.extends.endsWith('.json') ? config.extends : `${config.extends}.json`)) : {};
  const own = {};
  // paths in a tsconfig are relative to the file that sets them
  for (const key of ['rootDir', 'outDir']) if (config.compilerOptions?.[key]) own[key] = resolve(dir, config.compilerOptions[key]);
  return { ...base, ...own };
}

/**
 * Where tsc puts the JavaScript of `path`.ts: the nearest tsconfig.json above it compiles it, to
 * its outDir mirroring its rootDir. Both must be set: without rootDir tsc takes the common folder
 * of whatever it compiles, which no one module can tell.
 */
export function compiledPath(path, where = path) {
  const projectDir = findUp(dirname(path), 'tsconfig.json');
  if (!projectDir) throw new Error(`${where}: no tsconfig.json above ${path}.ts compiles it`);
  const tsconfig = join(projectDir, 'tsconfig.json');
  const options = compilerOptions(tsconfig);
  if (!options.rootDir || !options.outDir) throw new Error(`${tsconfig}: set compilerOptions.rootDir and outDir (e.g. "." and "build/js"), so that xsws finds what tsc makes of ${path}.ts`);
  const rootDir = options.rootDir;
  const rel = relative(rootDir, `${path}.js`);
  if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`${where}: ${path}.ts is outside ${rootDir}, the rootDir of ${join(projectDir, 'tsconfig.json')}`);
  return join(options.outDir, rel);
}

/** The project a manifest belongs to: the nearest directory with a package.json (else the manifest's). */
export function projectRoot(manifestFile) {
  return findUp(dirname(resolve(manifestFile)), 'package.json') ?? dirname(resolve(manifestFile));
}

class ManifestReader {
  constructor({ warn }) {
    this.warn = warn;
    this.seen = new Set();
    this.variables = { PLATFORM };
    this.modules = new Map();       // specifier -> absolute path of the .js
    this.resources = new Map();     // name -> absolute source path
    this.config = {};
    this.preload = [];
    this.creation = {};
  }

  expand(text, where) {
    let missing = null;
    const result = text.replace(/\$\(([^)]+)\)/g, (match, name) => {
      if (name in this.variables) return this.variables[name];
      missing = name;
      return match;
    });
    if (missing) {
      this.warn(`${where}: "${text}" uses $(${missing}), which the lin simulator does not have: skipped`);
      return null;
    }
    return result;
  }

  read(path) {
    const file = resolve(path);
    if (file === boardManifest) return;
    if (this.seen.has(file)) return;
    this.seen.add(file);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${error.code === 'ENOENT' ? 'not found' : error.message}`);
    }
    const dir = dirname(file);
    const blocks = [manifest];
    const platforms = manifest.platforms ?? {};
    if (PLATFORM in platforms) blocks.push(platforms[PLATFORM]);
    else if ('...' in platforms) blocks.push(platforms['...']);
    for (const block of blocks) {
      if (isPlainObject(block?.build)) Object.assign(this.variables, block.build);
    }
    for (const block of blocks) this.readBlock(block ?? {}, dir, file);
  }

  readBlock(block, dir, file) {
    for (const include of asArray(block.include)) {
      const path = this.expand(String(include), `${file}: include`);
      if (path === null) continue;
      this.read(resolve(dir, path));
    }
    if (isPlainObject(block.modules)) this.readModules(block.modules, dir, file);
    for (const key of ['data', 'resources']) {
      if (isPlainObject(block[key])) this.readResources(block[key], dir, file);
    }
    if (isPlainObject(block.config)) deepMerge(this.config, block.config);
    for (const name of asArray(block.preload)) if (!this.preload.includes(String(name))) this.preload.push(String(name));
    if (isPlainObject(block.creation)) deepMerge(this.creation, block.creation);
  }

  // Expand "dir/*" to the sources in dir (without extension); other paths stay as they are.
  sources(path) {
    if (!path.endsWith('*')) return [path];
    const dir = dirname(path);
    if (!existsSync(dir)) return [];
    const names = new Set();
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.d.ts')) continue;
      const ext = extname(name);
      if (ext === '.ts' || ext === '.js') names.add(join(dir, basename(name, ext)));
    }
    return [...names].sort();
  }

  resolveModule(path, where) {
    if (existsSync(`${path}.ts`)) return compiledPath(path, where);
    if (existsSync(`${path}.js`)) return `${path}.js`;
    if (extname(path) === '.js' && existsSync(path)) return path;
    throw new Error(`${where}: module source ${path}(.ts|.js) not found`);
  }

  readModules(modules, dir, file) {
    for (const [key, value] of Object.entries(modules)) {
      for (const entry of asArray(value)) {
        const expanded = this.expand(String(entry), `${file}: modules`);
        if (expanded === null) continue;
        const path = resolve(dir, expanded);
        for (const source of this.sources(path)) {
          let specifier;
          if (key === '*') specifier = basename(source);
          else if (key.endsWith('/*')) specifier = key.slice(0, -1) + basename(source);
          else specifier = key;
          this.modules.set(specifier, this.resolveModule(source, `${file}: module "${specifier}"`));
        }
      }
    }
  }

  readResources(resources, dir, file) {
    for (const [key, value] of Object.entries(resources)) {
      for (const entry of asArray(value)) {
        const expanded = this.expand(String(entry), `${file}: resources`);
        if (expanded === null) continue;
        const path = resolve(dir, expanded);
        let files;
        if (path.endsWith('*')) {
          const from = dirname(path);
          files = existsSync(from)
            ? readdirSync(from).map((name) => join(from, name)).filter((name) => statSync(name).isFile())
            : [];
        } else if (existsSync(path) && statSync(path).isFile()) {
          files = [path];
        } else {
          // Moddable data paths may omit the extension
          const from = dirname(path);
          const stem = basename(path);
          files = existsSync(from)
            ? readdirSync(from).filter((name) => name.startsWith(`${stem}.`)).map((name) => join(from, name))
            : [];
          if (!files.length) throw new Error(`${file}: resource ${path} not found`);
        }
        for (const source of files) {
          let name = basename(source);
          if (key !== '*') name = extname(key) ? key : key + extname(source);
          this.resources.set(name, source);
        }
      }
    }
  }
}

/**
 * Process a manifest for the simulator and write build/lin/<app>/.
 * @returns {{mapPath, entry, creation, resourcesDir, configPath, appDir, modules, config}}
 */
export function processManifest(manifestPath = 'manifest.json', {
  overrides = {}, name, outRoot, warn = (message) => console.warn(`xsws manifest: ${message}`),
} = {}) {
  const manifestFile = resolve(manifestPath);
  outRoot ??= join(projectRoot(manifestFile), 'build', 'lin');
  const reader = new ManifestReader({ warn });
  reader.read(hostManifest);
  reader.read(manifestFile);
  const config = deepMerge(reader.config, isPlainObject(overrides) ? overrides : parseOverrides(overrides));

  const app = name ?? basename(dirname(manifestFile));
  const appDir = join(outRoot, app);
  const resourcesDir = join(appDir, 'resources');
  const configPath = join(appDir, 'mc', 'config.js');
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, `export default Object.freeze(${JSON.stringify(config, null, '\t')}, true);\n`);
  reader.modules.set('mc/config', configPath);

  rmSync(resourcesDir, { recursive: true, force: true });
  mkdirSync(resourcesDir, { recursive: true });
  for (const [resource, source] of reader.resources) {
    const target = join(resourcesDir, resource);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }

  const lines = [...reader.modules].map(([specifier, path]) => `${specifier}\t${path}`);
  const mapPath = join(appDir, 'modules.map');
  writeFileSync(mapPath, `${lines.join('\n')}\n`);

  const creation = reader.creation;
  return {
    mapPath,
    entry: String(creation.main ?? 'main'),
    // what the manifest sets; the board profile (tools/boards.mjs) gives the rest
    creation,
    resourcesDir,
    configPath,
    appDir,
    modules: Object.fromEntries(reader.modules),
    config,
    // modules the board keeps in flash: the simulator loads them before measuring its baseline
    preload: reader.preload.filter((specifier) => reader.modules.has(specifier)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('usage: node tools/manifest.mjs [manifest.json] [key=value ...]');
    process.exit(0);
  }
  const manifest = args.find((arg) => !arg.includes('=')) ?? 'manifest.json';
  try {
    const result = processManifest(manifest, { overrides: args.filter((arg) => arg.includes('=')) });
    console.log(JSON.stringify(result, null, 2));
  } catch (error) {
    console.error(`xsws manifest: ${error.message}`);
    process.exit(1);
  }
}
