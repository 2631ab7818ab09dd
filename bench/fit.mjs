#!/usr/bin/env node
// npm run fit (MIT): what fits on each board profile (hosts/boards.json), measured in the 32-bit
// simulator, whose XS slots are the ESP32's 16 bytes: board bytes = slots x 16 + chunk bytes,
// from the heap after a GC (the demo's /status.json). Writes bench/fit.json and the table between
// README.md's <!-- fit --> markers. All traffic to 127.0.0.1; every loop bounded in count and time.
//
// Per profile, the demo firmware (root manifest.json):
//   at rest         the firmware's heap (baseline excluded: on the board it is in flash) of the budget
//   per keep-alive  the growth per idle HTTP keep-alive connection, over a few
//   per WebSocket   the growth per idle WebSocket (lws-mirror-protocol), over a few
//   idle WebSockets how many are open at once: within lwIP's pool (maxConnections as the demo
//                   sets it), and with lwIP's pool lifted and maxConnections raised, until the
//                   heap is full (the simulator stops with "memory full")
//   inflating zip   what one open inflating stream holds (test/fixtures/zip, a 1 MiB text entry)
// Each profile is measured with the smallest stack that runs the demo, from the profile's own up
// in steps of 64 slots (whatever the manifest sets); one larger than the profile's is named.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { processManifest, repositoryRoot, simulatorPath } from '../tools/manifest.mjs';
import { boardConfigOverrides, boardNames, boardProfile, simulatorArgs } from '../tools/boards.mjs';
import { buildZip } from '../tools/zip-ui.mjs';
import { writeReadmeSection } from '../tools/readme-section.mjs';
import { runZipFirmware } from '../test/support/zip-sim.mjs';
import { webText } from '../test/support/corpus.mjs';

const SIM = simulatorPath;
const SLOT_BYTES = 16;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const debug = process.env.FIT_DEBUG ? (...a) => console.error('fit:', ...a) : () => {};
const boardBytes = (slots, chunks) => Math.round(slots * SLOT_BYTES + chunks);

function budgetOf(profile) {
  const c = profile.creation;
  if (c.static) return { bytes: c.static, kind: 'static' };
  if (profile.heapLimit) return { bytes: profile.heapLimit, kind: 'PSRAM' };
  return { bytes: c.heap.initial * SLOT_BYTES + c.chunk.initial, kind: 'fixed' };
}

/** The demo on a profile; extra simulator options after the profile's (a later one wins). */
async function startDemo(board, { overrides = [], extra = [] } = {}) {
  const app = processManifest(join(repositoryRoot, 'manifest.json'), {
    name: `fit-${board}`, overrides: [...boardConfigOverrides(board), 'port=0', ...overrides], warn: () => {},
  });
  const args = ['--map', app.mapPath, '--entry', app.entry, '--resources', app.resourcesDir];
  for (const specifier of app.preload ?? []) args.push('--preload', specifier);
  args.push(...simulatorArgs({ board, manifestCreation: app.creation }), ...extra);
  const child = spawn(SIM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${board}: no start:\n${log}`)); }, 20000);
    const check = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    exited.then(() => { clearTimeout(timer); reject(new Error(`${board}: exited at start:\n${log}`)); });
  });
  return {
    port, child, exited, log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** One request on a new connection: the response's head and body, or an error. */
function request(port, path, { keepOpen = false, timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); resolve({ error: 'timeout' }); }, timeoutMs);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${keepOpen ? '' : 'Connection: close\r\n'}\r\n`));
    socket.on('data', (b) => {
      data = Buffer.concat([data, b]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1] ?? -1);
      if (length >= 0 && data.length >= end + 4 + length) {
        clearTimeout(timer);
        if (!keepOpen) socket.destroy();
        resolve({ status: Number(data.subarray(9, 12).toString()), body: data.subarray(end + 4, end + 4 + length), socket });
      }
    });
    socket.on('error', (e) => { clearTimeout(timer); resolve({ error: e.code ?? e.message }); });
    socket.on('close', () => { clearTimeout(timer); resolve({ error: 'closed' }); });
  });
}

async function status(port) {
  const r = await request(port, '/status.json');
  if (r.status !== 200) throw new Error(`status.json: ${r.error ?? r.status}`);
  return JSON.parse(r.body.toString());
}

function wsOpen(port) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, 'lws-mirror-protocol', { handshakeTimeout: 5000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(null));
    ws.once('unexpected-response', () => resolve(null));
  });
}

const firmwareBytes = (h) => boardBytes(h.slotsUsed - h.slotsBaseline, h.chunksUsed - h.chunksBaseline);

/** The smallest stack (profile's, then +64 at a time) with which the demo answers its pages. */
async function stackThatRuns(board) {
  // from the profile's own stack, whatever the manifest sets: is the board's enough?
  for (let stack = boardProfile(board).creation.stack; stack <= 4096; stack += 64) {
    const extra = ['--stack', String(stack)];
    let sim;
    try {
      sim = await startDemo(board, { extra });
      const pages = await Promise.all(['/', '/status.json', '/demo.js'].map((p) => request(sim.port, p)));
      const ws = await wsOpen(sim.port);
      ws?.close();
      debug(board, 'stack', stack, pages.map((r) => r.status ?? r.error), Boolean(ws));
      if (pages.every((r) => r.status === 200) && ws) return { stack, extra };
    } catch (error) {
      debug(board, 'stack', stack, error.message.slice(0, 300));
      // did not start: try a larger stack
    } finally {
      await sim?.stop();
    }
  }
  throw new Error(`${board}: the demo does not run with any stack up to 4096 slots`);
}

async function perConnection(sim, n, open) {
  // one first: the context makes its shared buffers (header blocks, WebSocket buffers) once
  const warm = await open();
  if (warm) (typeof warm.terminate === 'function' ? warm.terminate() : warm.destroy());
  await sleep(300);
  const before = (await status(sim.port)).heap;
  const held = [];
  for (let i = 0; i < n; i++) held.push(await open());
  await sleep(300);
  const after = (await status(sim.port)).heap;
  for (const h of held) if (h) (typeof h.terminate === 'function' ? h.terminate() : h.destroy());
  if (held.some((h) => !h)) throw new Error('a connection failed to open');
  return boardBytes((after.slotsUsed - before.slotsUsed) / n, (after.chunksUsed - before.chunksUsed) / n);
}

/** Idle WebSockets opened one after another until one fails or the simulator stops; `whileOpen`
    runs before they are closed. */
async function fillWithWebSockets(sim, limit, deadlineMs, whileOpen = async () => {}) {
  const sockets = [];
  const t0 = Date.now();
  let stopped = null;
  sim.exited.then((e) => { stopped = e; });
  while (sockets.length < limit && Date.now() - t0 < deadlineMs && !stopped) {
    const ws = await wsOpen(sim.port);
    if (!ws) break;
    sockets.push(ws);
  }
  await sleep(300);
  const memoryFull = /memory full/.test(sim.log());
  if (!stopped) await whileOpen();
  for (const ws of sockets) ws.terminate();
  return { open: sockets.length, memoryFull, stopped: Boolean(stopped), seconds: (Date.now() - t0) / 1000 };
}

function inflatingStream(board, stackExtra) {
  const big = webText(1 << 20, 7);
  const zip = buildZip([['big.txt', big]]);
  // the fixture loads xsws's modules at run time (the board preloads them): their names would
  // count as run-time keys, so this run leaves the key budget out
  const args = simulatorArgs({ board });
  const keys = args.indexOf('--keys');
  if (keys >= 0) args.splice(keys, 2);
  const [r] = runZipFirmware({ task: 'zip', files: 'big.txt' }, { 'ui.zip': zip },
    { extra: [...args, ...stackExtra], name: `fit-zip-${board}` });
  return { bytes: boardBytes(r.liveSlots, r.liveChunks), slots: r.liveSlots, chunks: r.liveChunks };
}

async function measure(board) {
  const profile = boardProfile(board);
  const row = { board, title: profile.title, budget: budgetOf(profile), lwip: profile.lwip, stack: profile.creation.stack };
  const runs = await stackThatRuns(board);
  if (runs.stack !== profile.creation.stack) row.stackNeeded = runs.stack;
  const sim = await startDemo(board, { extra: runs.extra });
  try {
    const s = await status(sim.port);
    row.maxConnections = s.maxConnections;
    row.atRest = firmwareBytes(s.heap);
    row.perKeepAlive = await perConnection(sim, Math.min(5, s.maxConnections - 1), async () => {
      const r = await request(sim.port, '/demo.css', { keepOpen: true });
      if (r.status !== 200) return null;
      return r.socket;
    });
    row.perWebSocket = await perConnection(sim, Math.min(5, s.maxConnections - 1), () => wsOpen(sim.port));
    await sleep(300);
    // maxConnections less one: the status request is the last connection
    const within = await fillWithWebSockets(sim, s.maxConnections - 1, 20000, async () => {
      const h = (await status(sim.port)).heap;
      // a static or PSRAM budget holds the stack too
      row.heapLeftWithin = row.budget.bytes - firmwareBytes(h) - (row.budget.kind === 'fixed' ? 0 : runs.stack * SLOT_BYTES);
      // a fixed heap has two budgets: slots run out before chunk bytes do
      if (row.budget.kind === 'fixed') row.left = { slots: h.slotsLimit - (h.slotsUsed - h.slotsBaseline), chunks: h.chunksLimit - (h.chunksUsed - h.chunksBaseline) };
    });
    row.wsWithinLwip = within.open;
  } finally {
    await sim.stop();
  }
  // lwIP's pool lifted (a build with a larger CONFIG_LWIP_MAX_ACTIVE_TCP), maxConnections raised
  const big = await startDemo(board, { overrides: ['maxConnections=100000'], extra: [...runs.extra, '--tcp-pcbs', '0'] });
  try {
    const filled = await fillWithWebSockets(big, 20000, 120000);
    row.wsUntilFull = filled.open;
    row.wsUntilFullStopped = filled.memoryFull ? 'memory full' : filled.stopped ? 'stopped' : 'not full';
  } finally {
    await big.stop();
  }
  row.inflating = inflatingStream(board, ['--stack', String(runs.stack)]);	// the zip fixture with the demo's stack
  return row;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function table(rows) {
  const lines = [
    '| profile | XS budget | lwIP pcbs (TCP/listen) | demo at rest | per idle keep-alive | per idle WebSocket | idle connections within lwIP\'s pool (WebSockets + the status request) | idle WebSockets until the heap is full (pool lifted) | an inflating zip stream |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const r of rows) {
    const stack = r.stackNeeded ? ` (the profile's stack of ${r.stack} slots overflows: measured with ${r.stackNeeded}, the smallest that runs the demo)` : '';
    const within = r.wsWithinLwip === r.maxConnections - 1 ? `${r.maxConnections} (maxConnections)` : `${r.wsWithinLwip + 1} of ${r.maxConnections}`;
    const left = r.left ? `${r.left.slots} slots and ${kb(r.left.chunks)} left` : `${kb(r.heapLeftWithin)} left`;
    lines.push(`| ${r.board}${stack} | ${kb(r.budget.bytes)} ${r.budget.kind} | ${r.lwip.tcpPcbs}/${r.lwip.listenPcbs} | ${kb(r.atRest)} | ${r.perKeepAlive} B | ${r.perWebSocket} B | ${within}, ${left} | ${r.wsUntilFull} (${r.wsUntilFullStopped}) | ${r.inflating.bytes} B (+ native window) |`);
  }
  return lines.join('\n');
}

// the figures are board bytes only on the 32-bit build (XS slots of 16 bytes, as on the ESP32)
const version = spawnSync(SIM, ['--version'], { encoding: 'utf8' }).stdout ?? '';
if (!version.includes(`XS slots of ${SLOT_BYTES} bytes`)) {
  console.error(`fit: ${SIM} is not the 32-bit build (${version.trim() || 'no --version'}): run npm run build with gcc-multilib`);
  process.exit(1);
}
const only = process.argv.slice(2);
const rows = [];
for (const board of only.length ? only : boardNames()) {
  const t0 = Date.now();
  process.stderr.write(`fit: ${board} ...`);
  rows.push(await measure(board));
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const out = { date: new Date().toISOString().slice(0, 10), slotBytes: SLOT_BYTES, rows };
// FIT_OUT: somewhere else than bench/fit.json (the test that runs this uses a temporary file)
writeFileSync(process.env.FIT_OUT ?? join(repositoryRoot, 'bench', 'fit.json'), `${JSON.stringify(out, null, 2)}\n`);
const text = table(rows);
console.log(text);
if (!only.length) {
  writeReadmeSection('fit', `${text}\n\n(\`npm run fit\`, ${out.date}, 32-bit simulator: board bytes = slots × 16 + chunk bytes)`);
  console.error('fit: README.md table updated');
}
