#!/usr/bin/env node
// xsws setup (MIT): run by `npm install` (postinstall) and `npm run build`. Node built-ins only.
//  1. XS sources: `npm pack` package.json xsws.xsnap into build/xs (or copy the tarball named by
//     XSWS_XS_TARBALL, for offline installs), check its sha512 against xsws.xsnapIntegrity, unpack
//     with tar (never `npm install` it: its postinstall builds xsnap).
//  2. The simulator: `make -C hosts/lin -j2` -> build/lin/xsws-sim, a 32-bit program as the ESP32
//     is (Debian gcc-multilib, installed here when run as root; otherwise 64-bit, with the
//     apt-get line to run: its heap figures are not the board's bytes, and npm test refuses it).
//  3. TypeScript: `tsc -p .` and `tsc -p test` when there is a .ts file to compile, then the
//     package's dist/ and manifest_include.json (tools/pkg.mjs). An installed package ships dist/:
//     there this step does nothing, and under npx (npm exec, e.g. npx xsws init) nothing is built.
//  4. The demo's web UI zipped into build/ui/ui.zip (tools/ui.mjs).
// (The simulator is built before tsc so that a TypeScript error leaves a usable simulator.)
// Idempotent: each step is skipped or incremental when up to date.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureUiZip } from './ui.mjs';
import { ensureBuild32, installLine } from './debian.mjs';
import { buildPackageModules } from './pkg.mjs';
import { isCheckout } from './manifest.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function fail(message) {
  console.error(`xsws setup: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  return result;
}

function fetchXS() {
  const xsDir = join(root, 'build', 'xs');
  const packageDir = join(xsDir, 'package');
  if (existsSync(join(packageDir, 'moddable', 'xs', 'sources', 'xsAll.c'))) return;
  const { xsnap, xsnapIntegrity } = pkg.xsws ?? {};
  if (!xsnap || !xsnapIntegrity) fail('package.json lacks xsws.xsnap / xsws.xsnapIntegrity');
  mkdirSync(xsDir, { recursive: true });
  let tarball;
  if (process.env.XSWS_XS_TARBALL) {
    // a copy of that npm package already at hand (offline or air-gapped installs); checked below all the same
    // relative to where npm install was typed (npm runs this in the package's folder)
    const given = resolve(process.env.INIT_CWD ?? process.cwd(), process.env.XSWS_XS_TARBALL);
    tarball = join(xsDir, basename(given));
    console.log(`xsws setup: XS sources from ${given}`);
    copyFileSync(given, tarball);
  } else {
    console.log(`xsws setup: fetching XS sources (${xsnap})`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(npm, ['pack', xsnap, '--json', '--pack-destination', xsDir], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (packed.status !== 0) fail(`npm pack ${xsnap} failed`);
    let filename;
    try {
      filename = JSON.parse(packed.stdout)[0].filename;
    } catch {
      fail(`cannot read the output of npm pack ${xsnap}`);
    }
    tarball = join(xsDir, filename);
  }
  const filename = basename(tarball);
  const [algorithm, expected] = xsnapIntegrity.split(/-(.*)/s);
  const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64');
  if (actual !== expected) {
    rmSync(tarball, { force: true });
    fail(`${filename}: integrity mismatch (expected ${xsnapIntegrity}, got ${algorithm}-${actual})`);
  }
  // unpack into a temporary directory, then move into place: an interrupted run leaves no
  // half-unpacked tree behind
  const temporary = join(xsDir, 'unpack.tmp');
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  const untar = run('tar', ['xzf', tarball, '-C', temporary]);
  if (untar.status !== 0) fail(`tar xzf ${filename} failed`);
  rmSync(packageDir, { recursive: true, force: true });
  renameSync(join(temporary, 'package'), packageDir);
  rmSync(temporary, { recursive: true, force: true });
}

function compileTypeScript() {
  if (!isCheckout || !existsSync(join(root, 'tsconfig.json'))) return;
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) fail('node_modules/.bin/tsc is missing: run npm install');
  // the firmware code (ES2022, no Node types), then the tests (Node + mocha types)
  for (const project of ['.', 'test']) {
    if (!existsSync(join(root, project, 'tsconfig.json'))) continue;
    console.log(`xsws setup: tsc -p ${project}`);
    const result = run(tsc, ['-p', project]);
    if (result.status !== 0) fail(`TypeScript compilation of ${project} failed (see above)`);
  }
  // the package's firmware modules, dist/ and manifest_include.json (examples/ use them too)
  try {
    buildPackageModules({ tsc });
  } catch (error) {
    fail(error.message);
  }
}

function buildHost() {
  let bits = 32;
  // installed as a package, xsws does not install system packages; it says what to install
  if (!ensureBuild32('xsws setup', { install: isCheckout })) {
    bits = 64;
    console.error('xsws setup: no 32-bit C toolchain (Debian gcc-multilib): building a 64-bit simulator, whose XS');
    console.error('heap figures are not the board\'s bytes (slots of 32 bytes, not 16). Install it with');
    console.error(`\n  ${installLine(['gcc-multilib'])}\n\nthen run "npm run build" (npm test asks for it).`);
  }
  // make is incremental: quick when nothing changed (a clean build takes ~20 s)
  const result = run('make', ['-C', 'hosts/lin', '-j2', '-s', '--no-print-directory', `BITS=${bits}`]);
  if (result.status !== 0) fail('building the simulator (make -C hosts/lin) failed');
}

// npx xsws init (npm exec) only copies files: the simulator is built when a project installs xsws
if (process.env.npm_command === 'exec' && !isCheckout) process.exit(0);
fetchXS();
buildHost();
compileTypeScript();
ensureUiZip();
