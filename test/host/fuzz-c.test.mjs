// The C fuzz harnesses (hosts/lin/fuzz) in npm test: the gcc-built replayers, under ASan and
// UBSan at the board's width, run the committed corpus (seeds and every regression case) and
// seeded mutations of it. Long coverage-guided runs: npm run fuzz:c -- --seconds N.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { C_FUZZ_MAX_LEN, C_FUZZ_TARGETS, buildCFuzz, corpusDir, replayer } from '../../tools/fuzz-c.mjs';

const MUTATIONS = Number(process.env.FUZZ_C_MUTATIONS) || 20000;

describe('C fuzz harnesses (hosts/lin/fuzz, replayed under ASan and UBSan)', function () {
  this.timeout(180000);

  before(function () {
    assert.ok(buildCFuzz(), 'make -C hosts/lin fuzz failed');
  });

  it('the replayer is a sanitizer build: a deliberate heap overflow is reported and fails the run', function () {
    const r = spawnSync(replayer('paths'), ['--asan-selftest'], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    assert.notEqual(r.status, 0);
    // UBSan's object-size check sees it first, else ASan
    assert.match(r.stderr, /AddressSanitizer: heap-buffer-overflow|insufficient space for an object/);
  });

  for (const name of C_FUZZ_TARGETS) {
    it(`${name}: the corpus and ${MUTATIONS} seeded mutations break nothing`, function () {
      // LeakSanitizer does not run on a 32-bit program: the replayers are the board's width
      const r = spawnSync(replayer(name), ['--mutate', String(MUTATIONS), '--seed', '1', '--seconds', '60', '--max-len', String(C_FUZZ_MAX_LEN), corpusDir(name)],
        { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr.slice(-4000)}`);
      this.test.title += ` [${r.stdout.trim()}]`;
    });
  }
});
