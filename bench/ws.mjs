// WebSocket round trips: one connection, one message in flight (MIT), for bench/run.mjs.
import { wsOpen, HOST, round, anomaly, startXsws, startLws, startNode } from './lib.mjs';

// ---- 2. WebSocket round trips ----------------------------------------------------------------

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

export async function benchWs() {
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
