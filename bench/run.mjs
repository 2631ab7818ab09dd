#!/usr/bin/env node
// xsws benchmarks (`npm run bench`): xsws on XS (the Linux simulator) side by side with
// libwebsockets-test-server (lws 4.1.6, C) and Node 20 (`http`, npm `ws`). Prints a table and
// writes bench/results.json. Timings never fail anything: the exit status is 0 unless the
// harness itself breaks. All traffic goes to 127.0.0.1; every load is bounded in time.
//
//   node bench/run.mjs [http] [ws] [hot] [mem] [inflate]   (default: all sections)
//   env BENCH_SECONDS=5 (wrk duration), BENCH_IDLE=1000 (idle WebSockets for the memory figure)
//
// Pinning: with 2+ cores, the load (this process, wrk, the `ws` client) runs on core 1 and the
// servers on core 0 (`taskset -c 0`), so a server gets one whole core; for the single-connection
// WebSocket round trips the server shares core 1 with the client (as the peers' figures were taken).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { processManifest } from '../tools/manifest.mjs';
import { DESKTOP_HEAP, simulatorArgs } from '../tools/boards.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const HOST = '127.0.0.1';
const SIM = join(root, 'build', 'lin', 'xsws-sim');
const LWS = 'libwebsockets-test-server';
const LWS_DIR = '/usr/share/libwebsockets-test-server';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IDLE = Number(process.env.BENCH_IDLE ?? 1000);
const sections = new Set(process.argv.slice(2));
const want = (s) => sections.size === 0 || sections.has(s);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 0) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
const notes = [];
const anomalies = [];
function anomaly(text) {
  anomalies.push(text);
  console.log(`  ! ${text}`);
}

// ---- pinning ---------------------------------------------------------------------------------
function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
const PIN = os.cpus().length >= 2 && hasCommand('taskset');
if (PIN) {
  try {
    execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
    notes.push('servers pinned to core 0 (taskset -c 0); load (wrk, ws client, this process) on core 1');
  } catch {
    notes.push('taskset failed: not pinned');
  }
} else notes.push(`not pinned (${os.cpus().length} core(s) or no taskset)`);
const pinned = (cmd, args, core = 0) => (PIN ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

// ---- processes -------------------------------------------------------------------------------
function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitConnectable(port, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((res) => {
      const c = net.connect(port, HOST);
      c.on('connect', () => { c.destroy(); res(true); });
      c.on('error', () => res(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`port ${port} not accepting connections after ${ms} ms`);
}

/** Spawn `cmd args` (pinned), wait for `ready` in its output (a regex whose group 1 is the port) or for `port`. */
async function startProcess(name, cmd, args, { ready, port, core = 0 } = {}) {
  const [c, a] = pinned(cmd, args, core);
  const child = spawn(c, a, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exitInfo = null;
  const exited = new Promise((res) => child.on('exit', (code, signal) => { exitInfo = { code, signal }; res(exitInfo); }));
  const onData = (b) => {
    log += b.toString();
    if (log.length > 1 << 20) log = log.slice(-(1 << 19));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const server = {
    name, pid: child.pid, port, exited,
    log: () => log,
    crashed: () => exitInfo,
    async stop() {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
  try {
    if (ready) {
      server.port = await new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${name} did not start:\n${log}`)), 20000);
        const check = () => {
          const m = ready.exec(log);
          if (m) { clearTimeout(timer); res(Number(m[1])); }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        exited.then(() => { clearTimeout(timer); rej(new Error(`${name} exited before listening:\n${log}`)); });
      });
    } else await waitConnectable(port);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** xsws demo firmware run directly on build/lin/xsws-sim (as tools/xsws.mjs does), so the pid is the simulator's. */
function startXsws(label, { desktop = true, overrides = [], manifest = join(root, 'manifest.json'), core = 0 } = {}) {
  const result = processManifest(manifest, { overrides: ['port=0', ...overrides], name: `bench-${label}`, warn: () => {} });
  const args = ['--map', result.mapPath, '--entry', result.entry, '--resources', result.resourcesDir];
  for (const specifier of result.preload ?? []) args.push('--preload', specifier);
  args.push(...simulatorArgs({ manifestCreation: result.creation, desktopHeap: desktop }));
  return startProcess(`xsws ${label}`, SIM, args, { ready: /listening on http:\/\/127\.0\.0\.1:(\d+)\//, core });
}

async function startLws(core = 0) {
  const port = await freePort();
  return startProcess('lws', LWS, [`--port=${port}`], { port, core });
}

function startNode(script, args, core = 0) {
  return startProcess(`node ${script}`, process.execPath, [join(benchDir, 'servers', script), ...args], { ready: /listening (\d+)/, core });
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}
function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);	// utime + stime (fields 14, 15)
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

async function getJson(port, path) {
  const r = await fetch(`http://${HOST}:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return r.json();
}

// ---- 1. HTTP with wrk ------------------------------------------------------------------------
function wrk(url, { close = false, seconds = SECONDS, connections = 50 } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '2s'];
  if (close) args.push('-H', 'Connection: close');
  args.push(url);
  const r = spawnSync('wrk', args, { timeout: (seconds + 15) * 1000, encoding: 'utf8' });
  const out = r.stdout ?? '';
  const num = (re) => { const m = re.exec(out); return m ? Number(m[1]) : 0; };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    errors: sock ? { connect: +sock[1], read: +sock[2], write: +sock[3], timeout: +sock[4] } : null,
    raw: r.status === 0 ? undefined : `${out}${r.stderr ?? ''}${r.error ?? ''}`,
  };
}

async function benchHttp(file) {
  const name = file.split('/').pop();
  const tmp = mkdtempSync(join(os.tmpdir(), 'xsws-bench-'));
  copyFileSync(file, join(tmp, name));
  const size = readFileSync(file).length;
  const servers = [
    ['xsws (XS, desktop heap, maxConnections=256)', 'xsws', () => startXsws('desktop', { overrides: ['maxConnections=256', `www=${tmp}`] })],
    ['xsws (XS, board heap, 7 connections)', 'xswsBoard', () => startXsws('board', { desktop: false, overrides: [`www=${tmp}`] })],
    ['lws 4.1.6 test server', 'lws', () => startLws()],
    ['Node http, from memory', 'nodeMemory', () => startNode('node-http.mjs', [join(tmp, name), 'memory'])],
    ['Node http, reading the file', 'nodeFile', () => startNode('node-http.mjs', [join(tmp, name), 'file'])],
  ];
  const rows = [];
  for (const [label, key, start] of servers) {
    let server;
    try {
      server = await start();
    } catch (e) {
      anomaly(`${label}: did not start: ${e.message.split('\n')[0]}`);
      continue;
    }
    const row = { key, label };
    const url = `http://${HOST}:${server.port}/${name}`;
    const check = await fetch(url).then(async (r) => ({ status: r.status, length: (await r.arrayBuffer()).byteLength })).catch((e) => ({ error: e.message }));
    if (check.status !== 200 || check.length !== size) anomaly(`${label}: GET /${name} gave ${JSON.stringify(check)}`);
    for (const mode of ['keepAlive', 'close']) {
      const t0 = cpuTicks(server.pid);
      const start = Date.now();
      const r = wrk(url, { close: mode === 'close' });
      const cpu = (cpuTicks(server.pid) - t0) / CLK_TCK / ((Date.now() - start) / 1000);
      row[mode] = { ...r, serverCpu: round(cpu, 2) };
      const errs = r.errors ? Object.entries(r.errors).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ') : '';
      console.log(`  ${label.padEnd(46)} ${mode.padEnd(9)} ${String(round(r.rps)).padStart(7)} req/s  server CPU ${round(cpu * 100)}%${r.non2xx ? `  non-2xx ${r.non2xx}` : ''}${errs ? `  socket errors: ${errs}` : ''}`);
      if (r.non2xx) anomaly(`${label} ${mode}: ${r.non2xx} non-2xx/3xx responses of ${r.requests}`);
      if (errs) anomaly(`${label} ${mode}: wrk socket errors: ${errs} (${r.requests} requests)`);
      if (r.raw) anomaly(`${label} ${mode}: wrk failed: ${r.raw.slice(0, 300)}`);
      if (server.crashed()) {
        anomaly(`${label}: server exited during ${mode} (${JSON.stringify(server.crashed())}): ${server.log().slice(-500)}`);
        break;
      }
    }
    if (key.startsWith('xsws') && !server.crashed()) {
      try { row.status = await getJson(server.port, '/status.json'); } catch (e) { anomaly(`${label}: /status.json after load: ${e.message}`); }
    }
    await server.stop();
    rows.push(row);
  }
  rmSync(tmp, { recursive: true, force: true });
  return { file: name, size, rows };
}

// ---- 2. WebSocket round trips ----------------------------------------------------------------
function wsOpen(url, protocol, timeoutMs = 5000) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, protocol, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
}

/** One connection, one message in flight: send `size` bytes of text, wait until as many come back. */
async function roundTrips(url, protocol, size, { maxCount, maxMs, warmup }) {
  const ws = await wsOpen(url, protocol);
  const msg = 'x'.repeat(size);
  const result = await new Promise((res) => {
    let pending = size;
    let count = 0;
    let t0 = 0;
    let total = -warmup;
    const deadline = Date.now() + maxMs + 2000;
    const watchdog = setInterval(() => {
      if (Date.now() > deadline) finish('stalled');
    }, 250);
    function finish(error) {
      clearInterval(watchdog);
      const ms = t0 ? performance.now() - t0 : 0;
      res({ count, ms: round(ms, 1), rate: count && ms ? count / (ms / 1000) : 0, error });
    }
    ws.on('message', (data) => {
      pending -= data.length;
      if (pending > 0) return;
      if (pending < 0) return finish(`received ${-pending} bytes more than sent`);
      pending = size;
      total++;
      if (total === 0) t0 = performance.now();
      else if (total > 0) count++;
      if (count >= maxCount || (t0 && performance.now() - t0 >= maxMs)) return finish();
      ws.send(msg);
    });
    ws.on('close', () => finish('closed'));
    ws.on('error', (e) => finish(e.message));
    ws.send(msg);
  });
  ws.terminate();
  return result;
}

async function benchWs() {
  const servers = [
    // server on the client's core (1), as the peers' figures were taken: a round trip across
    // cores pays two cross-core wake-ups and measured 3-6x slower here
    ['xsws lws-mirror (XS, desktop heap)', 'xsws', () => startXsws('desktop', { core: 1 }), '/?mirror=rt', 'lws-mirror-protocol'],
    ['lws 4.1.6 lws-mirror', 'lws', () => startLws(1), '/', 'lws-mirror-protocol'],
    ['Node ws echo', 'nodeWs', () => startNode('node-ws.mjs', [], 1), '/', 'lws-mirror-protocol'],
  ];
  const sizes = [[16, { maxCount: 100000, maxMs: 3000, warmup: 500 }], [65536, { maxCount: 10000, maxMs: 3000, warmup: 20 }]];
  const rows = [];
  for (const [label, key, start, path, protocol] of servers) {
    let server;
    try { server = await start(); } catch (e) { anomaly(`${label}: did not start: ${e.message.split('\n')[0]}`); continue; }
    const row = { key, label };
    for (const [size, opts] of sizes) {
      let r;
      try { r = await roundTrips(`ws://${HOST}:${server.port}${path}`, protocol, size, opts); } catch (e) { r = { error: e.message, rate: 0 }; }
      row[size] = { ...r, rate: round(r.rate) };
      console.log(`  ${label.padEnd(46)} ${String(size).padStart(6)} B  ${String(round(r.rate)).padStart(7)} round trips/s  (${r.count ?? 0} in ${r.ms ?? 0} ms)${r.error ? `  error: ${r.error}` : ''}`);
      if (r.error) anomaly(`${label}: ${size}-byte round trips: ${r.error}`);
    }
    if (server.crashed()) anomaly(`${label}: server exited (${JSON.stringify(server.crashed())}): ${server.log().slice(-500)}`);
    await server.stop();
    rows.push(row);
  }
  return { rows };
}

// ---- 3. hot byte paths on XS -----------------------------------------------------------------
async function benchHot() {
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

// ---- 4. memory per idle WebSocket ------------------------------------------------------------
async function openIdle(port, path, n) {
  const socks = [];
  let failed = 0;
  let firstError = null;
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(50, n - i) }, () => wsOpen(`ws://${HOST}:${port}${path}`, 'lws-mirror-protocol', 5000)));
    for (const b of batch) {
      if (b.status === 'fulfilled') socks.push(b.value);
      else { failed++; firstError ??= b.reason?.message; }
    }
    if (failed > 50) break;
  }
  return { socks, failed, firstError };
}

async function benchMem() {
  const servers = [
    ['xsws (XS, desktop heap, maxConnections=' + (IDLE + 100) + ')', 'xsws', () => startXsws('mem', { overrides: [`maxConnections=${IDLE + 100}`] }), '/?mirror=idle'],
    ['lws 4.1.6', 'lws', () => startLws(), '/'],
    ['Node ws', 'nodeWs', () => startNode('node-ws.mjs', []), '/'],
  ];
  const rows = [];
  for (const [label, key, start, path] of servers) {
    let server;
    try { server = await start(); } catch (e) { anomaly(`${label}: did not start: ${e.message.split('\n')[0]}`); continue; }
    // one connection opened and closed first, so lazily made state is in the baseline
    const warm = await openIdle(server.port, path, 1);
    warm.socks.forEach((s) => s.terminate());
    await sleep(500);
    const heap0 = key === 'xsws' ? (await getJson(server.port, '/status.json')).heap : null;
    const rss0 = rssKiB(server.pid);
    const t = Date.now();
    const { socks, failed, firstError } = await openIdle(server.port, path, IDLE);
    await sleep(1000);
    const rss1 = rssKiB(server.pid);
    let heap1 = null, statusConnections = null;
    if (key === 'xsws') {
      const s = await getJson(server.port, '/status.json');
      heap1 = s.heap;
      statusConnections = s.connections;
    }
    const open = socks.filter((s) => s.readyState === WebSocket.OPEN).length;
    const row = {
      key, label, requested: IDLE, open, failed, openMs: Date.now() - t - 1000,
      rssBeforeKiB: rss0, rssAfterKiB: rss1,
      rssPerConnBytes: open ? round(((rss1 - rss0) * 1024) / open) : null,
    };
    if (heap0 && heap1) {
      const slots = (heap1.slotsUsed - heap0.slotsUsed) / open;
      const chunks = (heap1.chunksUsed - heap0.chunksUsed) / open;
      Object.assign(row, { xsSlotsPerConn: round(slots, 1), xsChunkBytesPerConn: round(chunks), xsHeapPerConnBytes: round(slots * 16 + chunks), statusConnections });
    }
    console.log(`  ${label.padEnd(46)} ${open} open: RSS +${round((rss1 - rss0) / 1024, 1)} MiB = ${row.rssPerConnBytes} B/conn${row.xsHeapPerConnBytes != null ? `; XS heap ${row.xsSlotsPerConn} slots + ${row.xsChunkBytesPerConn} chunk B = ${row.xsHeapPerConnBytes} B/conn (ESP32)` : ''}`);
    if (failed || open < IDLE) anomaly(`${label}: ${open}/${IDLE} idle WebSockets open, ${failed} failed (${firstError})`);
    socks.forEach((s) => s.terminate());
    if (server.crashed()) anomaly(`${label}: server exited (${JSON.stringify(server.crashed())}): ${server.log().slice(-500)}`);
    await server.stop();
    rows.push(row);
  }
  return { rows };
}

// ---- 5. inflate (bench/inflate.mjs, another engineer's) --------------------------------------
async function benchInflate() {
  const file = join(benchDir, 'inflate.mjs');
  if (!existsSync(file)) return null;
  try {
    const mod = await import(file);
    if (typeof mod.run !== 'function') return { error: 'bench/inflate.mjs exports no run()' };
    let timer;
    const r = await Promise.race([mod.run(), new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('timed out after 90 s')), 90000); })]);
    clearTimeout(timer);
    return r ?? {};
  } catch (e) {
    anomaly(`inflate bench: ${e.message}`);
    return { error: e.message };
  }
}

// ---- table -----------------------------------------------------------------------------------
function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c == null ? '—' : String(c))));
  const w = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [`\n${title}`, line(cells[0]), `|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

async function main() {
  if (!existsSync(SIM)) throw new Error(`${SIM} is missing: run "npm run build"`);
  const started = Date.now();
  const results = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, notes, anomalies };
  const out = [];

  if (want('http')) {
    if (!hasCommand('wrk') || !hasCommand(LWS)) notes.push('wrk or libwebsockets-test-server missing: HTTP section skipped');
    else {
      console.log(`HTTP: wrk -t1 -c50 -d${SECONDS}s, keep-alive and Connection: close`);
      // lws's Debian build serves only its own directory (no -r): all servers serve its test.html
      const h = await benchHttp(join(LWS_DIR, 'test.html'));
      results.http = h;
      const by = Object.fromEntries(h.rows.map((r) => [r.key, r]));
      const rows = [];
      for (const mode of ['keepAlive', 'close']) {
        for (const r of h.rows) {
          const v = r[mode]?.rps;
          rows.push([`${mode === 'keepAlive' ? 'keep-alive' : 'Connection: close'}: ${r.label}`, round(v),
            r[mode]?.serverCpu != null ? `${round(r[mode].serverCpu * 100)}%` : null,
            ratio(by.xsws?.[mode]?.rps, v), (r[mode]?.non2xx ?? 0) + (r[mode]?.errors ? Object.values(r[mode].errors).reduce((a, b) => a + b, 0) : 0)]);
        }
      }
      results.http.ratios = {
        keepAlive: { xswsOverLws: ratio(by.xsws?.keepAlive?.rps, by.lws?.keepAlive?.rps), xswsOverNodeMemory: ratio(by.xsws?.keepAlive?.rps, by.nodeMemory?.keepAlive?.rps), xswsOverNodeFile: ratio(by.xsws?.keepAlive?.rps, by.nodeFile?.keepAlive?.rps) },
        close: { xswsOverLws: ratio(by.xsws?.close?.rps, by.lws?.close?.rps), xswsOverNodeMemory: ratio(by.xsws?.close?.rps, by.nodeMemory?.close?.rps), xswsOverNodeFile: ratio(by.xsws?.close?.rps, by.nodeFile?.close?.rps) },
      };
      out.push(table(`HTTP GET /${h.file} (${h.size} B), wrk -t1 -c50 -d${SECONDS}s${PIN ? ', server on core 0, wrk on core 1' : ''}`,
        ['server', 'req/s', 'server CPU', 'xsws(desktop) / this', 'non-2xx + socket errors'], rows));
    }
  }
  if (want('ws')) {
    console.log('WebSocket round trips: one connection, one message in flight, npm ws client');
    const w = await benchWs();
    results.ws = w;
    const by = Object.fromEntries(w.rows.map((r) => [r.key, r]));
    results.ws.ratios = {};
    const rows = [];
    for (const size of [16, 65536]) {
      results.ws.ratios[size] = { xswsOverLws: ratio(by.xsws?.[size]?.rate, by.lws?.[size]?.rate), xswsOverNodeWs: ratio(by.xsws?.[size]?.rate, by.nodeWs?.[size]?.rate) };
      for (const r of w.rows) rows.push([`${size === 16 ? '16 B' : '64 KiB'}: ${r.label}`, r[size]?.rate, ratio(by.xsws?.[size]?.rate, r[size]?.rate), r[size]?.count, r[size]?.error]);
    }
    out.push(table(`WebSocket round trip, 1 connection, text messages (bounded: 100k/10k round trips or 3 s)${PIN ? ', server and client both on core 1' : ''}`,
      ['server', 'round trips/s', 'xsws / this', 'count', 'error'], rows));
  }
  if (want('hot')) {
    console.log('Hot byte paths on XS (test/fixtures/bench/hotpaths)');
    const hp = await benchHot();
    results.hot = hp;
    out.push(table('Hot byte paths on XS (simulator, x86-64): MB/s', ['path', 'bytes', 'TS MB/s', 'native MB/s', 'native / TS', 'TS ns/call', 'native ns/call'],
      hp.rows.map((r) => [r.what, r.size, r.tsMBps, r.nativeMBps, r.speedup, r.tsNsPerCall, r.nativeNsPerCall])));
    const w = Object.entries(hp.nativeWinsFrom).map(([k, v]) => `${k}: ${v === null ? 'never (in 16 B..64 KiB)' : v === 16 ? 'at every size tested (from 16 B)' : `from ${v} B`}`).join('; ');
    out.push(`native faster: ${w}`);
  }
  if (want('mem')) {
    console.log(`Memory: ${IDLE} idle lws-mirror WebSockets`);
    const m = await benchMem();
    results.mem = m;
    const by = Object.fromEntries(m.rows.map((r) => [r.key, r]));
    results.mem.ratios = { xswsOverLws: ratio(by.xsws?.rssPerConnBytes, by.lws?.rssPerConnBytes), xswsOverNodeWs: ratio(by.xsws?.rssPerConnBytes, by.nodeWs?.rssPerConnBytes) };
    out.push(table(`Memory per idle WebSocket (${IDLE} open; server VmRSS delta / open)`, ['server', 'open', 'RSS B/conn', 'xsws / this', 'XS heap B/conn (slots×16 + chunks)'],
      m.rows.map((r) => [r.label, r.open, r.rssPerConnBytes, ratio(by.xsws?.rssPerConnBytes, r.rssPerConnBytes), r.xsHeapPerConnBytes != null ? `${r.xsHeapPerConnBytes} (${r.xsSlotsPerConn} slots + ${r.xsChunkBytesPerConn} B)` : null])));
  }
  if (want('inflate')) {
    const inf = await benchInflate();
    if (inf) {
      results.inflate = inf;
      if (Array.isArray(inf?.rows) && inf.rows.length && typeof inf.rows[0] === 'object') {
        const keys = Object.keys(inf.rows[0]);
        out.push(table('Inflate (bench/inflate.mjs)', keys, inf.rows.map((r) => keys.map((k) => (typeof r[k] === 'number' ? round(r[k], 2) : r[k])))));
      } else if (typeof inf?.table === 'string') out.push(inf.table);
      else out.push(JSON.stringify(inf, null, 2));
    }
  }
  results.seconds = round((Date.now() - started) / 1000, 1);
  console.log(out.join('\n'));
  console.log(`\nnotes: ${notes.join('; ')}; single runs, not medians`);
  if (anomalies.length) console.log(`anomalies:\n${anomalies.map((a) => `  - ${a}`).join('\n')}`);
  writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote bench/results.json (${results.seconds} s)`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`bench: ${e.stack ?? e}`);
  process.exit(1);
});
