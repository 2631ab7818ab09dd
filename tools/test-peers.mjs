#!/usr/bin/env node
// xsws test peers (MIT), run as npm `pretest`. Node built-ins only.
//
// Checks that the Debian programs the integration tests talk to are installed, and that the
// simulator is built. When something is missing and we run as root (CI, a fresh container), it
// runs `apt-get update` and `apt-get install -y --no-install-recommends ...` and goes on;
// otherwise it prints the exact `sudo apt-get install ...` line and exits 1.
// When everything is present it makes no apt call at all. The simulator must be the 32-bit build
// (the board's slot size): a 64-bit one is rebuilt once gcc-multilib is there.
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repositoryRoot } from './manifest.mjs';
import { aptInstall, ensureBuild32, installLine, isRoot } from './debian.mjs';

/** What the suite uses: a program (name on PATH, or an absolute path) and its Debian package. */
const PEERS = [
  { program: 'curl', pkg: 'curl', why: 'HTTP client in the integration tests' },
  { program: '/usr/bin/chromium', pkg: 'chromium', why: 'headless browser peer' },
  { program: 'libwebsockets-test-server', pkg: 'libwebsockets-test-server', why: 'reference lws server' },
  { program: 'libwebsockets-test-client', pkg: 'libwebsockets-test-server', why: 'reference lws client' },
  { program: 'python3', pkg: 'python3', why: 'a peer with a tiny receive window (SO_RCVBUF) in the WebSocket flood and ping-flood tests' },
  { program: 'ss', pkg: 'iproute2', why: 'counting connections left in CLOSE-WAIT after a burst' },
  { program: 'wrk', pkg: 'wrk', why: 'HTTP load generator for `npm run bench`', optional: true },
  { file: '/usr/lib32/libz.so', pkg: 'lib32z1-dev', why: 'zlib, the reference of the C inflate fuzz harness (32-bit, as the board)' },
];

const simulator = join(repositoryRoot, 'build', 'lin', 'xsws-sim');

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function found(program) {
  if (program.includes('/')) return executable(program);
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(d)) dirs.push(d);
  }
  return dirs.some((dir) => executable(join(dir, program)));
}

function missingPeers() {
  return PEERS.filter((p) => (p.file ? !existsSync(p.file) : !found(p.program)));
}

function packagesOf(peers) {
  return [...new Set(peers.map((p) => p.pkg))];
}

/** ELF class of the simulator: 32 or 64 (0 when unreadable). */
function simulatorBits() {
  try {
    const fd = openSync(simulator, 'r');
    const header = Buffer.alloc(5);
    readSync(fd, header, 0, 5, 0);
    closeSync(fd);
    return header[4] === 1 ? 32 : header[4] === 2 ? 64 : 0;
  } catch {
    return 0;
  }
}

/** A 64-bit simulator (built without gcc-multilib) is rebuilt as the 32-bit one, or refused. */
function check32Bit(problems) {
  if (simulatorBits() !== 64) return;
  if (!ensureBuild32('test-peers')) {
    problems.push(`${simulator} is a 64-bit build: the tests measure the board's 32-bit heap. Install gcc-multilib:\n\n  ${installLine(['gcc-multilib'])}\n`);
    return;
  }
  const r = spawnSync('make', ['-C', join(repositoryRoot, 'hosts', 'lin'), '-j2', '-s', '--no-print-directory', 'BITS=32'], { stdio: 'inherit' });
  if (r.status !== 0 || simulatorBits() !== 32) problems.push('rebuilding the simulator as a 32-bit program failed');
}

function main() {
  const problems = [];
  let missing = missingPeers();
  if (missing.length) {
    const required = missing.filter((p) => !p.optional);
    if (isRoot) {
      // Required and optional together first; if that fails, the required ones alone.
      if (!aptInstall('test-peers', packagesOf(missing)) && required.length) {
        aptInstall('test-peers', packagesOf(required), { update: false });
      }
      missing = missingPeers();
    } else if (required.length) {
      const line = installLine(packagesOf(missing));
      console.error('test-peers: the integration tests need programs that are not installed:');
      for (const p of missing) console.error(`  ${p.program ?? p.file} (Debian package ${p.pkg}): ${p.why}${p.optional ? ' [optional]' : ''}`);
      console.error(`\nInstall them with:\n\n  ${line}\n`);
      process.exit(1);
    }
    for (const p of missing) {
      if (p.optional) console.error(`test-peers: note: ${p.program} (Debian ${p.pkg}) is missing; ${p.why} will skip it`);
      else problems.push(`${p.program ?? p.file} (Debian package ${p.pkg}) is still missing`);
    }
  }
  if (!existsSync(simulator)) problems.push(`${simulator} is missing: run "npm run build" (or "npm install")`);
  else check32Bit(problems);
  if (problems.length) {
    for (const p of problems) console.error(`test-peers: ${p}`);
    process.exit(1);
  }
}

main();
