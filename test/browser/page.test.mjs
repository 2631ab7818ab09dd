// Headless Chromium (Debian) loads the demo page from the XS simulator: the
// WebSocket counter advances, the page dims when the server goes away and
// recovers when it comes back. A screenshot is kept in test-artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import net from 'node:net';
import { startSim, repositoryRoot as repoRoot } from '../integration/sim.mjs';

/** A port free right now (the simulator must come back on the same one). */
function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}
const startDemo = ({ port }) => startSim([`port=${port}`]);

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(repoRoot, 'test-artifacts');

describe('demo page in headless Chromium', function () {
  this.timeout(60000);
  let browser, sim, port;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    port = await freePort();
    sim = await startDemo({ port });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await sim?.stop();
  });

  it('at maxConnections 7 (the board\'s: lwIP\'s 8 pcbs less one), the page loads whole while its WebSockets are open and six requests run in parallel', async () => {
    const context = await browser.newContext();	// a cold cache: every file is fetched
    const page = await context.newPage();
    const failed = [];
    const statuses = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => statuses.push(r.status()));
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      // the page's three WebSockets (counter, mirror, status) connect
      for (const id of ['counter-state', 'mirror-state', 'status-state'])
        await page.waitForFunction((i) => document.getElementById(i).textContent === 'connected', id, { timeout: 10000 });
      // then rounds of six parallel requests, Chromium's limit per host: 3 + 6 > 8 connections
      const results = await page.evaluate(async () => {
        const files = ['/demo.css', '/demo.js', '/xsws-common.js', '/error.css', '/index.html', '/status.json'];
        const out = [];
        for (let round = 0; round < 5; round++) {
          const rs = await Promise.all(files.map((f) => fetch(`${f}?r=${round}`, { cache: 'no-store' })
            .then(async (r) => `${r.status}:${(await r.text()).length > 0}`, (e) => `error:${e}`)));
          out.push(...rs);
        }
        return out;
      });
      assert.deepEqual(results, Array(30).fill('200:true'));
      assert.deepEqual(failed, [], 'no request failed');
      assert.ok(statuses.every((s) => s === 200 || s === 101), `statuses ${statuses}`);
      // the stylesheet applied and the scripts ran: the counter advances
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).fontFamily), '');
      const a = Number(await page.textContent('#counter'));
      await page.waitForTimeout(300);
      assert.ok(Number(await page.textContent('#counter')) > a, 'counter advances');
      const st = await (await fetch(`http://127.0.0.1:${port}/status.json`)).json();
      assert.equal(st.maxConnections, 7);
    } finally {
      await context.close();
    }
  });

  it('shows a live counter, dims when the server closes, recovers when it returns', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    const res = await page.goto(`http://127.0.0.1:${port}/`);
    // the page comes out of the firmware's ui.zip: Chromium accepts gzip, so the entry's deflate
    // stream is passed through in gzip framing
    const h = await res.allHeaders();
    assert.equal(h['content-encoding'], 'gzip');
    assert.equal(h.vary, 'Accept-Encoding');
    await page.waitForFunction(() => Number(document.getElementById('counter').textContent) > 5, null, { timeout: 10000 });
    const a = Number(await page.textContent('#counter'));
    await page.waitForTimeout(300);
    const b = Number(await page.textContent('#counter'));
    assert.ok(b > a, `counter advances (${a} -> ${b})`);
    await page.waitForFunction(() => document.getElementById('status-clients').tBodies[0].rows.length >= 3, null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => document.body.classList.contains('disconnected')), false);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page.png'), fullPage: true });

    await sim.stop();
    await page.waitForFunction(() => document.body.classList.contains('disconnected'), null, { timeout: 10000 });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page-disconnected.png') });

    sim = await startDemo({ port });
    await page.waitForFunction(() => !document.body.classList.contains('disconnected'), null, { timeout: 15000 });
    // a new connection counts from 0 again
    await page.waitForFunction((before) => Number(document.getElementById('counter').textContent) < before, b, { timeout: 10000 });
    const c = Number(await page.textContent('#counter'));
    await page.waitForTimeout(300);
    assert.ok(Number(await page.textContent('#counter')) > c, 'counter runs again after reconnecting');
  });

  it('negotiates permessage-deflate on the mirror and status WebSockets (the counter\'s 64-byte rx buffer declines it, as lws does); all three work, and what Chromium sends compressed arrives intact', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const handshakes = [];
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) => handshakes.push(e.response));
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      for (const id of ['counter-state', 'mirror-state', 'status-state'])
        await page.waitForFunction((i) => document.getElementById(i).textContent === 'connected', id, { timeout: 10000 });
      assert.equal(handshakes.length, 3);
      const exts = handshakes.map((h) => {
        const header = (name) => Object.entries(h.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
        return `${header('sec-websocket-protocol')}: ${header('sec-websocket-extensions')}`;
      }).sort();
      assert.deepEqual(exts, [
        'dumb-increment-protocol: ',
        'lws-mirror-protocol: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10',
        'lws-status: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10',
      ]);
      const a = Number(await page.textContent('#counter'));
      await page.waitForTimeout(300);
      assert.ok(Number(await page.textContent('#counter')) > a, 'counter advances');
      await page.waitForFunction(() => document.getElementById('status-clients').tBodies[0].rows.length >= 3, null, { timeout: 10000 });
      const before = (await (await fetch(`http://127.0.0.1:${port}/status.json`)).json()).roles.ws.permessageDeflate.localhost;
      // the page's own mirror, and messages of every size through it, which Chromium compresses
      const echoes = await page.evaluate(async (p) => {
        const sizes = [1, 125, 2000, 70000, 300000];
        const ws = new WebSocket(`ws://127.0.0.1:${p}/?mirror=deflate`, 'lws-mirror-protocol');
        await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
        const out = [];
        for (const n of sizes) {
          let text = '';
          for (let i = 0; text.length < n; i++) text += `${i % 97} mirror ${n} `;
          text = text.slice(0, n);
          const back = new Promise((r) => { ws.onmessage = (e) => r(e.data); });
          ws.send(text);
          out.push((await back) === text ? n : `mismatch at ${n}`);
        }
        ws.close();
        return out;
      }, port);
      assert.deepEqual(echoes, [1, 125, 2000, 70000, 300000]);
      const after = (await (await fetch(`http://127.0.0.1:${port}/status.json`)).json()).roles.ws.permessageDeflate.localhost;
      assert.ok(after.compressedBytesIn - before.compressedBytesIn > 1000, `compressed bytes came in (${after.compressedBytesIn - before.compressedBytesIn})`);
      assert.ok(after.framesCompressedOut > before.framesCompressedOut, 'the mirror sent compressed frames');
      assert.equal(await page.evaluate(() => document.getElementById('mirror-state').textContent), 'connected');
    } finally {
      await context.close();
    }
  });
});
