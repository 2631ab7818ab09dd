// Deterministic test and benchmark data (MIT). Node built-ins only.
import zlib from 'node:zlib';

// the PRNG the TypeScript tests use too (compiled by npm install / tsc -p test)
import { prng } from '../../build/js/test/support/prng.js';

export { prng };

export function randomBytes(n, seed = 1) {
  const rand = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}

/**
 * Web-UI-like text (HTML, CSS, JS, JSON lines with varying names and numbers): deflates about
 * 4-6x at level 9, like real device UI assets.
 */
export function webText(n, seed = 1) {
  const rand = prng(seed);
  const pick = (list) => list[(rand() * list.length) | 0];
  const ids = ['status', 'counter', 'mirror', 'heap', 'slots', 'chunks', 'socket', 'button', 'panel', 'header', 'log', 'wifi', 'ssid', 'led', 'sensor'];
  const id = () => pick(ids) + (rand() < 0.5 ? '-' + ((rand() * 100) | 0) : '');
  const num = () => String((rand() * 100000) | 0);
  const templates = [
    () => `<div class="${id()}" id="${id()}"><span>${pick(ids)} ${num()}</span></div>\n`,
    () => `.${id()} { margin: ${(rand() * 20) | 0}px; color: #${((rand() * 0xffffff) | 0).toString(16).padStart(6, '0')}; }\n`,
    () => `function on${pick(ids)}${num()}(event) { document.getElementById("${id()}").textContent = event.data; }\n`,
    () => `{"${pick(ids)}": ${num()}, "${pick(ids)}": "${id()}", "ok": ${rand() < 0.5}},\n`,
    () => `  <li><a href="/${id()}.html">${pick(ids)} ${pick(ids)}</a></li>\n`,
  ];
  const parts = [];
  let size = 0;
  while (size < n) {
    const s = pick(templates)();
    parts.push(s);
    size += s.length;
  }
  return Buffer.from(parts.join('').slice(0, n), 'latin1');
}

/** Raw deflate of `size` zero bytes (streamed: never holds the zeros), level 9. */
export async function deflatedZeros(size) {
  const d = zlib.createDeflateRaw({ level: 9 });
  const chunks = [];
  d.on('data', (c) => chunks.push(c));
  const ended = new Promise((resolve, reject) => { d.on('end', resolve); d.on('error', reject); });
  const zero = Buffer.alloc(1 << 20);
  for (let left = size; left > 0; left -= zero.length) {
    const piece = left < zero.length ? zero.subarray(0, left) : zero;
    if (!d.write(piece)) await new Promise((resolve) => d.once('drain', resolve));
  }
  d.end();
  await ended;
  return Buffer.concat(chunks);
}
