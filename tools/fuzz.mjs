#!/usr/bin/env node
// npm run fuzz -- [--seconds N] [--target NAME ...] [--seed S]    (MIT)
// Runs the fuzz properties of test/fuzz/targets.ts (compiled by `npm run build`) for N seconds
// each (default 60). What fails is shrunk by fast-check and saved under test/corpus/<target>/ as a
// regression case, which `npm test` then replays (test/unit/fuzz.test.ts). Exit status 1 when
// anything failed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { repositoryRoot } from './manifest.mjs';

function parseArgs(argv) {
  const o = { seconds: 60, targets: [], seed: Date.now() % 2 ** 31 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--target') o.targets.push(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--help') { console.log('usage: npm run fuzz -- [--seconds N] [--target NAME ...] [--seed S]'); process.exit(0); }
    else throw new Error(`fuzz: unknown argument ${a}`);
  }
  if (!(o.seconds > 0)) throw new Error('fuzz: --seconds must be a positive number');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const mod = await import(pathToFileURL(join(repositoryRoot, 'build', 'js', 'test', 'fuzz', 'targets.js')).href);
await mod.loadZipBuilder();
const chosen = opts.targets.length ? mod.targets.filter((t) => opts.targets.includes(t.name)) : mod.targets;
if (!chosen.length) throw new Error(`fuzz: no target named ${opts.targets.join(', ')} (targets: ${mod.targets.map((t) => t.name).join(', ')})`);

let failed = 0;
for (const t of chosen) {
  const started = Date.now();
  let runs = 0;
  // rounds of 5,000 inputs (fast-check keeps a run's state in memory: one endless run outgrows the heap)
  let details = { failed: false };
  for (let round = 0; Date.now() - started < opts.seconds * 1000 && !details.failed; round++) {
    // a turn of the event loop between rounds: zlib frees a sync call's failed stream only then
    await new Promise((resolve) => setImmediate(resolve));
    const left = opts.seconds * 1000 - (Date.now() - started);
    details = await fc.check(fc.property(t.arbitrary, (input) => { runs++; t.check(input); }), {
      numRuns: 5000, interruptAfterTimeLimit: left, markInterruptAsFailure: false, seed: opts.seed + round,
    });
    if (process.env.XSWS_FUZZ_HEAP) globalThis.gc?.();
    if (process.env.XSWS_FUZZ_HEAP) console.log(`  round ${round}: ${runs} inputs, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (!details.failed) {
    console.log(`fuzz ${t.name}: ${runs} inputs in ${secs} s, nothing found (seed ${opts.seed})`);
    continue;
  }
  failed++;
  const input = t.toJSON(details.counterexample[0]);
  const text = JSON.stringify({ target: t.name, seed: opts.seed, error: String(details.errorInstance?.message ?? details.error).slice(0, 500), input }, null, 1);
  const dir = join(repositoryRoot, 'test', 'corpus', t.name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha1').update(JSON.stringify(input)).digest('hex').slice(0, 16)}.json`);
  writeFileSync(file, text + '\n');
  console.log(`fuzz ${t.name}: FAILED after ${runs} inputs (seed ${opts.seed}): ${String(details.errorInstance?.message ?? '').split('\n')[0]}\n  saved ${file}`);
}
process.exit(failed ? 1 : 0);
