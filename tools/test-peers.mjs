#!/usr/bin/env node
// xsws test peers (MIT), run as npm `pretest`. Node built-ins only.
//
// Checks that the Debian programs the integration tests talk to are installed, and that the
// simulator is built. When something is missing and we run as root (CI, a fresh container), it
// runs `apt-get update` and `apt-get install -y --no-install-recommends ...` and goes on;
// otherwise it prints the exact `sudo apt-get install ...` line and exits 1.
// When everything is present it makes no apt call at all.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repositoryRoot } from './manifest.mjs';

/** What the suite uses: a program (name on PATH, or an absolute path) and its Debian package. */
const PEERS = [
  { program: 'curl', pkg: 'curl', why: 'HTTP client in the integration tests' },
  { program: '/usr/bin/chromium', pkg: 'chromium', why: 'headless browser peer' },
  { program: 'libwebsockets-test-server', pkg: 'libwebsockets-test-server', why: 'reference lws server' },
  { program: 'libwebsockets-test-client', pkg: 'libwebsockets-test-server', why: 'reference lws client' },
  { program: 'python3', pkg: 'python3', why: 'a peer with a tiny receive window (SO_RCVBUF) in the WebSocket flood and ping-flood tests' },
  { program: 'ss', pkg: 'iproute2', why: 'counting connections left in CLOSE-WAIT after a burst' },
  { program: 'wrk', pkg: 'wrk', why: 'HTTP load generator for `npm run bench`', optional: true },
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
  return PEERS.filter((p) => !found(p.program));
}

function packagesOf(peers) {
  return [...new Set(peers.map((p) => p.pkg))];
}

function apt(args) {
  console.error(`test-peers: apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) throw new Error(`apt-get: ${r.error.message}`);
  return r.status === 0;
}

function main() {
  const problems = [];
  let missing = missingPeers();
  if (missing.length) {
    const required = missing.filter((p) => !p.optional);
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot) {
      const pkgs = packagesOf(missing);
      if (!apt(['update'])) problems.push('apt-get update failed');
      // Required and optional together first; if that fails, the required ones alone.
      if (!apt(['install', '-y', '--no-install-recommends', ...pkgs]) && required.length) {
        apt(['install', '-y', '--no-install-recommends', ...packagesOf(required)]);
      }
      missing = missingPeers();
    } else if (required.length) {
      const line = `sudo apt-get install -y --no-install-recommends ${packagesOf(missing).join(' ')}`;
      console.error('test-peers: the integration tests need programs that are not installed:');
      for (const p of missing) console.error(`  ${p.program} (Debian package ${p.pkg}): ${p.why}${p.optional ? ' [optional]' : ''}`);
      console.error(`\nInstall them with:\n\n  ${line}\n`);
      process.exit(1);
    }
    for (const p of missing) {
      if (p.optional) console.error(`test-peers: note: ${p.program} (Debian ${p.pkg}) is missing; ${p.why} will skip it`);
      else problems.push(`${p.program} (Debian package ${p.pkg}) is still missing`);
    }
  }
  if (!existsSync(simulator)) problems.push(`${simulator} is missing: run "npm run build" (or "npm install")`);
  if (problems.length) {
    for (const p of problems) console.error(`test-peers: ${p}`);
    process.exit(1);
  }
}

main();
