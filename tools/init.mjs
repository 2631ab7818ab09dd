// xsws init DIR (MIT): writes a minimal firmware project: the ws-echo example (manifest.json,
// src/main.ts with one mount and one protocol, src/echo.ts, www/index.html), its manifest
// including node_modules/xsws/manifest_include.json, and from tools/starter/ a tsconfig.json
// against @moddable/typings and a README; then a package.json whose `npm start` runs it in the
// simulator and whose `npm run build:esp32` prepares the board build. Node built-ins only.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { repositoryRoot } from './manifest.mjs';

const example = join(repositoryRoot, 'examples', 'ws-echo');
const starter = join(repositoryRoot, 'tools', 'starter');
/** Where a project finds xsws's manifest once xsws is installed in it. */
const INSTALLED_INCLUDE = './node_modules/xsws/manifest_include.json';

/** The starter's package.json: xsws at this version, and the TypeScript and typings xsws is built with. */
function starterPackage(name) {
  const own = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));
  const dev = own.devDependencies ?? {};
  return {
    name: name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'firmware',
    version: '0.1.0',
    private: true,
    type: 'module',
    description: 'An xsws firmware',
    scripts: {
      build: 'tsc -p . && xsws zip www build/www.zip',
      start: 'npm run build && xsws run',
      'build:esp32': 'npm run build && xsws build --target esp32 --no-tsc',
      typecheck: 'tsc --noEmit -p .',
    },
    dependencies: { xsws: `^${own.version}` },
    devDependencies: { '@moddable/typings': dev['@moddable/typings'], typescript: dev.typescript },
  };
}

/** Write the starter into `dir` (made if missing; refused if it holds anything). Returns the files written. */
export function init(dir) {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length) throw new Error(`${target} is not empty: init writes a new project`);
  mkdirSync(target, { recursive: true });
  for (const part of ['src', 'www']) cpSync(join(example, part), join(target, part), { recursive: true });
  cpSync(starter, target, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(example, 'manifest.json'), 'utf8'));
  manifest.include = [INSTALLED_INCLUDE];
  writeFileSync(join(target, 'manifest.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(starterPackage(basename(target)), null, 2)}\n`);
  writeFileSync(join(target, '.gitignore'), 'node_modules/\nbuild/\n');
  return readdirSync(target, { recursive: true }).map(String).sort();
}
