// Shared by the benchmarks (MIT): the peers, pinning, processes, helpers, the result table.
// See bench/run.mjs.
import net from 'node:net';
import WebSocket from 'ws';
import os from 'node:os';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processManifest, simulatorPath } from '../tools/manifest.mjs';
import { simulatorArgs } from '../tools/boards.mjs';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const root = join(benchDir, '..');
export const HOST = '127.0.0.1';
export const SIM = simulatorPath;
export const LWS = 'libwebsockets-test-server';
export const LWS_DIR = '/usr/share/libwebsockets-test-server';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const IDLE = Number(process.env.BENCH_IDLE ?? 1000);
export const sections = new Set(process.argv.slice(2));
export const want = (s) => sections.size === 0 || sections.has(s);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 0) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
export const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
export const notes = [];
export const anomalies = [];
export function anomaly(text) {
  anomalies.push(text);
  console.log(`  ! ${text}`);
}

// ---- pinning ---------------------------------------------------------------------------------
export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}
export const PIN = os.cpus().length >= 2 && hasCommand('taskset');
if (PIN) {
  try {
    execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
    notes.push('servers pinned to core 0 (taskset -c 0); load (wrk, ws client, this process) on core 1');
  } catch {
    notes.push('taskset failed: not pinned');
  }
} else notes.push(`not pinned (${os.cpus().length} core(s) or no taskset)`);
export const pinned = (cmd, args, core = 0) => (PIN ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

// ---- processes -------------------------------------------------------------------------------
export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitConnectable(port, ms = 10000) {
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
export async function startProcess(name, cmd, args, { ready, port, core = 0 } = {}) {
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
export function startXsws(label, { desktop = true, overrides = [], manifest = join(root, 'manifest.json'), core = 0 } = {}) {
  const result = processManifest(manifest, { overrides: ['port=0', ...overrides], name: `bench-${label}`, warn: () => {} });
  const args = ['--map', result.mapPath, '--entry', result.entry, '--resources', result.resourcesDir];
  for (const specifier of result.preload ?? []) args.push('--preload', specifier);
  args.push(...simulatorArgs({ manifestCreation: result.creation, desktopHeap: desktop }));
  return startProcess(`xsws ${label}`, SIM, args, { ready: /listening on http:\/\/127\.0\.0\.1:(\d+)\//, core });
}

export async function startLws(core = 0) {
  const port = await freePort();
  return startProcess('lws', LWS, [`--port=${port}`], { port, core });
}

export function startNode(script, args, core = 0) {
  return startProcess(`node ${script}`, process.execPath, [join(benchDir, 'servers', script), ...args], { ready: /listening (\d+)/, core });
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}
export function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);	// utime + stime (fields 14, 15)
}
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

export async function getJson(port, path) {
  const r = await fetch(`http://${HOST}:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return r.json();
}


// ---- table -----------------------------------------------------------------------------------
export function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c == null ? '—' : String(c))));
  const w = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [`\n${title}`, line(cells[0]), `|${w.map((n, i) => (i === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** An open WebSocket to url, or a rejection. */
export function wsOpen(url, protocol, timeoutMs = 5000) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, protocol, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
}
