/**
 * The fuzz properties of test/fuzz/targets.ts at a small count (FUZZ_RUNS, default 150 each), and
 * every saved failing input under test/corpus/<target>/ replayed as a regression case.
 * `npm run fuzz -- --seconds N` runs the same properties long.
 */
import fc from "fast-check";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { targets, loadZipBuilder } from "../fuzz/targets.js";

const runs = Number(process.env.FUZZ_RUNS ?? 150);
const corpus = join(new URL(".", import.meta.url).pathname, "..", "..", "..", "..", "test", "corpus");

describe("fuzz properties (fast-check): no escaping exception, bounded, split-invariant, the reference's verdict", function () {
	this.timeout(120000);
	before(loadZipBuilder);
	for (const t of targets) {
		it(`${t.name}: ${runs} generated inputs`, () => {
			fc.assert(fc.property(t.arbitrary, (input) => t.check(input)), { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) });
		});
		const dir = join(corpus, t.name);
		const saved = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
		for (const f of saved) {
			it(`${t.name}: corpus ${f}`, () => {
				t.check(t.fromJSON(JSON.parse(readFileSync(join(dir, f), "utf8")).input));
			});
		}
	}
});
