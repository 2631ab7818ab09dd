// The soak (issue 10): the demo firmware on the simulator with the board's heap and pools, under a
// bounded random mix of well-behaved and hostile peers, for a set time. It samples the XS heap
// (after GC, from /status.json), the simulator's RSS and its file descriptors, and at the end
// requires the heap within 5% of the baseline taken after a warm-up, the descriptors and
// connections back where they were, RSS within 5%, and every peer's outcome one the protocol
// allows. Used by `npm run soak` (test/soak/run.mjs) and by the 30-second version in `npm test`.
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { startSim, status, parseResponses, get, repositoryRoot, sleep, HOST } from '../integration/sim.mjs';

const { prng } = await import(pathToFileURL(join(repositoryRoot, 'build', 'js', 'test', 'support', 'prng.js')).href);
const { handshake, clientFrame } = await import(pathToFileURL(join(repositoryRoot, 'build', 'js', 'test', 'support', 'ws-client.js')).href);

/** Files of the demo's UI mount and what they answer; the rest of the path space is 404. */
const WWW = readdirSync(join(repositoryRoot, 'apps', 'demo', 'www'));
const PATHS = [['/', 200], ...WWW.map((f) => [`/${f}`, 200]), ['/no-such-file.txt', 404], ['/formtest', 405], ['/status.json', 200]];

/** How long any one peer may take before the soak calls it a hang (the server's timeouts are 5 s). */
const PEER_LIMIT_MS = 12000;
/** Heap, RSS: how far above the baseline the end may be. */
const TOLERANCE = 0.05;
/** After the load stops: how long connections, descriptors and heap have to come back. */
const SETTLE_MS = 30000;

class Outcome extends Error {}
const fail = (msg) => { throw new Outcome(msg); };

/** Every descendant of `pid` whose command is the simulator. */
function simPid(rootPid) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push({ pid: Number(d), comm });
    } catch { /* gone */ }
  }
  const todo = [rootPid];
  while (todo.length) {
    const p = todo.shift();
    for (const c of children.get(p) ?? []) {
      if (c.comm.startsWith('xsws-sim')) return c.pid;
      todo.push(c.pid);
    }
  }
  return 0;
}

function processSample(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0);
  return { rss: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** A raw TCP peer: bytes in, with helpers to wait for responses or the server's close. */
function rawPeer(port) {
  const sock = net.connect(port, HOST);
  const p = { sock, raw: Buffer.alloc(0), closed: false, error: null, waiters: new Set() };
  const wake = () => { for (const w of p.waiters) w(); };
  sock.on('data', (b) => { p.raw = Buffer.concat([p.raw, b]); wake(); });
  sock.on('error', (e) => { p.error = e.code ?? e.message; wake(); });
  sock.on('close', () => { p.closed = true; wake(); });
  p.connected = new Promise((res, rej) => {
    sock.once('connect', res);
    sock.once('error', rej);
  });
  /** Wait until `pred()` holds or the peer closes; resolves pred()'s last value. */
  p.until = (pred, ms = PEER_LIMIT_MS) => new Promise((res) => {
    let t = null;
    const check = () => {
      const v = pred();
      if (v || p.closed) { p.waiters.delete(check); clearTimeout(t); res(v); }
    };
    t = setTimeout(() => { p.waiters.delete(check); res(pred()); }, ms);
    p.waiters.add(check);
    check();
  });
  p.responses = (methods) => { try { return parseResponses(p.raw, methods).responses; } catch (e) { fail(`unparsable response: ${e.message}`); } };
  return p;
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const int = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
function bytes(rnd, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

// --- the peers: each resolves when its exchange ended as the protocol says, or throws an Outcome ---

async function httpKeepAlive({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const n = int(rnd, 1, 6);
  for (let i = 0; i < n; i++) {
    const [path, code] = pick(rnd, PATHS);
    p.sock.write(get(path));
    const ok = await p.until(() => p.responses().length > i);
    if (!ok) fail(`keep-alive: no response ${i + 1}/${n} to ${path} (${p.error ?? (p.closed ? 'closed' : 'timeout')})`);
    const r = p.responses()[i];
    if (r.status !== code) fail(`keep-alive: ${path} answered ${r.status}, not ${code}`);
    if (rnd() < 0.3) await sleep(int(rnd, 1, 200));
  }
  if (rnd() < 0.5) p.sock.end(); else p.sock.destroy();
  if (rnd() < 0.5) await p.until(() => false, 3000);
  p.sock.destroy();
}

async function httpClose({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const [path, code] = pick(rnd, PATHS);
  const head = rnd() < 0.5 ? 'HEAD' : 'GET';
  p.sock.write(`${head} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await p.until(() => false);
  if (!p.closed) fail(`close: the server kept the connection after Connection: close (${path})`);
  const rs = p.responses([head]);
  if (rs.length !== 1 || rs[0].status !== code) fail(`close: ${head} ${path} answered ${rs.map((r) => r.status)} (want ${code})`);
  p.sock.destroy();
}

async function httpPipelined({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const n = int(rnd, 2, 8);
  const want = [];
  let all = '';
  for (let i = 0; i < n; i++) {
    const [path, code] = pick(rnd, PATHS);
    want.push(code);
    all += get(path);
  }
  // in one write, or split anywhere
  const cut = int(rnd, 0, all.length);
  p.sock.write(all.slice(0, cut));
  if (cut < all.length) setTimeout(() => p.sock.write(all.slice(cut)), int(rnd, 0, 50));
  const ok = await p.until(() => p.responses().length >= n);
  if (!ok) fail(`pipelined: ${p.responses().length}/${n} responses (${p.error ?? (p.closed ? 'closed' : 'timeout')})`);
  const got = p.responses().map((r) => r.status);
  if (got.join() !== want.join()) fail(`pipelined: statuses ${got} for ${want}`);
  p.sock.destroy();
}

async function httpPost({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const size = rnd() < 0.15 ? int(rnd, 4200, 9000) : int(rnd, 0, 3800);
  const value = 'v'.repeat(Math.max(0, size - 2));
  const body = size >= 2 ? `k=${value}` : 'k'.slice(0, size);
  const chunked = rnd() < 0.4;
  let msg = `POST /formtest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`;
  if (chunked) {
    msg += 'Transfer-Encoding: chunked\r\n\r\n';
    for (let i = 0; i < body.length;) {
      const n = Math.min(body.length - i, int(rnd, 1, 1500));
      msg += `${n.toString(16)}\r\n${body.slice(i, i + n)}\r\n`;
      i += n;
    }
    msg += '0\r\n\r\n';
  } else msg += `Content-Length: ${body.length}\r\n\r\n${body}`;
  // written in a few pieces, as a peer on a slow link would
  for (let i = 0; i < msg.length;) {
    const n = int(rnd, 1, msg.length);
    p.sock.write(msg.slice(i, i + n));
    i += n;
    if (rnd() < 0.2) await sleep(int(rnd, 1, 30));
  }
  const ok = await p.until(() => p.responses().length >= 1);
  if (!ok) fail(`post: no response to ${body.length} bytes${chunked ? ' chunked' : ''} (${p.error ?? (p.closed ? 'closed' : 'timeout')})`);
  const r = p.responses()[0];
  const want = body.length > 4096 ? 413 : 200;
  if (r.status !== want) fail(`post: ${body.length} bytes${chunked ? ' chunked' : ''} answered ${r.status}, not ${want}`);
  if (want === 200 && size >= 2 && !r.body.toString().includes(value)) fail('post: the form was not echoed whole');
  p.sock.destroy();
}

/** A `ws` client on a mirror instance; resolves once open. */
function wsOpen(port, instance) {
  return new Promise((res, rej) => {
    const w = new WebSocket(`ws://${HOST}:${port}/?mirror=${instance}`, 'lws-mirror-protocol', { perMessageDeflate: false, maxPayload: 1 << 20 });
    const t = setTimeout(() => { w.terminate(); rej(new Outcome('ws: no handshake answer')); }, PEER_LIMIT_MS);
    w.messages = [];
    w.on('message', (data, isBinary) => { w.messages.push({ data: Buffer.from(data), isBinary }); w.emit('soak-msg'); });
    w.once('open', () => { clearTimeout(t); res(w); });
    w.once('error', (e) => { clearTimeout(t); rej(new Outcome(`ws: ${e.message}`)); });
    w.on('close', (code) => { w.closeCode = code; w.emit('soak-msg'); });
  });
}

/** Wait until `w` has `n` messages (or closes, or time runs out). */
function wsReceived(w, n, ms = PEER_LIMIT_MS) {
  return new Promise((res) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); w.off('soak-msg', check); res(w.messages.length >= n); }
    function check() { if (w.messages.length >= n || w.closeCode !== undefined) done(); }
    w.on('soak-msg', check);
    check();
  });
}

function wsClose(w, rnd) {
  return new Promise((res) => {
    if (w.readyState === WebSocket.CLOSED) { res(); return; }
    const t = setTimeout(() => { w.terminate(); res(); }, PEER_LIMIT_MS);
    w.once('close', () => { clearTimeout(t); res(); });
    if (rnd() < 0.8) w.close(1000); else w.terminate();
  });
}

function messages(rnd, n, maxLen) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const binary = rnd() < 0.5;
    const len = int(rnd, 0, maxLen);
    out.push(binary ? { data: bytes(rnd, len), isBinary: true } : { data: Buffer.from(`${i}:`.padEnd(len, 'x')), isBinary: false });
  }
  return out;
}

function sameMessages(got, sent, what) {
  if (got.length !== sent.length) fail(`${what}: ${got.length} of ${sent.length} messages came back`);
  for (let i = 0; i < sent.length; i++) {
    if (got[i].isBinary !== sent[i].isBinary || !got[i].data.equals(sent[i].data)) fail(`${what}: message ${i} came back different`);
  }
}

async function wsEcho(ctx, { count = [1, 20], maxLen = 3000, pauseMs = 0, what = 'ws echo' } = {}) {
  const { port, rnd } = ctx;
  const w = await wsOpen(port, ctx.uniqueName());
  try {
    const sent = messages(rnd, int(rnd, count[0], count[1]), maxLen);
    if (pauseMs) w.pause();
    for (const m of sent) w.send(m.data, { binary: m.isBinary });
    if (pauseMs) { await sleep(pauseMs); w.resume(); }
    if (!await wsReceived(w, sent.length)) fail(`${what}: ${w.messages.length}/${sent.length} back (close ${w.closeCode ?? 'none'})`);
    sameMessages(w.messages, sent, what);
  } finally {
    await wsClose(w, rnd);
  }
}

async function wsMirror(ctx) {
  const { port, rnd } = ctx;
  const name = ctx.uniqueName();
  const a = await wsOpen(port, name);
  let b = null;
  try {
    b = await wsOpen(port, name);
    const sent = messages(rnd, int(rnd, 1, 10), 1000);
    for (const m of sent) a.send(m.data, { binary: m.isBinary });
    if (!await wsReceived(a, sent.length) || !await wsReceived(b, sent.length)) fail(`ws mirror: ${a.messages.length} and ${b.messages.length} of ${sent.length}`);
    sameMessages(a.messages, sent, 'ws mirror (sender)');
    sameMessages(b.messages, sent, 'ws mirror (other)');
  } finally {
    await wsClose(a, rnd);
    if (b) await wsClose(b, rnd);
  }
}

/** A WebSocket peer that goes away mid-frame with a reset, or mid-handshake. */
async function wsReset({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  p.sock.write(handshake(`/?mirror=reset${int(rnd, 0, 3)}`, 'lws-mirror-protocol'));
  if (rnd() < 0.8) {
    const ok = await p.until(() => p.raw.includes('\r\n\r\n'));
    if (!ok || !p.raw.toString('latin1').startsWith('HTTP/1.1 101')) fail(`ws reset: no 101 (${p.raw.toString('latin1').slice(0, 40)})`);
    const frame = clientFrame(pick(rnd, [1, 2, 0]), bytes(rnd, int(rnd, 0, 3000)), rnd() < 0.5);
    p.sock.write(frame.subarray(0, int(rnd, 0, frame.length)));
    await sleep(int(rnd, 0, 100));
  }
  p.sock.resetAndDestroy();
}

async function slowLoris({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const msg = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'s'.repeat(int(rnd, 0, 40))}\r\n\r\n`);
  const gap = int(rnd, 20, 400);
  let i = 0;
  const started = Date.now();
  while (i < msg.length && !p.closed) {
    p.sock.write(msg.subarray(i, i + 1));
    i++;
    await sleep(gap);
  }
  const ok = await p.until(() => p.responses().length >= 1 || p.closed);
  const rs = p.responses();
  // whole in time: 200; too slow: 408 (or a close, if the slot was taken for a newcomer)
  if (i === msg.length && Date.now() - started < 4000 && rs[0]?.status !== 200) fail(`loris: a head sent in ${Date.now() - started} ms answered ${rs[0]?.status ?? 'nothing'}`);
  if (rs.length && ![200, 408].includes(rs[0].status)) fail(`loris: answered ${rs[0].status}`);
  if (!ok) fail('loris: neither answered nor closed');
  p.sock.destroy();
}

async function garbage({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const junk = rnd() < 0.5 ? bytes(rnd, int(rnd, 1, 3000))
    : Buffer.from(`${pick(rnd, ['GET', 'POST', 'G\x00T', 'BREW'])} /${bytes(rnd, int(rnd, 0, 40)).toString('latin1')} HTTP/1.1\r\n${bytes(rnd, int(rnd, 0, 300)).toString('latin1')}\r\n\r\n`);
  p.sock.write(junk);
  if (rnd() < 0.5) p.sock.end();
  await p.until(() => false);
  if (!p.closed) fail(`garbage: the server neither answered nor closed in ${PEER_LIMIT_MS} ms (${junk.length} bytes)`);
  const rs = (() => { try { return parseResponses(p.raw).responses; } catch { return []; } })();
  if (rs.length && rs[0].status < 400 && rs[0].status !== 101) {
    // random bytes can form a valid request; then the answer is an ordinary one
    if (!/^(GET|HEAD) /.test(junk.toString('latin1'))) fail(`garbage: answered ${rs[0].status}`);
  }
  p.sock.destroy();
}

async function halfOpen({ port, rnd }) {
  const p = rawPeer(port);
  await p.connected;
  const whole = get(pick(rnd, PATHS)[0]);
  p.sock.write(whole.slice(0, int(rnd, 0, whole.length - 1)));
  if (rnd() < 0.5) p.sock.end();	// half-closed: the server must not wait for the rest of the head for ever
  else await sleep(int(rnd, 0, 500));
  await p.until(() => false, rnd() < 0.5 ? PEER_LIMIT_MS : int(rnd, 0, 1000));
  if (p.sock.writableEnded && !p.closed) fail('half-open: the server kept a half-closed connection with half a head');
  p.sock.destroy();
}

/** The mix, with weights. */
export const PEERS = [
  ['http keep-alive', 6, httpKeepAlive],
  ['http close', 3, httpClose],
  ['http pipelined', 3, httpPipelined],
  ['http post', 3, httpPost],
  ['ws echo', 4, (c) => wsEcho(c)],
  ['ws mirror', 2, wsMirror],
  ['ws flood', 1, (c) => wsEcho(c, { count: [100, 300], maxLen: 400, what: 'ws flood' })],
  ['ws slow reader', 1, (c) => wsEcho(c, { count: [20, 60], maxLen: 1500, pauseMs: int(c.rnd, 200, 2000), what: 'ws slow reader' })],
  ['ws reset', 2, wsReset],
  ['slow loris', 1, slowLoris],
  ['garbage', 2, garbage],
  ['half-open', 2, halfOpen],
];

function choosePeer(rnd, peers = PEERS) {
  const total = peers.reduce((s, p) => s + p[1], 0);
  let r = rnd() * total;
  for (const p of peers) if ((r -= p[1]) < 0) return p;
  return peers[0];
}

function withLimit(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Outcome(`${what}: hung for ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

/**
 * Run the soak. `seconds` of load (after a warm-up), `workers` peers at a time (the board takes 7
 * connections; a mirror peer holds two and the sampler one). Resolves the report; `ok` is false
 * when anything failed.
 */
export async function soak({ seconds = 30, workers = 4, seed = Date.now() % 2 ** 31, simArgs = [], log = () => {}, sampleEveryMs = 5000, only = null } = {}) {
  const mix = only ? PEERS.filter(([name]) => only.includes(name)) : PEERS;
  if (!mix.length) throw new Error(`soak: no peer named ${only} (peers: ${PEERS.map(([n]) => n).join(', ')})`);
  const sim = await startSim(simArgs);
  const report = { seed, seconds, workers, peers: {}, failures: [], samples: [], baseline: null, end: null, ok: false, log: '' };
  try {
    const pid = simPid(sim.child.pid);
    if (!pid) throw new Error('soak: cannot find the simulator process');
    // each peer draws from a stream of its own, seeded by the run's seed and the peer's number,
    // so a failure names the stream that made it (workers interleave by network timing)
    let runs = 0;
    const peerSeed = (n) => (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
    const chooser = prng(seed);
    // mirror instances are capped at 10: a name is reused once the peer that had it is done
    const live = new Set();

    const run = async ([name, , fn]) => {
      const entry = report.peers[name] ??= { runs: 0, failed: 0 };
      entry.runs++;
      const mine = [];
      const streamSeed = peerSeed(runs++);
      const ctx = {
        port: sim.port,
        rnd: prng(streamSeed),
        uniqueName: () => {
          for (let i = 0; ; i++) if (!live.has(`soak${i}`)) { live.add(`soak${i}`); mine.push(`soak${i}`); return `soak${i}`; }
        },
      };
      let failed = false;
      try {
        await withLimit(fn(ctx), PEER_LIMIT_MS * 3, name);
      } catch (e) {
        failed = true;
        entry.failed++;
        if (report.failures.length < 20) report.failures.push(`${name} (stream ${streamSeed}): ${e instanceof Outcome ? e.message : e.stack ?? e}`);
      } finally {
        // a failed peer's instance may still hold its messages: its name waits until the server
        // has surely closed that connection (timeoutSecs), so no later peer sees them
        if (failed) setTimeout(() => { for (const n of mine) live.delete(n); }, PEER_LIMIT_MS).unref();
        else for (const n of mine) live.delete(n);
      }
    };
    const sample = async (phase) => {
      const s = await status(sim.port);
      const proc = processSample(pid);
      const row = { t: Date.now(), phase, slots: s.heap.slotsUsed, chunks: s.heap.chunksUsed, connections: s.connections, ...proc };
      report.samples.push(row);
      return row;
    };

    // warm-up: every peer once, then the mix at full width for a few seconds, so that what is made
    // once (the shared WebSocket buffers, the zip's directory, XS's grown heap) is in the baseline
    for (const p of mix) await run(p);
    const warmEnd = Date.now() + Math.min(5000, seconds * 200);
    await Promise.all(Array.from({ length: workers }, async () => { while (Date.now() < warmEnd) await run(choosePeer(chooser, mix)); }));
    report.baseline = await settle(sim, pid, null, sample);
    log(`soak: baseline ${fmt(report.baseline)}`);
    for (const k of Object.keys(report.peers)) report.peers[k] = { runs: 0, failed: 0 };
    report.failures.length = 0;

    const end = Date.now() + seconds * 1000;
    let nextSample = Date.now() + sampleEveryMs;
    const sampler = (async () => {
      while (Date.now() < end) {
        await sleep(Math.min(250, Math.max(0, end - Date.now())));
        if (Date.now() >= nextSample && Date.now() < end) {
          nextSample += sampleEveryMs;
          try { log(`soak: ${fmt(await sample('load'))}`); } catch (e) { report.failures.push(`sample: ${e.message}`); }
        }
      }
    })();
    await Promise.all([sampler, ...Array.from({ length: workers }, async () => { while (Date.now() < end) await run(choosePeer(chooser, mix)); })]);

    report.end = await settle(sim, pid, report.baseline, sample);
    log(`soak: end ${fmt(report.end)}`);
    const problems = verdict(report.baseline, report.end, sim.log(), sim.child.exitCode !== null);
    report.failures.push(...problems);
    report.ok = report.failures.length === 0;
  } finally {
    report.log = sim.log();
    await sim.stop();
  }
  return report;
}

/**
 * What is wrong at the end of a soak: heap (slots, chunk bytes) or RSS more than TOLERANCE over the
 * baseline, more descriptors or connections than it, or a simulator that says it ran out of
 * something or exited. An empty list: nothing leaked.
 */
export function verdict(b, e, log, exited) {
  const problems = [];
  const over = (k) => e[k] > b[k] * (1 + TOLERANCE);
  if (over('slots')) problems.push(`XS slots ${b.slots} -> ${e.slots} (over ${TOLERANCE * 100}%)`);
  if (over('chunks')) problems.push(`XS chunk bytes ${b.chunks} -> ${e.chunks} (over ${TOLERANCE * 100}%)`);
  if (over('rss')) problems.push(`RSS ${b.rss} -> ${e.rss} (over ${TOLERANCE * 100}%)`);
  if (e.fds > b.fds) problems.push(`file descriptors ${b.fds} -> ${e.fds}`);
  if (e.connections > b.connections) problems.push(`connections ${b.connections} -> ${e.connections}`);
  const bad = /memory full|stack overflow|not enough keys|unhandled|abort|exception/i.exec(log);
  if (bad) problems.push(`the simulator's log says "${bad[0]}"`);
  if (exited) problems.push('the simulator exited');
  return problems;
}

/** Sample until connections and descriptors are back to `base` (or steady) and the heap is within bounds, for at most SETTLE_MS. */
async function settle(sim, pid, base, sample) {
  const until = Date.now() + SETTLE_MS;
  let last = null;
  let prev = null;
  for (;;) {
    await sleep(500);
    last = await sample('settle');
    const fine = base
      ? last.connections <= base.connections && last.fds <= base.fds && last.slots <= base.slots * (1 + TOLERANCE) && last.chunks <= base.chunks * (1 + TOLERANCE)
      : last.connections <= 1 && prev !== null && last.fds === prev.fds;
    if (fine || Date.now() > until) return last;
    prev = last;
  }
}

export function fmt(s) {
  return `${s.slots} slots, ${s.chunks} chunk bytes, ${s.connections} connection(s), RSS ${(s.rss / 1024).toFixed(0)} KiB, ${s.fds} fds`;
}
