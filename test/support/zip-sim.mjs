// Runs the zip fixture firmware (test/fixtures/zip) on the simulator; shared by test/host/zip-xs.test.mjs
// and bench/inflate.mjs (MIT). Node built-ins only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processManifest, repositoryRoot, simulatorPath } from '../../tools/manifest.mjs';
import { creationSizes } from '../../tools/boards.mjs';
import { deflatedZeros } from './corpus.mjs';

export const simulator = simulatorPath;
const fixture = join(repositoryRoot, 'test', 'fixtures', 'zip', 'manifest.json');
export const BOMB_SIZE = 1 << 30;

/**
 * Runs the fixture with config overrides and resource files {name: Buffer}; returns the parsed
 * JSON lines. extra: simulator flags (default the board heap, --fixed).
 */
export function runZipFirmware(overrides, resources, { extra = ['--fixed'], timeout = 120000, name } = {}) {
  const app = processManifest(fixture, { name: name ?? `test-zip-${overrides.task}`, overrides, warn: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'xsws-zip-'));
  try {
    for (const [file, data] of Object.entries(resources)) writeFileSync(join(dir, file), data);
    const sizes = creationSizes(app.creation);
    const args = ['--quiet', '--map', app.mapPath, '--entry', app.entry, '--resources', dir,
      '--slots', String(sizes.heap), '--chunk', String(sizes.chunk), '--stack', String(sizes.stack), ...extra];
    const result = spawnSync(simulator, args, { encoding: 'utf8', timeout, maxBuffer: 1 << 24 });
    assert.equal(result.status, 0, `simulator exit ${result.status} ${result.signal ?? ''}\n${result.stderr}`);
    return result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 1 GiB-of-zeros bomb (about 1 MB deflated), cached in build/ between runs. */
export async function bomb() {
  const dir = join(repositoryRoot, 'build', 'test-cache');
  const path = join(dir, 'zeros-1g.deflate');
  if (existsSync(path)) return readFileSync(path);
  const data = await deflatedZeros(BOMB_SIZE);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, data);
  return data;
}

