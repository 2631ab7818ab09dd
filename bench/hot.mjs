// Hot byte paths on XS: TypeScript against the native modules (MIT), for bench/run.mjs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { processManifest } from '../tools/manifest.mjs';
import { DESKTOP_HEAP } from '../tools/boards.mjs';
import { root, SIM, round, ratio, anomaly, pinned } from './lib.mjs';

// ---- 3. hot byte paths on XS -----------------------------------------------------------------
export async function benchHot() {
  const result = processManifest(join(root, 'test', 'fixtures', 'bench', 'hotpaths', 'manifest.json'), { name: 'bench-hotpaths', warn: () => {} });
  const args = ['--map', result.mapPath, '--entry', result.entry, '--resources', result.resourcesDir,
    '--slots', String(DESKTOP_HEAP.heap), '--chunk', String(DESKTOP_HEAP.chunk), '--stack', String(DESKTOP_HEAP.stack)];
  const [c, a] = pinned(SIM, args);
  const r = spawnSync(c, a, { cwd: root, encoding: 'utf8', timeout: 60000 });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  if (!lines.some((l) => l.done)) anomaly(`hot paths fixture did not finish (status ${r.status}, ${r.error ?? ''}): ${(r.stderr ?? '').slice(-300)}`);
  for (const l of lines.filter((x) => x.error)) anomaly(`hot paths: ${JSON.stringify(l)}`);
  const get = (test, impl, size, kind) => lines.find((l) => l.test === test && l.impl === impl && l.size === size && l.kind === kind);
  const rows = [];
  for (const [test, kind] of [['xor', undefined], ['utf8', 'ascii'], ['utf8', 'mixed']]) {
    for (const size of [16, 125, 1024, 65536]) {
      const ts = get(test, 'ts', size, kind), nat = get(test, 'native', size, kind);
      if (!ts || !nat) continue;
      const row = {
        what: test === 'xor' ? 'unmask: xorMaskTs vs Logical.xor' : `UTF-8 (${kind}): decodeUtf8Ts vs text/decoder fatal`,
        test, kind, size,
        tsMBps: round(ts.mbps, 1), nativeMBps: round(nat.mbps, 1),
        tsNsPerCall: round(ts.nsPerCall), nativeNsPerCall: round(nat.nsPerCall),
        speedup: ratio(nat.mbps, ts.mbps),
      };
      rows.push(row);
      console.log(`  ${row.what.padEnd(50)} ${String(size).padStart(6)} B  TS ${String(row.tsMBps).padStart(7)} MB/s  native ${String(row.nativeMBps).padStart(7)} MB/s  x${row.speedup}`);
    }
  }
  // The smallest size at which native wins, per test
  const wins = {};
  for (const row of rows) {
    const k = row.kind ? `${row.test}-${row.kind}` : row.test;
    if (!(k in wins)) wins[k] = null;
    if (wins[k] === null && row.speedup > 1) wins[k] = row.size;
  }
  return { rows, nativeWinsFrom: wins };
}
