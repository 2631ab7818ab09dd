// permessage-deflate (RFC 7692) on the XS simulator over real TCP: npm `ws` with perMessageDeflate
// in every combination of the parameters it offers, both directions byte for byte (the
// libwebsockets test client, which offers deflate, is in ws.test.mjs); and the failures: a message
// inflating to 1 GiB (1009, heap bounded), corrupt deflate data (1007), RSV1 without the
// extension or on a continuation (1002). XS heap per idle compressed WebSocket is asserted.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { startSim, status, sleep, ON_MODDABLE, TIME_SCALE } from './sim.mjs';
import { frame, rawWs, until, closeCodeOf } from '../support/raw-ws.mjs';

/** Bytes in a pattern that compresses (text) or one that does not (binary). */
function payload(n, binary, seed) {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    if (binary) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
    else b[i] = 97 + ((i * 7 + (i >> 6) + seed) % 26);
  }
  return b;
}

function open(port, path, perMessageDeflate) {
  return new Promise((res, rej) => {
    const w = new WebSocket(`ws://127.0.0.1:${port}${path}`, 'lws-mirror-protocol', { perMessageDeflate, maxPayload: 2 * 1024 * 1024 });
    let ext = '';
    w.once('upgrade', (r) => { ext = r.headers['sec-websocket-extensions'] ?? ''; });
    w.once('open', () => res({ w, ext }));
    w.once('error', rej);
  });
}

/** Send each message (whole, or in `pieces` fragments) and wait for the mirror's copy of it. */
async function exchange(w, messages) {
  const got = [];
  w.on('message', (d, isBinary) => got.push({ d: Buffer.from(d), isBinary }));
  for (const m of messages) {
    const want = got.length + 1;
    if (m.pieces > 1) {
      const step = Math.ceil(m.data.length / m.pieces);
      for (let i = 0; i < m.pieces; i++) w.send(m.data.subarray(i * step, (i + 1) * step), { binary: m.binary, fin: i === m.pieces - 1 });
    } else w.send(m.data, { binary: m.binary });
    const t0 = Date.now();
    while (got.length < want && Date.now() - t0 < 20000) await sleep(5);
    assert.equal(got.length, want, `the mirror's copy of ${m.data.length} bytes came back`);
    const back = got[want - 1];
    assert.equal(back.isBinary, m.binary);
    assert.ok(back.d.equals(m.data), `${m.data.length} ${m.binary ? 'binary' : 'text'} bytes (in ${m.pieces} pieces) came back byte for byte`);
  }
}

const pmdStats = async (port) => (await status(port)).roles.ws.permessageDeflate.localhost;

describe('permessage-deflate on XS over TCP', function () {
  this.timeout(120000 * TIME_SCALE);
  let sim;
  before(async () => { sim = await startSim(); });
  after(async () => { await sim?.stop(); });

  // ws offers the four parameters: each of its choices, each combination
  const combos = [];
  for (const serverNoContextTakeover of [false, true])
    for (const clientNoContextTakeover of [false, true])
      for (const serverMaxWindowBits of [undefined, 9, 15])
        for (const clientMaxWindowBits of [undefined, true, 11])
          combos.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits });

  it(`ws with each of ${combos.length} parameter combinations: 0 B, 1 B, 125 B, 64 KiB, 1 MiB text and binary, whole and fragmented, both ways`, async function () {
    const before = await pmdStats(sim.port);
    let n = 0;
    for (const c of combos) {
      const opts = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined && v !== false));
      const { w, ext } = await open(sim.port, `/?mirror=combo${n++}`, { ...opts, threshold: 0 });
      assert.match(ext, /^permessage-deflate/, `negotiated for ${JSON.stringify(opts)}`);
      if (c.serverMaxWindowBits === 9) assert.match(ext, /server_max_window_bits=9/);
      if (c.clientMaxWindowBits === 11) assert.match(ext, /client_max_window_bits=10/);
      const messages = [];
      // Moddable's mcsim polls its sockets every 20 ms: 1 MiB in every sixth combination there
      for (const size of ON_MODDABLE && n % 6 !== 1 ? [0, 1, 125, 65536] : [0, 1, 125, 65536, 1 << 20])
        for (const binary of [false, true])
          for (const pieces of size >= 125 ? [1, 3] : [1]) messages.push({ data: payload(size, binary, n), binary, pieces });
      await exchange(w, messages);
      w.close();
    }
    const after = await pmdStats(sim.port);
    assert.ok(after.compressedBytesIn > before.compressedBytesIn, 'compressed messages came in');
    assert.ok(after.framesCompressedOut > before.framesCompressedOut, 'the mirror sent compressed frames');
    assert.equal(after.inflatersOut, 0, 'no inflater is held between messages');
    // the pools' native memory whatever was offered: 2 inflaters of at most 15 bits (43,792 bytes
    // each on the board's 32-bit build) and 2 deflaters of at most 10 bits (8,276)
    if (!ON_MODDABLE) assert.ok(after.nativeBytes <= 2 * 43792 + 2 * 8276, `${after.nativeBytes} native bytes in the pools`);
  });

  it('with context takeover and full windows allowed on the vhost: each connection keeps its windows, and the pool bounds them', async function () {
    const other = await startSim(['permessageDeflate.serverNoContextTakeover=false', 'permessageDeflate.clientNoContextTakeover=false',
      'permessageDeflate.serverMaxWindowBits=15', 'permessageDeflate.clientMaxWindowBits=15', 'permessageDeflate.threshold=100']);
    try {
      const a = await open(other.port, '/?mirror=keep', {});
      assert.equal(a.ext, 'permessage-deflate');
      const messages = [];
      for (let i = 0; i < 4; i++) messages.push({ data: payload(20000, false, 1), binary: false, pieces: 1 }, { data: payload(1 << 20, i & 1, i), binary: !!(i & 1), pieces: 1 + i });
      await exchange(a.w, messages);
      const st = (await status(other.port)).roles.ws.permessageDeflate.localhost;
      assert.equal(st.inflatersOut, 1);
      assert.equal(st.deflatersOut, 1);
      // what README and the options table say a 15-bit inflater and deflater take (32-bit, as the board)
      if (!ON_MODDABLE) assert.equal(st.nativeBytes, 43792 + 166996);	// Moddable's lin is 64-bit
      // the pool holds two of each (maxInflaters, maxDeflaters), and one stays for connections
      // without takeover: the second connection is told no takeover, and works
      const b = await open(other.port, '/?mirror=keep', {});
      assert.equal(b.ext, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover');
      await exchange(b.w, [{ data: payload(70000, false, 3), binary: false, pieces: 2 }]);
      await exchange(a.w, [{ data: payload(70000, true, 4), binary: true, pieces: 1 }]);
      for (const x of [a, b]) x.w.close();
      // with a threshold, a shorter message goes plain (RSV1 clear); an empty compressed message
      // (no payload at all) leaves a kept inflater ready for the next
      await sleep(200);
      const raw = await rawWs(other.port, 'lws-mirror-protocol', '/?mirror=thr', 'permessage-deflate');
      assert.match(raw.head, /Sec-WebSocket-Extensions: permessage-deflate(\r\n|$)/, 'context takeover both ways');
      const z = zlib.createDeflateRaw();
      const flushed = (data) => new Promise((r) => { const parts = []; const on = (d) => parts.push(d); z.on('data', on); z.write(data); z.flush(zlib.constants.Z_SYNC_FLUSH, () => { z.off('data', on); const b = Buffer.concat(parts); r(b.subarray(0, b.length - 4)); }); });
      raw.s.write(frame(1, 'short'));
      raw.s.write(frame(1, Buffer.alloc(0), { rsv: 4 }));
      raw.s.write(frame(1, await flushed(payload(300, false, 1)), { rsv: 4 }));
      raw.s.write(frame(1, await flushed(payload(300, false, 1)), { rsv: 4 }));	// from the kept window: mostly one match
      assert.ok(await until(raw, () => raw.frames.filter((f) => f.opcode === 1).length >= 4));
      const texts = raw.frames.filter((f) => f.opcode === 1);
      assert.deepEqual(texts.map((f) => f.rsv), [0, 0, 4, 4]);
      assert.equal(texts[1].payload.length, 0);
      assert.equal(closeCodeOf(raw), 0, 'no close');
      raw.s.destroy();
      await sleep(300);
      const end = (await status(other.port)).roles.ws.permessageDeflate.localhost;
      assert.equal(end.inflatersOut, 0);
      assert.equal(end.deflatersOut, 0);
    } finally {
      await other.stop();
    }
  });

  it('compressed frames from the server carry RSV1 on the first frame only; by default even a short message is compressed (threshold 0)', async () => {
    const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=raw', 'permessage-deflate; client_max_window_bits');
    assert.match(api.head, /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10(\r\n|$)/);
    const text = payload(3000, false, 1);
    const compressed = zlib.deflateRawSync(text, { windowBits: 10 });
    api.s.write(frame(1, compressed, { rsv: 4 }));
    api.s.write(frame(1, 'short', {}));
    assert.ok(await until(api, () => api.frames.filter((f) => f.fin && f.opcode !== 9).length >= 2));
    // the mirror passes the 3,000 bytes on in its pieces: one message, RSV1 on its first frame
    const data = api.frames.filter((f) => f.opcode <= 2);
    const first = data.findIndex((f) => f.opcode === 1);
    assert.equal(data[first].rsv, 4);
    const msg = [];
    for (let i = first; ; i++) { msg.push(data[i]); if (data[i].fin) break; }
    assert.ok(msg.slice(1).every((f) => f.opcode === 0 && f.rsv === 0), 'continuations have RSV1 clear');
    const inflated = zlib.inflateRawSync(Buffer.concat([...msg.map((f) => f.payload), Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.ok(inflated.equals(text));
    const short = data.slice(first + msg.length).find((f) => f.opcode === 1);
    assert.equal(short.rsv, 4);
    assert.equal(zlib.inflateRawSync(Buffer.concat([short.payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString(), 'short');
    api.s.destroy();
  });

  it('a message inflating to 1 GiB closes with 1009 at maxWsMessageSize, quickly and with the heap bounded', async function () {
    const before = (await status(sim.port)).heap;
    // 1 GiB of zeros, deflated as it goes (about 1 MB): never held inflated here either
    const z = zlib.createDeflateRaw({ level: 9 });
    const parts = [];
    z.on('data', (d) => parts.push(d));
    const zero = Buffer.alloc(1 << 20);
    for (let i = 0; i < 1024; i++) if (!z.write(zero)) await new Promise((r) => z.once('drain', r));
    await new Promise((r) => z.end(r));
    const bomb = Buffer.concat(parts);
    const api = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bomb', 'permessage-deflate');
    const t0 = Date.now();
    api.s.write(frame(2, bomb, { rsv: 4 }));
    assert.ok(await until(api, () => api.frames.some((f) => f.opcode === 8), 10000), 'a close frame came');
    assert.equal(closeCodeOf(api), 1009);
    assert.match(api.frames.find((f) => f.opcode === 8).payload.subarray(2).toString(), /inflates past maxWsMessageSize/);
    const ms = Date.now() - t0;
    api.s.destroy();
    await sleep(300);
    const after = (await status(sim.port)).heap;
    if (!ON_MODDABLE) assert.ok(after.chunksUsed - before.chunksUsed < 64 * 1024, `chunk bytes grew ${after.chunksUsed - before.chunksUsed}`);
    console.log(`      ${bomb.length} compressed bytes (1 GiB inflated) closed with 1009 after ${ms} ms`);
  });

  it('corrupt deflate data closes with 1007; RSV1 without the extension or on a continuation closes with 1002', async () => {
    const corrupt = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bad', 'permessage-deflate');
    corrupt.s.write(frame(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]), { rsv: 4 }));
    assert.ok(await until(corrupt, () => corrupt.frames.some((f) => f.opcode === 8)));
    assert.equal(closeCodeOf(corrupt), 1007);
    corrupt.s.destroy();

    const plain = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bad');
    assert.doesNotMatch(plain.head, /Sec-WebSocket-Extensions/);
    plain.s.write(frame(1, zlib.deflateRawSync('hello'), { rsv: 4 }));
    assert.ok(await until(plain, () => plain.frames.some((f) => f.opcode === 8)));
    assert.equal(closeCodeOf(plain), 1002);
    plain.s.destroy();

    const cont = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bad', 'permessage-deflate');
    const d = zlib.deflateRawSync('hello hello', { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    cont.s.write(Buffer.concat([frame(1, d.subarray(0, 4), { rsv: 4, fin: false }), frame(0, d.subarray(4, d.length - 4), { rsv: 4 })]));
    assert.ok(await until(cont, () => cont.frames.some((f) => f.opcode === 8)));
    assert.equal(closeCodeOf(cont), 1002);
    cont.s.destroy();

    // and RSV1 on a control frame
    const ctl = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=bad', 'permessage-deflate');
    ctl.s.write(frame(9, 'p', { rsv: 4 }));
    assert.ok(await until(ctl, () => ctl.frames.some((f) => f.opcode === 8)));
    assert.equal(closeCodeOf(ctl), 1002);
    ctl.s.destroy();
  });

  it('a malformed offer is declined (the connection goes on uncompressed), a good one after it is taken', async () => {
    const bad = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=offer', 'permessage-deflate; server_max_window_bits=7');
    assert.doesNotMatch(bad.head, /Sec-WebSocket-Extensions/);
    bad.s.destroy();
    const next = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=offer', 'permessage-deflate; foo, permessage-deflate; server_max_window_bits=12');
    assert.match(next.head, /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10(\r\n|$)/);
    next.s.destroy();
    // a long header is read deep in the call chain on the board's 512-slot stack (bytes become
    // arguments of String.fromCharCode there): 1,400 bytes of offers, the good one last
    const long = await rawWs(sim.port, 'lws-mirror-protocol', '/?mirror=offer', `${'permessage-deflate; x-unknown=1, '.repeat(44)}permessage-deflate`);
    assert.match(long.head, /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover(\r\n|$)/);
    long.s.destroy();
  });

  it('XS heap per idle compressed WebSocket stays under 1 KB (board bytes), and holds no window', async function () {
    if (ON_MODDABLE) this.skip();
    const measure = async (perMessageDeflate) => {
      const N = 5;
      const warm = await open(sim.port, '/?mirror=idle', perMessageDeflate);
      warm.w.send('x'.repeat(500));
      await new Promise((r) => warm.w.once('message', r));
      warm.w.close();
      await sleep(200);
      const before = (await status(sim.port)).heap;
      const socks = [];
      for (let i = 0; i < N; i++) socks.push((await open(sim.port, '/?mirror=idle', perMessageDeflate)).w);
      await sleep(200);
      const st = await status(sim.port);
      for (const s of socks) s.close();
      await sleep(100);
      return { bytes: ((st.heap.slotsUsed - before.slotsUsed) * 16 + (st.heap.chunksUsed - before.chunksUsed)) / N, pool: st.roles.ws.permessageDeflate.localhost };
    };
    const plain = await measure(false);
    const compressed = await measure({});
    console.log(`      idle WebSocket: ${plain.bytes.toFixed(0)} board bytes; with permessage-deflate ${compressed.bytes.toFixed(0)}`);
    assert.ok(compressed.bytes < 1024, `${compressed.bytes} bytes per idle compressed WebSocket`);
    assert.ok(compressed.bytes - plain.bytes < 200, `the extension costs ${compressed.bytes - plain.bytes} bytes per idle connection`);
    assert.equal(compressed.pool.inflatersOut, 0);
    assert.equal(compressed.pool.deflatersOut, 0);
  });
});
