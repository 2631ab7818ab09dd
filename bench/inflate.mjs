#!/usr/bin/env node
// Inflate throughput (MIT). Node built-ins only.
//   node bench/inflate.mjs [--size MiB]
// A few MiB of web-UI-like text (test/support/corpus.mjs webText, deflated by node:zlib at level
// 9, ratio about 5x) inflated:
//   - on XS in the simulator (board heap, --fixed): xsws/zlib's native pull inflater (miniz tinfl,
//     hosts/common/zlib) and, for the record, the TypeScript inflater (src/fs/inflate.ts), each
//     pulled through a 4 KiB output buffer with the CRC-32 of the output computed natively;
//   - in Node: zlib.inflateRawSync (one call) and a streaming zlib.createInflateRaw fed 1 KiB
//     pieces, and the TypeScript inflater on V8 (4 KiB output buffer).
// MB/s are of uncompressed output; the XS figures include the native CRC-32 of the output (what
// ZipFops does), Node's do not. run() returns the figures (and `rows`, `table`) for bench/run.mjs.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { webText } from '../test/support/corpus.mjs';
import { runZipFirmware } from '../test/support/zip-sim.mjs';

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

/** Calls fn() until at least budgetMs went by; returns ms per call. */
function timeIt(fn, budgetMs = 400) {
  fn();
  let n = 0;
  const t0 = performance.now();
  let t;
  do {
    fn();
    n++;
    t = performance.now() - t0;
  } while (t < budgetMs);
  return t / n;
}

function nodeStream(def) {
  return new Promise((resolveDone, reject) => {
    const inflater = zlib.createInflateRaw();
    let bytes = 0;
    inflater.on('data', (chunk) => { bytes += chunk.length; });
    inflater.on('end', () => resolveDone(bytes));
    inflater.on('error', reject);
    for (let i = 0; i < def.length; i += 1024) inflater.write(def.subarray(i, i + 1024));
    inflater.end();
  });
}

async function timeStream(def, runs = 5) {
  let best = Infinity, bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = await nodeStream(def);
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, bytes };
}

async function tsOnNode(def) {
  const { TsInflater } = await import('../build/js/src/fs/inflate.js');
  const out = new Uint8Array(4096);
  let total = 0;
  const ms = timeIt(() => {
    const inflater = new TsInflater();
    let input = def;
    total = 0;
    while (!inflater.done) {
      total += inflater.inflate(input, out);
      input = input.subarray(inflater.consumed);
    }
  });
  return { ms, bytes: total };
}

/** Runs the benchmark; returns the figures (MB/s of uncompressed output). */
export async function run({ sizeMiB = 4, log = () => {} } = {}) {
  const data = webText(sizeMiB << 20, 11);
  const def = zlib.deflateRawSync(data, { level: 9 });
  const crc = zlib.crc32(data) >>> 0;
  const figures = { size: data.length, compressed: def.length, ratio: +(data.length / def.length).toFixed(2) };

  log(`inflate: ${(data.length / 1048576).toFixed(1)} MiB of web-UI-like text, ${def.length} bytes deflated (${figures.ratio}x)`);
  const xs = runZipFirmware({ task: 'bench', files: 'bench.def', out: 4096, repeat: 8 }, { 'bench.def': def }, { timeout: 300000, name: 'bench-inflate' });
  for (const r of xs) {
    if (r.length !== data.length || r.crc !== crc) throw new Error(`XS ${r.impl}: wrong output (${r.length} bytes, crc ${r.crc})`);
  }
  const xsNative = xs.find((r) => r.impl === 'native');
  const xsTs = xs.find((r) => r.impl === 'ts');
  figures.xsNative = +xsNative.mbps.toFixed(1);
  figures.xsTs = +xsTs.mbps.toFixed(2);

  const syncMs = timeIt(() => zlib.inflateRawSync(def));
  figures.nodeSync = +mbps(data.length, syncMs).toFixed(1);
  const stream = await timeStream(def);
  if (stream.bytes !== data.length) throw new Error('node stream: wrong length');
  figures.nodeStream = +mbps(data.length, stream.ms).toFixed(1);
  const ts = await tsOnNode(def);
  if (ts.bytes !== data.length) throw new Error('TS on Node: wrong length');
  figures.nodeTs = +mbps(data.length, ts.ms).toFixed(1);

  figures.xsNativeVsNodeSync = +(figures.xsNative / figures.nodeSync).toFixed(3);
  figures.xsNativeVsNodeStream = +(figures.xsNative / figures.nodeStream).toFixed(3);
  figures.xsNativeVsXsTs = +(figures.xsNative / figures.xsTs).toFixed(1);
  // for bench/run.mjs: one row per implementation, and the printed table
  figures.rows = [
    ['XS native pull inflater (xsws/zlib)', figures.xsNative],
    ['Node zlib.inflateRawSync', figures.nodeSync],
    ['Node zlib.createInflateRaw, 1 KiB pieces', figures.nodeStream],
    ['XS TypeScript inflater (fallback)', figures.xsTs],
    ['Node (V8) TypeScript inflater', figures.nodeTs],
  ].map(([impl, v]) => ({ impl, 'MB/s': v, 'XS native / this': +(figures.xsNative / v).toFixed(3) }));
  figures.table = format(figures);
  return figures;
}

export function format(f) {
  const rows = [
    ['XS native pull inflater (xsws/zlib, 4 KiB out)', f.xsNative],
    ['Node zlib.inflateRawSync', f.nodeSync],
    ['Node zlib.createInflateRaw (1 KiB pieces)', f.nodeStream],
    ['XS TypeScript inflater (fallback)', f.xsTs],
    ['Node (V8) TypeScript inflater', f.nodeTs],
  ];
  const lines = rows.map(([name, v]) => `  ${name.padEnd(48)} ${String(v).padStart(8)} MB/s`);
  lines.push(`  XS native / Node sync ${f.xsNativeVsNodeSync}, / Node stream ${f.xsNativeVsNodeStream}; XS native / XS TS ${f.xsNativeVsXsTs}x`);
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--size');
  const sizeMiB = at > 0 ? Number(process.argv[at + 1]) : 4;
  const figures = await run({ sizeMiB, log: (s) => console.log(s) });
  console.log(figures.table);
}
