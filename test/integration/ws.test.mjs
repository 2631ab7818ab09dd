// WebSocket server over real TCP on the XS simulator: the libwebsockets test client as a
// reference peer, npm `ws`, raw frames split at every byte, protocol violations and their close
// codes, big payloads, rx flow control under a flood, and XS heap per idle WebSocket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';
import { startSim, status, sleep, ON_MODDABLE } from './sim.mjs';
import { upgradeRequest, frame, rawWs, until, closeCodeOf } from '../support/raw-ws.mjs';

function wsOpen(port, protocol, path = '/') {
  return new Promise((res, rej) => {
    const w = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocol);
    w.once('open', () => res(w));
    w.once('error', rej);
  });
}

describe('WebSocket server on XS over TCP', function () {
  this.timeout(60000);
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  it('serves libwebsockets-test-client on dumb-increment and mirror, the mirror with permessage-deflate', async function () {
    if (!existsSync('/usr/bin/libwebsockets-test-client')) this.skip();
    const pmd = async () => (await status(sim.port)).roles.ws.permessageDeflate.localhost;
    const before = await pmd();
    // a ws client on the same mirror instance sees the test client's circles
    const watcher = await wsOpen(sim.port, 'lws-mirror-protocol');
    let circles = 0;
    watcher.on('message', (d) => { if (/^c #[0-9a-f]{6} \d+ \d+ \d+;/.test(String(d))) circles++; });
    const child = spawn('libwebsockets-test-client', ['127.0.0.1', `--port=${sim.port}`, '-d', '1039'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => { log += d; if (log.length > 4e6) log = log.slice(-2e6); });
    child.stderr.on('data', (d) => { log += d; if (log.length > 4e6) log = log.slice(-2e6); });
    await sleep(3000);
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
    watcher.close();
    assert.match(log, /dumb: LWS_CALLBACK_CLIENT_ESTABLISHED/);
    assert.match(log, /mirror: LWS_CALLBACK_CLIENT_ESTABLISHED/);
    const counts = [...log.matchAll(/rx \d+ '(\d+)'/g)].map((m) => Number(m[1]));
    assert.ok(counts.length >= 20, `dumb-increment numbers received: ${counts.length}`);
    assert.ok(counts.every((n, i) => i === 0 || n === counts[i - 1] + 1), 'numbers increase by one');
    assert.ok(circles > 100, `mirror passed the test client's messages on (${circles})`);
    // it offers deflate on both: the mirror takes it (its circles come in compressed), the
    // counter's 64-byte rx buffer does not (as in lws, whose client could not inflate there)
    const after = await pmd();
    assert.ok(after.compressedBytesIn - before.compressedBytesIn > 1000, `the test client's messages came in compressed (${after.compressedBytesIn - before.compressedBytesIn} bytes)`);
  });

  it('parses a message sent one byte per TCP segment', async () => {
    const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bytes');
    api.s.setNoDelay(true);
    const bytes = frame(1, 'split at every byte boundary');
    for (const b of bytes) { api.s.write(Buffer.from([b])); await sleep(2); }
    // mirror passes a message on in the pieces it was read in: join the fragments
    assert.ok(await until(api, () => api.frames.some((f) => f.fin && (f.opcode === 1 || f.opcode === 0))));
    const text = api.frames.filter((f) => f.opcode === 1 || f.opcode === 0).map((f) => f.payload.toString()).join('');
    assert.equal(text, 'split at every byte boundary');
    api.s.destroy();
  });

  it('handles fragmented messages with interleaved pings', async () => {
    const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=frag');
    api.s.write(Buffer.concat([frame(1, 'ab', { fin: false }), frame(9, 'p1'), frame(0, 'cd', { fin: false }), frame(9, 'p2'), frame(0, 'ef')]));
    assert.ok(await until(api, () => api.frames.filter((f) => f.opcode === 10).length === 2 && api.frames.some((f) => f.opcode === 0 && f.fin)));
    assert.deepEqual(api.frames.filter((f) => f.opcode === 10).map((f) => f.payload.toString()), ['p1', 'p2']);
    const text = api.frames.filter((f) => f.opcode === 1 || f.opcode === 0).map((f) => f.payload.toString()).join('');
    assert.equal(text, 'abcdef');
    api.s.destroy();
  });

  for (const size of [65535, 65536, 1024 * 1024]) {
    it(`mirrors a ${size}-byte binary message intact`, async () => {
      const w = await wsOpen(sim.port, 'lws-mirror-protocol', `/?mirror=size${size}`);
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31) & 255;
      const got = new Promise((res) => w.once('message', (d) => res(d)));
      w.send(payload);
      const d = await got;
      assert.equal(d.length, size);
      assert.ok(Buffer.from(d).equals(payload));
      w.close();
    });
  }

  const violations = [
    ['reserved bits', frame(1, 'x', { rsv: 4 }), 1002],
    ['reserved opcode', frame(3, 'x'), 1002],
    ['an unmasked frame', frame(1, 'x', { mask: false }), 1002],
    ['a fragmented ping', frame(9, 'x', { fin: false }), 1002],
    ['a 126-byte ping', frame(9, Buffer.alloc(126)), 1002],
    ['a stray continuation', frame(0, 'x'), 1002],
    ['invalid UTF-8', frame(1, Buffer.from([0x61, 0xff])), 1007],
    ['UTF-8 split badly across fragments', Buffer.concat([frame(1, Buffer.from([0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0x41]))]), 1007],
    ['an invalid close code', frame(8, Buffer.from([0x03, 0xed])), 1002],
  ];
  for (const [name, bytes, code] of violations) {
    it(`closes with ${code} on ${name} and keeps serving others`, async () => {
      const other = await wsOpen(sim.port, 'dumb-increment-protocol');
      const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bad');
      api.s.write(bytes);
      assert.ok(await until(api, () => closeCodeOf(api) !== 0), 'server sends a close frame');
      assert.equal(closeCodeOf(api), code);
      const n = await new Promise((res) => other.once('message', (d) => res(Number(String(d)))));
      assert.ok(n >= 0, 'the other connection still gets data');
      other.close();
    });
  }

  it('after failing a connection the server closes TCP first, as soon as the client answers its close (RFC 6455 7.1.1; Autobahn behaviorClose)', async () => {
    for (const [name, bytes] of [['invalid UTF-8', frame(1, Buffer.from([0x61, 0xff]))], ['reserved opcode', frame(3, Buffer.from('x'))]]) {
      const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=closing');
      const ended = new Promise((res) => api.s.once('end', () => res(Date.now())));
      api.s.write(bytes);
      assert.ok(await until(api, () => closeCodeOf(api) !== 0), `${name}: server sends a close frame`);
      const answered = Date.now();
      api.s.write(frame(8, Buffer.from([0x03, 0xea])));
      const at = await Promise.race([ended, sleep(1500).then(() => 0)]);
      api.s.destroy();
      // the server's own wait for an answer is CLOSE_ACK_MS (2 s): an end before it means the answer closed it
      assert.ok(at > 0, `${name}: the server did not close TCP within 1.5 s of the close answer (at ${answered})`);
    }
  });

  it('closes with 1009 above maxWsMessageSize', async () => {
    const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=big');
    const head = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4]);	// 2 MiB announced
    api.s.write(head);
    assert.ok(await until(api, () => closeCodeOf(api) !== 0));
    assert.equal(closeCodeOf(api), 1009);
    api.s.destroy();
  });

  it('answers dumb-increment "closeme" with 1001 "seeya"', async () => {
    const w = await wsOpen(sim.port, 'dumb-increment-protocol');
    const closed = new Promise((res) => w.once('close', (c, r) => res([c, String(r)])));
    w.send('closeme\n');
    assert.deepEqual(await closed, [1001, 'seeya']);
  });

  it('keeps the heap bounded while a mirror peer floods and another has stalled', async function () {
    // the simulator's heap figures; and Moddable's Linux tcp.c drops the unwritten tail of a
    // partial write() (it ignores write()'s count), so a stalled reader looks like a taker there
    if (ON_MODDABLE) this.skip();
    const before = (await status(sim.port)).heap;
    // The stalled client never reads, with a tiny receive window (python3 can set SO_RCVBUF
    // before connecting; Node can't): the server's writes to it back up, the ring fills, and
    // senders are flow-controlled.
    const py = [
      'import socket, sys, time',
      's = socket.socket()',
      's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)',
      `s.connect(("127.0.0.1", ${sim.port}))`,
      `s.sendall(${JSON.stringify(upgradeRequest('lws-mirror-protocol', '/?mirror=flood'))}.encode())`,
      'time.sleep(0.3)',
      'print("up", flush=True)',
      'while True:',
      '    time.sleep(0.2)',
      '    try:',
      '        s.send(b"")',
      '        if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"": break',
      '    except BlockingIOError: pass',
      '    except OSError: break',
      'print("closed", flush=True)',
    ].join('\n');
    const stalledProc = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stalledOut = '';
    stalledProc.stdout.on('data', (d) => { stalledOut += d; });
    for (let i = 0; i < 50 && !/up/.test(stalledOut); i++) await sleep(50);
    const flooder = await wsOpen(sim.port, 'lws-mirror-protocol', '/?mirror=flood');
    const msg = 'c #123456 100 100 10;'.repeat(40);
    let sent = 0;
    const started = Date.now();
    let peakSlots = 0, peakChunks = 0;
    while (Date.now() - started < 3000 && sent < 200000) {
      if (flooder.bufferedAmount < 1 << 20) { flooder.send(msg); sent++; }
      else await sleep(20);
      if (sent % 2000 === 0) {
        const h = (await status(sim.port)).heap;
        peakSlots = Math.max(peakSlots, h.slotsUsed - h.slotsBaseline);
        peakChunks = Math.max(peakChunks, h.chunksUsed - h.chunksBaseline);
      }
    }
    assert.ok(flooder.bufferedAmount > 0, 'the flooder is pushed back (its data waits on its side)');
    const h = (await status(sim.port)).heap;
    peakSlots = Math.max(peakSlots, h.slotsUsed - h.slotsBaseline);
    peakChunks = Math.max(peakChunks, h.chunksUsed - h.chunksBaseline);
    console.log(`      flood: ${sent} messages offered; XS heap peak ${peakSlots} slots, ${peakChunks} chunk bytes (before: ${before.slotsUsed - before.slotsBaseline} slots, ${before.chunksUsed - before.chunksBaseline} bytes)`);
    assert.ok(peakSlots < 4928 && peakChunks < 78848, 'within the board budget');
    // the stalled client is closed after the stall limit, and the flooder flows again
    // closed once it has held the ring full for STALL_MS (5 s): the server's connection count drops
    // (the host may still try to deliver its queued bytes for a while, so watch the server, not the peer)
    const withBoth = (await status(sim.port)).connections;
    const t0 = Date.now();
    let now = withBoth;
    while (now >= withBoth && Date.now() - t0 < 12000) { await sleep(250); now = (await status(sim.port)).connections; }
    stalledProc.kill();
    assert.ok(now < withBoth, `stalled mirror client closed (connections ${withBoth} -> ${now})`);
    flooder.terminate();
  });

  it('keeps XS heap per idle WebSocket connection under 1 KB (board bytes on the 32-bit simulator)', async function () {
    if (ON_MODDABLE) this.skip();	// the simulator's heap figures (Moddable's Linux runtime reports none)
    const N = 5;
    // what a vhost makes once (its permessage-deflate pool, ws offers the extension) is not per connection
    const warm = await wsOpen(sim.port, 'lws-mirror-protocol', '/?mirror=idle');
    warm.send('x'.repeat(500));
    await new Promise((r) => warm.once('message', r));
    warm.close();
    await sleep(200);
    const before = (await status(sim.port)).heap;
    const socks = [];
    for (let i = 0; i < N; i++) socks.push(await wsOpen(sim.port, 'lws-mirror-protocol', '/?mirror=idle'));
    await sleep(200);
    const after = (await status(sim.port)).heap;
    const slots = (after.slotsUsed - before.slotsUsed) / N;
    const chunks = (after.chunksUsed - before.chunksUsed) / N;
    const bytes = slots * 16 + chunks;
    console.log(`      idle WebSocket: ${slots.toFixed(1)} slots + ${chunks.toFixed(0)} chunk bytes per connection = ${bytes.toFixed(0)} board bytes`);
    for (const s of socks) s.close();
    assert.ok(bytes < 1024, `${bytes} bytes per idle WebSocket`);
  });
});
