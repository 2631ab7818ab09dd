#!/usr/bin/env node
// npm run fuzz:c -- [--seconds N] [--target NAME ...] [--replay]    (MIT)
// The C fuzz harnesses of hosts/lin/fuzz (the module map parser, resource paths, the bounded
// inflater of xsws/zlib), N seconds each (default 60):
// - with clang and its libFuzzer runtime (Debian clang, libclang-rt-14-dev): coverage-guided
//   libFuzzer under ASan and UBSan, from the committed corpus (hosts/lin/fuzz/corpus/<name>) and
//   a working corpus that grows in build/lin/fuzz/work/<name>;
// - without them, or with --replay: the gcc-built replayer's seeded mutations of the corpus.
// An input that breaks a harness is kept in hosts/lin/fuzz/corpus/<name>/ as a regression case
// (npm test replays the corpus: test/host/fuzz-c.test.mjs). Exit status 1 when anything broke.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './manifest.mjs';
import { installLine } from './debian.mjs';

export const C_FUZZ_TARGETS = ['modmap', 'paths', 'inflate', 'deflate'];
export const C_FUZZ_MAX_LEN = 4096;
const fuzzDir = join(repositoryRoot, 'build', 'lin', 'fuzz');
export const corpusDir = (name) => join(repositoryRoot, 'hosts', 'lin', 'fuzz', 'corpus', name);

/** Build the replayers (and with libfuzzer, the libFuzzer binaries); true when it worked. */
export function buildCFuzz({ libfuzzer = false } = {}) {
  const r = spawnSync('make', ['-C', join(repositoryRoot, 'hosts', 'lin'), '-j2', '-s', libfuzzer ? 'fuzz-libfuzzer' : 'fuzz'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0;
}

export const replayer = (name) => join(fuzzDir, `${name}-replay`);

/** clang can link a libFuzzer program here */
function haveLibFuzzer() {
  const r = spawnSync('clang', ['-fsanitize=fuzzer', '-x', 'c', '-', '-o', '/dev/null'], { input: 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n', stdio: ['pipe', 'ignore', 'ignore'] });
  return r.status === 0;
}

function main() {
  const o = { seconds: 60, targets: [], replay: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--target') o.targets.push(argv[++i]);
    else if (a === '--replay') o.replay = true;
    else if (a === '--help') { console.log('usage: npm run fuzz:c -- [--seconds N] [--target NAME ...] [--replay]'); process.exit(0); }
    else throw new Error(`fuzz:c: unknown argument ${a}`);
  }
  if (!(o.seconds > 0)) throw new Error('fuzz:c: --seconds must be a positive number');
  const targets = o.targets.length ? o.targets : C_FUZZ_TARGETS;
  for (const t of targets) if (!C_FUZZ_TARGETS.includes(t)) throw new Error(`fuzz:c: no harness ${t} (harnesses: ${C_FUZZ_TARGETS.join(', ')})`);
  let libfuzzer = !o.replay && haveLibFuzzer();
  if (!o.replay && !libfuzzer) console.error(`fuzz:c: no clang with libFuzzer; using the replayer's random mutations instead. For coverage-guided runs:\n\n  ${installLine(['clang', 'libclang-rt-14-dev'])}\n`);
  if (!buildCFuzz({ libfuzzer })) {
    if (!libfuzzer || !buildCFuzz()) { console.error('fuzz:c: building the harnesses failed'); process.exit(1); }
    libfuzzer = false;
  }
  let failed = 0;
  for (const t of targets) {
    const corpus = corpusDir(t);
    const before = new Set(readdirSync(corpus));
    let status;
    if (libfuzzer) {
      const work = join(fuzzDir, 'work', t);
      mkdirSync(work, { recursive: true });
      // crash-*, leak-*, timeout-* land in the committed corpus: the regression cases
      status = spawnSync(join(fuzzDir, `${t}-libfuzzer`), [`-max_total_time=${o.seconds}`, `-max_len=${C_FUZZ_MAX_LEN}`, '-timeout=10', '-rss_limit_mb=1024',
        `-artifact_prefix=${corpus}/`, '-print_final_stats=1', work, corpus], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
      const stats = (status.stderr ?? '').split('\n');
      const done = stats.find((l) => /^Done \d+ runs/.test(l));
      const crash = stats.find((l) => /ERROR: |property broken|SUMMARY:/.test(l));
      console.log(`fuzz:c ${t} (libFuzzer): ${done ?? 'no summary'}${crash ? `\n  ${crash}` : ''}`);
      if (status.status !== 0) process.stderr.write(stats.slice(-40).join('\n') + '\n');
    } else {
      // outside the corpus until it is one: a run that is killed leaves no stray case behind
      const crash = join(fuzzDir, `crash-${t}`);
      rmSync(crash, { force: true });
      status = spawnSync(replayer(t), ['--mutate', '1000000000', '--seconds', String(o.seconds), '--seed', String(Date.now() % 2 ** 31), '--max-len', String(C_FUZZ_MAX_LEN), '--crash', crash, corpus], { stdio: 'inherit' });
      if (status.status !== 0 && existsSync(crash)) renameSync(crash, join(corpus, `crash-replay-${Date.now()}`));
    }
    const added = readdirSync(corpus).filter((f) => !before.has(f));
    if (status.status !== 0) {
      failed++;
      console.log(`fuzz:c ${t}: FAILED${added.length ? `; kept ${added.map((f) => join(corpus, f)).join(', ')}` : ''}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
