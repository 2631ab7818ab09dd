#!/usr/bin/env node
// npm run soak -- [--minutes N | --seconds N] [--workers N] [--seed S] [--board NAME] [--json FILE] [--readme] [--only PEERS]   (MIT)
// The soak of test/soak/soak.mjs on the simulator with the board's heap (esp32 unless --board):
// prints a sample every few seconds and a summary; exit status 1 when anything failed or leaked.
// --readme writes the summary of a run that passed into README.md between the <!-- soak --> markers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../integration/sim.mjs';
import { soak, fmt, PEERS } from './soak.mjs';
import { writeReadmeSection } from '../../tools/readme-section.mjs';

const o = { seconds: 60, workers: 4, seed: Date.now() % 2 ** 31, board: null, json: null, readme: false, only: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--minutes') o.seconds = Number(argv[++i]) * 60;
  else if (a === '--seconds') o.seconds = Number(argv[++i]);
  else if (a === '--workers') o.workers = Number(argv[++i]);
  else if (a === '--seed') o.seed = Number(argv[++i]);
  else if (a === '--board') o.board = argv[++i];
  else if (a === '--json') o.json = argv[++i];
  else if (a === '--readme') o.readme = true;
  else if (a === '--only') o.only = argv[++i].split(',');
  else if (a === '--help') { console.log('usage: npm run soak -- [--minutes N | --seconds N] [--workers N] [--seed S] [--board NAME] [--json FILE] [--readme] [--only "ws flood,ws echo"]'); process.exit(0); }
  else { console.error(`soak: unknown argument ${a}`); process.exit(2); }
}
if (!(o.seconds > 0) || !(o.workers >= 1 && o.workers <= 6)) { console.error('soak: --seconds/--minutes must be positive and --workers 1-6 (the board takes 7 connections; a mirror peer holds two)'); process.exit(2); }

const r = await soak({ seconds: o.seconds, workers: o.workers, seed: o.seed, simArgs: o.board ? ['--board', o.board] : [], log: (l) => console.log(l), sampleEveryMs: o.seconds > 120 ? 30000 : 5000, only: o.only });
const total = Object.values(r.peers).reduce((s, p) => s + p.runs, 0);
console.log(`soak: ${total} peers in ${o.seconds} s (seed ${r.seed}, ${o.workers} at a time):`);
for (const [name] of PEERS) {
  const p = r.peers[name] ?? { runs: 0, failed: 0 };
  console.log(`  ${name.padEnd(16)} ${String(p.runs).padStart(7)}${p.failed ? `  ${p.failed} FAILED` : ''}`);
}
// the samples taken under load (none in a run shorter than one sampling period: then all of them)
const loadSamples = r.samples.some((s) => s.phase === 'load') ? r.samples.filter((s) => s.phase === 'load') : r.samples;
const peak = (k) => Math.max(...loadSamples.map((s) => s[k]));
console.log(`soak: baseline ${fmt(r.baseline)}\nsoak: end      ${fmt(r.end)}\nsoak: peak     ${peak('slots')} slots, ${peak('chunks')} chunk bytes, RSS ${(peak('rss') / 1024).toFixed(0)} KiB, ${peak('fds')} fds`);
if (o.json) writeFileSync(o.json, JSON.stringify({ ...r, log: undefined }, null, 1) + '\n');
if (!r.ok) {
  const logFile = join(repositoryRoot, 'build', 'soak-sim.log');
  writeFileSync(logFile, r.log);
  console.log(`soak: the simulator's log is ${logFile}`);
  console.log(`soak: FAILED\n  ${r.failures.join('\n  ')}`);
  process.exit(1);
}
console.log('soak: heap, RSS, descriptors and connections back to baseline; every peer answered as the protocol says');
if (o.readme) {
  const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
  const row = (what, s) => `| ${what} | ${s.slots} | ${s.chunks} | ${kib(s.rss)} | ${s.fds} | ${s.connections} |`;
  const text = [
    `\`npm run soak -- --minutes ${+(o.seconds / 60).toFixed(2)}\` (seed ${r.seed}, ${o.workers} peers at a time, ${o.board ?? 'esp32'} heap, ${new Date().toISOString().slice(0, 10)}): ${total} peers, none failed: ${PEERS.map(([n]) => `${r.peers[n]?.runs ?? 0} ${n}`).join(', ')}.`,
    '',
    '| | XS slots | XS chunk bytes | RSS | descriptors | connections |',
    '| --- | --: | --: | --: | --: | --: |',
    row('baseline (after the warm-up)', r.baseline),
    `| peak under load | ${peak('slots')} | ${peak('chunks')} | ${kib(peak('rss'))} | ${peak('fds')} | ${peak('connections')} |`,
    row('end (load stopped, settled)', r.end),
  ].join('\n');
  writeReadmeSection('soak', text);
  console.log('soak: README.md updated');
}
