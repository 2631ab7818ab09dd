#!/usr/bin/env node
// xsws build --target esp32 (MIT): prepares a Moddable project for `mcconfig -d -m -p esp32`.
// Node built-ins only.
//
//   node tools/esp32.mjs [--manifest path/to/manifest.json] [--no-tsc] [--no-preload] [--out DIR]
//
// Why a generated manifest: our TypeScript uses relative imports with `.js` extensions
// ("../core/wsi.js") and mcconfig names modules by their manifest key, not by their path. On the
// device (xs/platforms/mc/xsHosts.c fxFindModule) and at preload time (xs/tools/xsl.c
// fxFindModule), XS drops a trailing ".js"/".mjs" from a specifier and resolves "./" and "../"
// against the *name* of the importing module ("src/http/server" + "../core/wsi.js" ->
// "src/core/wsi"); a relative import from a module whose name has no directory part (e.g. "main")
// fails. So every module of ours is listed under its path relative to the repository, without
// extension ("src/core/wsi", "plugins/post-demo", "apps/demo/main"), mapped to tsc's output in
// build/js (tsc with rootDir "." and outDir "build/js"); `.js` specifiers then work unchanged.
// Bare specifiers ("embedded:io/socket/tcp", "timer", "mc/config", and `import(name)` of the
// names in config.plugins) resolve by exact name, so plugin names must be their repository paths
// too ("plugins/post-demo"), as the root manifest already has them.
//
// Output in the project's build/esp32/ (or --out): manifest.json, which includes the root manifest's esp32
// platform includes (hosts/esp32/manifest_xsws.json: Moddable's sockets, timer, file, data
// modules, Wi-Fi setup, creation sizes) and lists:
//   modules   every .ts of src/, plugins/ and the app's directory, under its repository path;
//             a root alias with another name ("xsws": "./src/index") as a re-export in alias/
//   preload   every src/ and plugins/ module (code and frozen objects in flash on the board);
//             none with --no-preload
//   creation  merged from the root manifest and its esp32 block; main = the app's module name
//   defines   main.async = 1 when the main module uses top-level await (MODDEF_MAIN_ASYNC)
//   config    the root manifest's config (+ its esp32 block); relative path values made absolute
//             (for `-p lin`), and on esp32 such a path under the file module's root (/mod/...)
//   data      the root manifest's data (the demo: build/ui/ui.zip, made by tools/ui.mjs, served
//             by the mount fops of src/host/moddable.ts from Resource("ui.zip")); when
//             config.www is a directory, its files as resources named by basename
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureUiZip } from './ui.mjs';
import { boardConfig, boardProfile, effectiveCreation } from './boards.mjs';
import { asArray, compiledPath, deepMerge, findUp, isPlainObject, projectRoot, repositoryRoot } from './manifest.mjs';
import { writeAlias } from './pkg.mjs';

const TARGET = 'esp32';
/** xsws's directories in this repository: preloaded when the root manifest maps "xsws" to its sources (the app's own modules are not: main calls natives). */
const PRELOAD_ROOTS = ['src', 'plugins'];
/** On the board the `file` module's root (modules/files/file/manifest.json, esp32: SPIFFS /mod/). */
const ESP32_FILE_ROOT = '/mod/';

const toPosix = (path) => path.split(sep).join('/');

/** Every .ts (not .d.ts) under dir, as paths relative to `base` without extension (not in node_modules, build, dist or hidden folders). */
function typescriptModules(dir, base) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!['node_modules', 'build', 'dist'].includes(name) && !name.startsWith('.')) out.push(...typescriptModules(path, base));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      out.push(toPosix(relative(base, path.slice(0, -3))));
    }
  }
  return out;
}

/**
 * Whether `await` occurs outside every function (top-level await), so that main must be imported
 * asynchronously (MODDEF_MAIN_ASYNC). Comments and strings are stripped well enough, then braces
 * are tracked as function bodies or plain blocks: `await` inside `try {`, `if (…) {`, `for (…) {`
 * at module level is top-level await too. A `{` opens a function body when it follows `=>`, or a
 * `)` whose `(` is not that of if/for/while/switch/catch/with (function, method, getter).
 * Not handled: regular expression literals holding quotes or braces, and `await` in the
 * expression body of an async arrow (`async (x) => await x`).
 */
export function usesTopLevelAwait(source) {
  // One left-to-right pass, so that "https://…" is a string and not a comment.
  const code = source.replace(
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g,
    (text) => (text[0] === '/' ? ' ' : '""'));
  const blocks = [];        // for each open brace: true when it is a function body
  const parens = [];        // index of each open parenthesis
  const closed = new Map(); // index of a ")" -> index of its "("
  let functions = 0;
  const re = /[{}()]|\bawait\b/g;
  let match;
  while ((match = re.exec(code))) {
    const token = match[0];
    if (token === '(') parens.push(match.index);
    else if (token === ')') closed.set(match.index, parens.pop() ?? 0);
    else if (token === '{') {
      const before = code.slice(0, match.index).trimEnd();
      let body = before.endsWith('=>');
      if (!body && before.endsWith(')')) {
        const open = closed.get(before.length - 1) ?? 0;
        body = !/\b(?:if|for|while|switch|catch|with)\s*$/.test(code.slice(0, open));
      }
      blocks.push(body);
      if (body) functions++;
    } else if (token === '}') {
      if (blocks.pop()) functions--;
    } else if (functions === 0) return true;
  }
  return false;
}

/**
 * Module-scope `let`s that hold a function when preload ends: the XS linker makes such bindings
 * const (xs/tools/xslSlot.c, "@@ const functions closures"), so assigning them later on the device
 * throws "TypeError: set NAME: const". Returns the names found in compiled JS.
 */
export function functionLets(source) {
  const functions = new Set([...source.matchAll(/^(?:export )?function\s+([\w$]+)/gm)].map((m) => m[1]));
  const found = [];
  for (const m of source.matchAll(/^(?:export )?let\s+([\w$]+)\s*=\s*([\w$]+)\s*;/gm)) {
    if (functions.has(m[2])) found.push(m[1]);
  }
  return found;
}

/** tsc -p in the project, with the project's own TypeScript. */
function runTsc(projectDir, warn) {
  const tsc = join(projectDir, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) throw new Error(`${tsc} is missing: run "npm install" (typescript is a devDependency)`);
  warn(`tsc -p ${relative(process.cwd(), projectDir) || '.'}`);
  const result = spawnSync(tsc, ['-p', '.'], { cwd: projectDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('tsc -p . failed');
}

/**
 * Write build/esp32/manifest.json for mcconfig.
 * @returns {{ manifestPath, outDir, modules, preload, main, config, creation }}
 */
export function buildEsp32(manifestPath = 'manifest.json', {
  outDir, tsc = true, preloadAll = true, board, log = (message) => console.log(`xsws build: ${message}`),
} = {}) {
  const profile = boardProfile(board);
  const rootFile = resolve(manifestPath);
  // the project's own build/ (this repository's for the demo)
  outDir ??= join(projectRoot(rootFile), 'build', TARGET);
  let root;
  try {
    root = JSON.parse(readFileSync(rootFile, 'utf8'));
  } catch (error) {
    throw new Error(`${rootFile}: ${error.code === 'ENOENT' ? 'not found' : error.message}`);
  }
  const rootDir = dirname(rootFile);
  const platform = root.platforms?.[TARGET] ?? {};
  if (!root.platforms?.[TARGET] && !asArray(root.include).length) throw new Error(`${rootFile}: no platforms.${TARGET} block and no include (xsws's manifest_include.json brings the board's modules)`);

  // The app: the module the root manifest names as main (creation.main, default "main").
  const mainName = root.creation?.main ?? platform.creation?.main ?? 'main';
  let mainPath = null;
  const rootModules = [];   // [specifier, absolute path without extension]
  for (const block of [root, platform]) {
    for (const [key, value] of Object.entries(block.modules ?? {})) {
      for (const entry of asArray(value)) {
        if (String(entry).includes('$(')) continue;
        const path = resolve(rootDir, String(entry));
        if (key === '*' && !path.endsWith('*')) {
          rootModules.push([basename(path), path]);
          if (basename(path) === mainName) mainPath = path;
        } else if (key.endsWith('/*') && path.endsWith('*')) {
          // "src/*": "./src/*" names each module of the folder src/<basename>
          for (const name of typescriptModules(dirname(path), dirname(path)).filter((n) => !n.includes('/'))) {
            rootModules.push([key.slice(0, -1) + name, join(dirname(path), name)]);
            if (key.slice(0, -1) + name === mainName) mainPath = join(dirname(path), name);
          }
        } else if (key !== '*' && !key.endsWith('*')) {
          rootModules.push([key, path]);
          if (key === mainName) mainPath = path;
        }
      }
    }
  }
  if (!mainPath || !existsSync(`${mainPath}.ts`)) {
    throw new Error(`${rootFile}: main module "${mainName}" is not a .ts module`);
  }
  const appDir = dirname(mainPath);
  // the TypeScript project that compiles the app: names are paths in it
  const projectDir = findUp(appDir, 'tsconfig.json');
  if (!projectDir) throw new Error(`${rootFile}: no tsconfig.json above ${mainPath}.ts`);
  const appName = toPosix(relative(projectDir, mainPath));

  if (tsc) runTsc(projectDir, log);

  // The app's modules, each under its path in the project; xsws's own too when the root
  // manifest maps "xsws" to its sources (this repository's demo). A firmware that includes
  // xsws's manifest_include.json gets xsws's modules, names and preloads from it.
  const ownsXsws = rootModules.some(([specifier]) => specifier === 'xsws');
  // what is preloaded: xsws's own modules, never the app's (main calls natives)
  const xswsNames = new Set(ownsXsws ? PRELOAD_ROOTS.flatMap((dir) => typescriptModules(join(repositoryRoot, dir), projectDir)) : []);
  const names = new Set([...xswsNames, ...typescriptModules(appDir, projectDir)]);
  const aliases = [];       // [specifier, project path]: a name other than the module's path
  for (const [specifier, path] of rootModules) {
    if (!existsSync(`${path}.ts`)) continue;
    const name = toPosix(relative(projectDir, path));
    names.add(name);
    if (specifier !== name && specifier !== mainName) aliases.push([specifier, name]);
  }
  const modules = {};
  for (const name of [...names].sort()) {
    const compiled = compiledPath(join(projectDir, name));
    if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run "npm run build" (tsc -p .)`);
    modules[name] = compiled.slice(0, -3);
  }
  // An alias ("xsws": "./src/index") cannot be the module itself under a second name: relative
  // imports inside it would resolve against "xsws". It becomes a re-export of the real module.
  const aliasDir = join(outDir, 'alias');
  for (const [specifier, name] of aliases) {
    const file = join(aliasDir, `${specifier}.js`);
    writeAlias(file, name, readFileSync(`${modules[name]}.js`, 'utf8'));
    modules[specifier] = file.slice(0, -3);
  }
  const preload = preloadAll
    ? [...xswsNames].sort().concat(aliases.filter(([, name]) => xswsNames.has(name)).map(([specifier]) => specifier))
    : [];
  for (const name of preload.filter((entry) => names.has(entry))) {
    const lets = functionLets(readFileSync(`${modules[name]}.js`, 'utf8'));
    if (lets.length) {
      log(`warning: ${name}: module-scope let ${lets.join(', ')} holds a function; preloaded, assigning it on the device throws "set ${lets[0]}: const" (use --no-preload until fixed)`);
    }
  }

  // config and creation: root, then its esp32 block (includes merge first in mcconfig).
  const config = deepMerge(deepMerge({ board: boardConfig(profile.name) }, root.config), platform.config);
  const esp32Config = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' && (value.startsWith('./') || value.startsWith('../'))) {
      const absolute = resolve(rootDir, value);
      config[key] = absolute;
      // On the board a path is under the file module's root (SPIFFS); see README.
      esp32Config[key] = ESP32_FILE_ROOT + basename(absolute);
    }
  }
  // the board profile's sizes, under what the manifests set themselves (as the simulator does)
  const creation = effectiveCreation(profile, deepMerge(deepMerge({}, root.creation), platform.creation));
  creation.main = appName;

  const generated = {
    include: [...asArray(root.include), ...asArray(platform.include)].map((path) => (String(path).includes('$(') ? path : resolve(rootDir, path))),
    modules,
    preload,
    config,
    creation,
    platforms: {
      [TARGET]: { config: esp32Config },
    },
  };
  const mainSource = readFileSync(`${mainPath}.ts`, 'utf8');
  if (usesTopLevelAwait(mainSource)) generated.defines = { main: { async: 1 } };
  if (platform.defines) generated.defines = deepMerge(generated.defines ?? {}, platform.defines);
  if (root.defines) generated.defines = deepMerge(deepMerge({}, root.defines), generated.defines ?? {});

  // The demo's UI as one zip resource (build/ui/ui.zip, listed under the root manifest's data).
  ensureUiZip();
  // The web UI as resources, in flash on the board. mcrez names a resource by its file's basename
  // whatever the data key ("www/*" too): Resource("index.html"), Resource("demo.css").
  const www = typeof root.config?.www === 'string' ? resolve(rootDir, root.config.www) : join(appDir, 'www');
  if (existsSync(www) && statSync(www).isDirectory()) {
    generated.data = { '*': `${www}/*` };
  }
  for (const key of ['data', 'resources', 'strip']) {
    for (const block of [root, platform]) {
      if (!isPlainObject(block[key])) continue;
      generated[key] ??= {};
      for (const [name, value] of Object.entries(block[key])) {
        generated[key][name] = asArray(value).map((path) => (String(path).includes('$(') ? path : resolve(rootDir, path)));
      }
    }
  }

  mkdirSync(outDir, { recursive: true });
  const outManifest = join(outDir, 'manifest.json');
  writeFileSync(outManifest, `${JSON.stringify(generated, null, '\t')}\n`);
  log(`wrote ${relative(process.cwd(), outManifest) || outManifest}: ${Object.keys(modules).length} modules (${preload.length} preloaded), main "${appName}"`);
  log(`board ${profile.name} (${profile.title}): mcconfig -d -m -p ${profile.moddablePlatform}`);
  return { manifestPath: outManifest, outDir, modules, preload, main: appName, config, creation, board: profile };
}

export const esp32Usage = `xsws build --target esp32 [--board NAME] [--manifest PATH] [--out DIR] [--no-tsc] [--no-preload]
  compiles the TypeScript (tsc -p .) and writes build/esp32/manifest.json for the Moddable SDK,
  with the board profile's creation sizes (hosts/boards.json; default esp32):
    npx xsws build --target esp32
    cd build/esp32 && mcconfig -d -m -p esp32 ssid="your Wi-Fi" password="secret"
  --board esp32s3 | esp32c3 | esp32-psram: then mcconfig -p esp32/esp32s3, esp32/esp32c3,
  esp32/m5stack_core2 (the build prints which). See hosts/esp32/README.md.`;

export function parseBuildArgs(args) {
  const options = { target: null, manifest: 'manifest.json', out: undefined, tsc: true, preload: true, help: false, board: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = () => {
      if (i + 1 >= args.length) throw new Error(`${arg} needs a value`);
      return args[++i];
    };
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--target') options.target = next();
    else if (arg.startsWith('--target=')) options.target = arg.slice(9);
    else if (arg === '--manifest') options.manifest = next();
    else if (arg.startsWith('--manifest=')) options.manifest = arg.slice(11);
    else if (arg === '--out') options.out = resolve(next());
    else if (arg.startsWith('--out=')) options.out = resolve(arg.slice(6));
    else if (arg === '--board') options.board = next();
    else if (arg.startsWith('--board=')) options.board = arg.slice(8);
    else if (arg === '--no-tsc') options.tsc = false;
    else if (arg === '--no-preload') options.preload = false;
    else throw new Error(`unknown option "${arg}"`);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseBuildArgs(process.argv.slice(2));
    if (options.help) {
      console.log(esp32Usage);
      process.exit(0);
    }
    buildEsp32(options.manifest, { tsc: options.tsc, preloadAll: options.preload, board: options.board, ...(options.out ? { outDir: options.out } : {}) });
  } catch (error) {
    console.error(`xsws build: ${error.message}`);
    process.exit(1);
  }
}
