// The 30-second soak in `npm test` (the long one: npm run soak -- --minutes N).
import assert from 'node:assert/strict';
import { soak, verdict, fmt } from './soak.mjs';
import { ON_MODDABLE } from '../integration/sim.mjs';

describe('soak', function () {
  it('verdict: flags a heap or RSS over 5%, a descriptor or connection more, and a simulator that ran out', function () {
    const b = { slots: 10000, chunks: 50000, rss: 4 << 20, fds: 7, connections: 1 };
    assert.deepEqual(verdict(b, { ...b, slots: 10500, chunks: 52500 }, '', false), []);
    assert.match(verdict(b, { ...b, slots: 10501 }, '', false).join(), /XS slots 10000 -> 10501/);
    assert.match(verdict(b, { ...b, chunks: 52501 }, '', false).join(), /chunk bytes/);
    assert.match(verdict(b, { ...b, rss: b.rss * 1.06 }, '', false).join(), /RSS/);
    assert.match(verdict(b, { ...b, fds: 8 }, '', false).join(), /file descriptors 7 -> 8/);
    assert.match(verdict(b, { ...b, connections: 2 }, '', false).join(), /connections 1 -> 2/);
    assert.match(verdict(b, b, 'memory full\n', false).join(), /memory full/);
    assert.match(verdict(b, b, '', true).join(), /exited/);
  });

  it('30 s of the mix on the board heap: every peer answered as the protocol says; heap, RSS and descriptors back to baseline', async function () {
    if (ON_MODDABLE) this.skip();	// it reads the simulator's /proc entries
    this.timeout(180000);
    const r = await soak({ seconds: 30 });
    const total = Object.values(r.peers).reduce((s, p) => s + p.runs, 0);
    assert.ok(r.ok, `seed ${r.seed}:\n  ${r.failures.join('\n  ')}`);
    for (const [name, p] of Object.entries(r.peers)) assert.ok(p.runs > 0 || name === 'slow loris' || name === 'ws flood', `no ${name} peer ran`);
    this.test.title += ` [${total} peers, seed ${r.seed}; baseline ${fmt(r.baseline)}; end ${fmt(r.end)}]`;
  });
});
