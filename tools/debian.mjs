// Debian packages the project needs (MIT), for tools/setup.mjs and tools/test-peers.mjs. Node
// built-ins only. Run as root (CI, a fresh container): `apt-get update` and `apt-get install`.
// Otherwise: the exact `sudo apt-get install ...` line to run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function installLine(packages) {
  return `sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function apt(who, args) {
  console.error(`${who}: apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) throw new Error(`apt-get: ${r.error.message}`);
  return r.status === 0;
}

/** apt-get update, then install; true when the install succeeded. Root only. */
export function aptInstall(who, packages, { update = true } = {}) {
  if (update && !apt(who, ['update'])) console.error(`${who}: apt-get update failed`);
  return apt(who, ['install', '-y', '--no-install-recommends', ...packages]);
}

/** Debian's gcc-multilib: the C compiler can build and link a 32-bit (-m32) program. */
export function canBuild32() {
  const dir = mkdtempSync(join(tmpdir(), 'xsws-m32-'));
  try {
    writeFileSync(join(dir, 'probe.c'), '#include <stdio.h>\n#include <math.h>\nint main(void) { printf("%d\\n", (int)sizeof(void*)); return (int)sqrt(0.0); }\n');
    const r = spawnSync('cc', ['-m32', join(dir, 'probe.c'), '-lm', '-lpthread', '-o', join(dir, 'probe')], { stdio: 'ignore' });
    return r.status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ensure the 32-bit toolchain: installs gcc-multilib as root when `install`; false when it is still missing. */
export function ensureBuild32(who, { install = true } = {}) {
  if (canBuild32()) return true;
  if (isRoot && install) {
    aptInstall(who, ['gcc-multilib']);
    return canBuild32();
  }
  return false;
}
