// HTTP with wrk: xsws, lws and Node serving one file (MIT), for bench/run.mjs.
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, SECONDS, round, anomaly, startXsws, startLws, startNode, cpuTicks, CLK_TCK, getJson } from './lib.mjs';

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

export async function benchHttp(file) {
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
