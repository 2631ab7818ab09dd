// Memory per idle WebSocket: server RSS and the XS heap (MIT), for bench/run.mjs.
import WebSocket from 'ws';
import { wsOpen, HOST, IDLE, sleep, round, anomaly, startXsws, startLws, startNode, rssKiB, getJson } from './lib.mjs';

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

export async function benchMem() {
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
