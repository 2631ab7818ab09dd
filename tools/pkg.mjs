#!/usr/bin/env node
// The package's firmware modules (MIT). Node built-ins only.
//
//   node tools/pkg.mjs [--check]
//
// `tsc -p tsconfig.pkg.json` compiles src/ and plugins/ with their .d.ts into dist/, and this
// writes what a Moddable project needs to use them: manifest_include.json, which lists every
// module as "xsws/<path>" (so a relative import "../core/wsi.js" inside "xsws/src/roles/h1/api"
// resolves to "xsws/src/core/wsi", by name, as XS does on the board), preloads them all (code
// and frozen objects in flash), and on the esp32 includes hosts/esp32/manifest_xsws.json
// (Moddable's sockets, timer, file and data modules, and our natives); and dist/alias/, the
// bare names a firmware imports ("xsws", "xsws/host/moddable") as re-exports: a module named
// "xsws" could not resolve relative imports of its own. npm install (tools/setup.mjs) and npm
// pack (prepack) run it; --check only says whether the committed manifest_include.json is current.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(root, 'dist');
export const includeManifest = join(root, 'manifest_include.json');
/** The bare names a firmware imports, and the module each re-exports. */
export const ALIASES = { xsws: 'xsws/src/index', 'xsws/host/moddable': 'xsws/src/host/moddable' };
const COMPILED_ROOTS = ['src', 'plugins'];

const toPosix = (path) => path.split(sep).join('/');

/** Directories of sources under the compiled roots, repository-relative, sorted. */
function sourceDirs() {
  const out = [];
  const walk = (dir) => {
    const entries = readdirSync(join(root, dir), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))) out.push(dir);
    for (const e of entries) if (e.isDirectory()) walk(`${dir}/${e.name}`);
  };
  for (const r of COMPILED_ROOTS) walk(r);
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

/** manifest_include.json's text, from the tree as it is. */
export function includeManifestText() {
  const dirs = sourceDirs();
  const modules = {};
  for (const dir of dirs) modules[`xsws/${dir}/*`] = `./dist/${dir}/*`;
  for (const name of Object.keys(ALIASES)) modules[name] = `./dist/alias/${name}`;
  const manifest = {
    modules,
    preload: [...moduleNames(dirs), ...Object.keys(ALIASES)],
    platforms: {
      esp32: { include: ['./hosts/esp32/manifest_xsws.json'] },
    },
  };
  return `${JSON.stringify(manifest, null, '\t')}\n`;
}

/** Compile dist/ and write the aliases and manifest_include.json. */
export function buildPackageModules({ tsc = join(root, 'node_modules', '.bin', 'tsc'), log = console.error } = {}) {
  rmSync(distDir, { recursive: true, force: true });
  log('xsws: tsc -p tsconfig.pkg.json (dist/)');
  // stdout stays clean: npm pack --json prints there after prepack
  const r = spawnSync(tsc, ['-p', 'tsconfig.pkg.json'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (r.status !== 0) throw new Error('tsc -p tsconfig.pkg.json failed');
  for (const [name, target] of Object.entries(ALIASES)) {
    const file = join(distDir, 'alias', `${name}.js`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `// the bare name "${name}" for firmware (tools/pkg.mjs)\nexport * from "${target}";\n`);
  }
  writeFileSync(includeManifest, includeManifestText());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const current = existsSync(includeManifest) ? readFileSync(includeManifest, 'utf8') : '';
    if (current !== includeManifestText()) {
      console.error(`xsws: ${toPosix(relative(process.cwd(), includeManifest))} is out of date: run node tools/pkg.mjs`);
      process.exit(1);
    }
  } else buildPackageModules();
}
