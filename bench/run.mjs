#!/usr/bin/env node
// xsws benchmarks (`npm run bench`): xsws on XS (the Linux simulator) side by side with
// libwebsockets-test-server (lws 4.1.6, C) and Node 20 (`http`, npm `ws`). Prints a table and
// writes bench/results.json. Timings never fail anything: the exit status is 0 unless the
// harness itself breaks. All traffic goes to 127.0.0.1; every load is bounded in time.
//
//   node bench/run.mjs [http] [ws] [hot] [mem] [inflate]   (default: all sections)
//   each benchmark is a file of its own (http.mjs, ws.mjs, hot.mjs, mem.mjs, inflate.mjs) over lib.mjs
//   env BENCH_SECONDS=5 (wrk duration), BENCH_IDLE=1000 (idle WebSockets for the memory figure)
//
// Pinning: with 2+ cores, the load (this process, wrk, the `ws` client) runs on core 1 and the
// servers on core 0 (`taskset -c 0`), so a server gets one whole core; for the single-connection
// WebSocket round trips the server shares core 1 with the client (as the peers' figures were taken).

import os from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, SIM, LWS, LWS_DIR, SECONDS, IDLE, want, round, ratio, notes, anomalies, anomaly, hasCommand, PIN, table } from './lib.mjs';
import { benchHttp } from './http.mjs';
import { benchWs } from './ws.mjs';
import { benchHot } from './hot.mjs';
import { benchMem } from './mem.mjs';

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
