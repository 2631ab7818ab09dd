#!/usr/bin/env node
// The package's firmware modules (MIT). Node built-ins only.
//
//   node tools/pkg.mjs
//
// `tsc -p tsconfig.pkg.json` compiles src/ and plugins/ with their .d.ts into dist/, and this
// writes what a Moddable project needs to use them: manifest_include.json, which lists every
// module as "xsws/<path>" (so a relative import "../core/wsi.js" inside "xsws/src/roles/h1/api"
// resolves to "xsws/src/core/wsi", by name, as XS does on the board), preloads them all (code
// and frozen objects in flash), and includes hosts/esp32/manifest_xsws.json (Moddable's
// sockets, timer, file and data modules, and our natives, for the esp32 and Moddable's lin); and dist/alias/, the
// bare names a firmware imports ("xsws", "xsws/host/moddable") as re-exports: a module named
// "xsws" could not resolve relative imports of its own. npm install and npm run build
// (tools/setup.mjs, when a source is newer than dist/) and npm pack (prepack, always) run it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(root, 'dist');
export const includeManifest = join(root, 'manifest_include.json');
/** The bare names a firmware imports, and the module each re-exports. */
export const ALIASES = { xsws: 'xsws/src/index', 'xsws/host/moddable': 'xsws/src/host/moddable' };
/** What manifest_include.json lists: the framework. The plugins are compiled too (dist/plugins) but
 * not listed: mcconfig links every module a manifest lists, so a firmware names the ones it uses. */
const LISTED_ROOTS = ['src'];

/** Directories of sources under the compiled roots, repository-relative, sorted. */
function sourceDirs() {
  const out = [];
  const walk = (dir) => {
    const entries = readdirSync(join(root, dir), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))) out.push(dir);
    for (const e of entries) if (e.isDirectory()) walk(`${dir}/${e.name}`);
  };
  for (const r of LISTED_ROOTS) walk(r);
  return out.sort();
}

/** Module names of the sources, "xsws/src/core/wsi", sorted. */
function moduleNames(dirs) {
  const names = [];
  for (const dir of dirs) {
    for (const name of readdirSync(join(root, dir))) {
      if (name.endsWith('.ts') && !name.endsWith('.d.ts')) names.push(`xsws/${dir}/${name.slice(0, -3)}`);
    }
  }
  return names.sort();
}

/**
 * Write `file`, a module that is `target` under another name (`source`: target's compiled code,
 * for its default export). A module cannot simply be listed under a second name: relative
 * imports inside it would resolve against that name.
 */
export function writeAlias(file, target, source) {
  let text = `export * from "${target}";\n`;
  if (/^export default\b|^export \{[^}]*\bas default\b/m.test(source)) text += `export { default } from "${target}";\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** manifest_include.json's text, from the tree as it is. */
export function includeManifestText() {
  const dirs = sourceDirs();
  const modules = {};
  for (const dir of dirs) modules[`xsws/${dir}/*`] = `./dist/${dir}/*`;
  for (const name of Object.keys(ALIASES)) modules[name] = `./dist/alias/${name}`;
  const manifest = {
    // Moddable's modules and ours for the board (esp32) and Moddable's own simulator (lin); the
    // xsws simulator reads hosts/lin/manifest.json instead (tools/manifest.mjs)
    include: ['./hosts/esp32/manifest_xsws.json'],
    modules,
    preload: [...moduleNames(dirs), ...Object.keys(ALIASES)],
  };
  return `${JSON.stringify(manifest, null, '\t')}\n`;
}

/** The newest modification time of the files under `path` (0 if none). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** When dist/ was last made (outside it: the package holds dist/ and nothing else of build's). */
const STAMP = join(root, 'build', 'dist.stamp');

/** Compile dist/ and write the aliases and manifest_include.json; skipped when nothing it is made from changed since, unless `force`. */
export function buildPackageModules({ tsc = join(root, 'node_modules', '.bin', 'tsc'), log = console.error, force = false } = {}) {
  const inputs = ['src', 'plugins', 'types', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.pkg.json', 'tools/pkg.mjs'].map((p) => newest(join(root, p)));
  if (!force && existsSync(includeManifest) && newest(STAMP) > Math.max(...inputs)) return;
  rmSync(distDir, { recursive: true, force: true });
  log('xsws: tsc -p tsconfig.pkg.json (dist/)');
  // stdout stays clean: npm pack --json prints there after prepack
  const r = spawnSync(tsc, ['-p', 'tsconfig.pkg.json'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (r.status !== 0) throw new Error('tsc -p tsconfig.pkg.json failed');
  for (const [name, target] of Object.entries(ALIASES)) {
    const compiled = join(distDir, `${target.slice('xsws/'.length)}.js`);
    writeAlias(join(distDir, 'alias', `${name}.js`), target, readFileSync(compiled, 'utf8'));
  }
  writeFileSync(includeManifest, includeManifestText());
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildPackageModules({ force: true });
