#!/usr/bin/env node
// npm run test:asan [-- mocha files ...]    (MIT)
// The integration and simulator suites against the sanitizer build of the simulator
// (build/lin/xsws-sim-asan: AddressSanitizer, and UndefinedBehaviorSanitizer on our own C; make
// -C hosts/lin SAN=1, which this builds first). Every sanitizer report goes to a file under
// build/asan/; the run fails when the tests fail or when any report was written, even by a
// simulator whose test passed. CI runs it after npm test (.ci/run).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './manifest.mjs';

/** What runs under the sanitizers: everything that starts the simulator. */
export const ASAN_SUITES = ['test/host/*.test.mjs', 'test/integration/*.test.mjs'];
/**
 * Not these: the C fuzz replays are sanitizer builds of their own, which npm test has just run;
 * the package and API-reference tests start no simulator of this build.
 */
const ASAN_SKIP = ['test/host/fuzz-c.test.mjs', 'test/host/package.test.mjs', 'test/host/docs.test.mjs'].flatMap((f) => ['--ignore', f]);

const reports = join(repositoryRoot, 'build', 'asan');
const sim = join(repositoryRoot, 'build', 'lin', 'xsws-sim-asan');

function run(cmd, args, env = process.env) {
  return spawnSync(cmd, args, { cwd: repositoryRoot, stdio: 'inherit', env }).status;
}

if (run('make', ['-C', 'hosts/lin', '-j2', '-s', 'SAN=1']) !== 0) {
  console.error('test:asan: building the sanitizer simulator failed');
  process.exit(1);
}
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
// AddressSanitizer writes its reports to files (log_path); UndefinedBehaviorSanitizer, linked
// beside it by gcc, writes to stderr whatever it is told. So the tests run the simulator through a
// wrapper that keeps a copy of every report line it prints on stderr (it execs: same PID, signals
// reach the simulator).
const wrapper = join(reports, '..', 'xsws-sim-asan-wrapper');
writeFileSync(wrapper, `#!/bin/bash\nexec "${sim}" "$@" 2> >(tee >(grep --line-buffered -E "runtime error:|ERROR: AddressSanitizer" >> "${reports}/stderr.$$") >&2)\n`);
chmodSync(wrapper, 0o755);
/** Report files that hold something (the wrapper's are empty when nothing was printed). */
const reportFiles = () => readdirSync(reports).filter((f) => statSync(join(reports, f)).size > 0);
const env = {
  ...process.env,
  XSWS_SIM: wrapper,
  // LeakSanitizer does not run on a 32-bit program; leaks are the soak's to find (npm run soak)
  ASAN_OPTIONS: `log_path=${join(reports, 'asan')}:detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86`,
  UBSAN_OPTIONS: `log_path=${join(reports, 'ubsan')}:halt_on_error=1:print_stacktrace=1`,
};
// first, that a report is caught at all: the build's one deliberate heap overflow
const selftest = spawnSync(wrapper, ['--asan-selftest'], { env, encoding: 'utf8' });
const caught = reportFiles();
const proof = caught.length ? readFileSync(join(reports, caught[0]), 'utf8') : '';
if (selftest.status === 0 || !/heap-buffer-overflow|insufficient space/.test(proof)) {
  console.error(`test:asan: the deliberate overflow (--asan-selftest) was not reported (exit ${selftest.status}): sanitizer reports would go unseen`);
  process.exit(1);
}
console.error(`test:asan: the deliberate overflow was caught (exit ${selftest.status}): ${proof.split('\n').find((l) => /ERROR: AddressSanitizer|runtime error/.test(l))?.trim()}`);
for (const f of readdirSync(reports)) rmSync(join(reports, f));

const files = process.argv.slice(2);
const status = run(process.execPath, [join(repositoryRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--timeout', '120000', ...(files.length ? files : [...ASAN_SKIP, ...ASAN_SUITES])], env);
await new Promise((resolve) => setTimeout(resolve, 500));	// the wrapper's last copies
const found = reportFiles();
for (const f of found) {
  console.error(`\ntest:asan: sanitizer report ${f}:\n${readFileSync(join(reports, f), 'utf8').slice(0, 4000)}`);
}
if (found.length) console.error(`test:asan: ${found.length} sanitizer report(s): the run fails`);
else console.error(`test:asan: no sanitizer report${status === 0 ? '' : ' (but the tests failed)'}`);
process.exit(status === 0 && !found.length ? 0 : 1);
