// The web UI served out of a zip on XS over HTTP: the same bytes with and without gzip (curl
// --compressed and raw), stored entries, a 4 MiB entry inflated on the board heap, corrupt zips
// and CRC mismatches answered cleanly while the server keeps serving.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { startSim, exchange, get, curl, status, repositoryRoot } from './sim.mjs';
import { buildZip, zipDirectory } from '../../tools/zip-ui.mjs';

const www = join(repositoryRoot, 'apps', 'demo', 'www');
const manifest = join(repositoryRoot, 'test', 'fixtures', 'apps', 'zip', 'manifest.json');

/** 4 MiB of text that looks like a web UI bundle (compresses ~5x). */
function bigText() {
  const words = ['function', 'return', 'const', 'websocket', 'device', 'xsws', 'status', '{', '}', ';', '\n', 'counter', 'mirror'];
  const out = Buffer.alloc(4 * 1024 * 1024);
  let seed = 7;
  for (let i = 0; i < out.length;) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const w = words[seed % words.length] + ' ';
    out.write(w, i, 'latin1');
    i += w.length;
  }
  return out;
}

describe('zip serving on XS over HTTP', function () {
  this.timeout(60000);
  let sim, dir;
  const big = bigText();
  const stored = Buffer.from('stored as it is\n');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xsws-zip-'));
    writeFileSync(join(dir, 'ui.zip'), zipDirectory(www));
    writeFileSync(join(dir, 'big.zip'), buildZip([['big.txt', big], ['stored.txt', stored]], { level: 6 }));
    const good = buildZip([['a.txt', Buffer.from('hello '.repeat(100))]]);
    // corrupt.zip: the end record points the central directory past the end of the file
    const corrupt = Buffer.from(good);
    corrupt.writeUInt32LE(0x7ffffff0, corrupt.length - 6);
    writeFileSync(join(dir, 'corrupt.zip'), corrupt);
    // badcrc.zip: a valid zip whose stored CRC-32 of a.txt is wrong (central directory and local header)
    const bad = Buffer.from(good);
    const cd = bad.readUInt32LE(bad.length - 6);
    bad.writeUInt32LE((bad.readUInt32LE(cd + 16) ^ 0xdeadbeef) >>> 0, cd + 16);
    bad.writeUInt32LE((bad.readUInt32LE(14) ^ 0xdeadbeef) >>> 0, 14);
    writeFileSync(join(dir, 'badcrc.zip'), bad);
    sim = await startSim(['--manifest', manifest, '--resources', dir]);
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of ['index.html', 'demo.js', 'demo.css', 'xsws-common.js', 'error.css']) {
    it(`serves /${file} identically with and without gzip (curl --compressed and raw)`, async () => {
      const want = readFileSync(join(www, file));
      const raw = await curl(['-s', '-D', '-', `http://127.0.0.1:${sim.port}/ui/${file}`]);
      const [head, body] = [raw.stdout.slice(0, raw.stdout.indexOf('\r\n\r\n')), raw.stdout.slice(raw.stdout.indexOf('\r\n\r\n') + 4)];
      assert.match(head, /^HTTP\/1.1 200/);
      assert.doesNotMatch(head, /Content-Encoding/i);
      assert.ok(Buffer.from(body, 'latin1').equals(want), 'raw body');
      const gz = await curl(['-s', '--compressed', '-D', '-', `http://127.0.0.1:${sim.port}/ui/${file}`]);
      const ghead = gz.stdout.slice(0, gz.stdout.indexOf('\r\n\r\n'));
      const gbody = Buffer.from(gz.stdout.slice(gz.stdout.indexOf('\r\n\r\n') + 4), 'latin1');
      assert.ok(gbody.equals(want), 'curl --compressed body');
      if (want.length > 200) {
        assert.match(ghead, /Content-Encoding: gzip/i, 'deflated entries are sent as gzip');
        assert.match(ghead, /Vary: Accept-Encoding/i);
      }
    });
  }

  it('sends the raw deflate stream inside gzip framing: gunzip gives the file, ETags differ per encoding', async () => {
    const r = await exchange(sim.port, get('/ui/demo.js', 'Accept-Encoding: gzip, deflate\r\n'));
    const [res] = r.responses;
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(zlib.gunzipSync(res.body).equals(readFileSync(join(www, 'demo.js'))));
    const plain = (await exchange(sim.port, get('/ui/demo.js'))).responses[0];
    assert.notEqual(res.headers.etag, plain.headers.etag);
    const again = (await exchange(sim.port, get('/ui/demo.js', `Accept-Encoding: gzip\r\nIf-None-Match: ${res.headers.etag}\r\n`))).responses[0];
    assert.equal(again.status, 304);
    const q0 = (await exchange(sim.port, get('/ui/demo.js', 'Accept-Encoding: gzip;q=0, identity\r\n'))).responses[0];
    assert.equal(q0.headers['content-encoding'], undefined, 'gzip;q=0 means no gzip');
  });

  it('serves a stored entry as it is', async () => {
    const r = (await exchange(sim.port, get('/big/stored.txt', 'Accept-Encoding: gzip\r\n'))).responses[0];
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined);
    assert.ok(r.body.equals(stored));
  });

  it('inflates a 4 MiB entry on the board heap with the XS heap bounded', async () => {
    const before = (await status(sim.port)).heap;
    const r = await exchange(sim.port, get('/big/big.txt'), { timeoutMs: 30000 });
    assert.equal(r.responses[0]?.status, 200);
    assert.ok(r.responses[0].body.equals(big), '4 MiB inflated correctly');
    const after = (await status(sim.port)).heap;
    const peak = after.slotsUsed - after.slotsBaseline;
    console.log(`      4 MiB entry inflated in ${r.ms} ms; XS heap after: ${peak} slots, ${after.chunksUsed - after.chunksBaseline} chunk bytes (before: ${before.slotsUsed - before.slotsBaseline} slots, ${before.chunksUsed - before.chunksBaseline})`);
    assert.ok(after.slotsUsed - before.slotsUsed < 64, 'no slots kept');
    assert.ok(after.chunksUsed - before.chunksUsed < 4096, 'no chunks kept');
  });

  it('answers 500 for a corrupt zip, and keeps serving', async () => {
    const r = (await exchange(sim.port, get('/bad/a.txt'))).responses[0];
    assert.equal(r.status, 500);
    await new Promise((res) => setTimeout(res, 100));	// the log line may trail the response
    assert.match(sim.log(), /corrupt\.zip: .*(central directory|end of central directory)/i);
    assert.equal((await exchange(sim.port, get('/ui/index.html'))).responses[0].status, 200);
  });

  it('aborts the connection on a CRC mismatch (no silent wrong body), and keeps serving', async () => {
    const r = await exchange(sim.port, get('/crc/a.txt'), { timeoutMs: 5000 });
    const res = r.responses[0];
    assert.ok(!res || res.body.length < 600, 'the body is not delivered complete');
    assert.ok(r.closed, 'connection closed');
    await new Promise((res) => setTimeout(res, 100));
    assert.match(sim.log(), /a\.txt.*CRC|CRC.*a\.txt/);
    assert.equal((await exchange(sim.port, get('/ui/index.html'))).responses[0].status, 200);
  });

  it('answers 503 (Retry-After) when every inflater is busy', async () => {
    // two readers that never read hold the two inflaters (maxInflaters default 2) in the middle of
    // big.txt: their kernel buffers (not grown, as nothing is read) take far less than its 4 MiB
    const net = await import('node:net');
    const holders = [];
    for (let i = 0; i < 2; i++) {
      const s = net.connect(sim.port, '127.0.0.1');
      s.pause();
      await new Promise((r) => s.on('connect', r));
      s.write(get('/big/big.txt'));
      holders.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    const r = (await exchange(sim.port, get('/big/big.txt'))).responses[0];
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '1');
    for (const s of holders) s.destroy();
    await new Promise((res) => setTimeout(res, 300));
    const ok = await exchange(sim.port, get('/big/big.txt'), { timeoutMs: 30000 });
    assert.equal(ok.responses[0]?.status, 200, 'inflaters come back when their connections close');
  });
});
