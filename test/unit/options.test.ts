import assert from "node:assert/strict";
import { FakeIo } from "../support/fake-host.js";
import { createContext, CONTEXT_OPTIONS } from "../../src/index.js";
import type { ContextOptions } from "../../src/index.js";

function make(opts: Record<string, unknown>): void {
	createContext({ vhosts: [{ port: 7681, protocols: [] }], ...opts } as unknown as ContextOptions, new FakeIo());
}

describe("options: one table (src/core/options.ts), checked when the context is made", () => {
	for (const [name, spec] of Object.entries(CONTEXT_OPTIONS)) {
		const bounds = new RegExp(`option ${name} must be a whole number from ${spec.min} to ${spec.max}`);
		it(`${name}: ${spec.min}–${spec.max} ${spec.unit}; below, above, fractional and non-numbers throw naming it`, () => {
			assert.throws(() => make({ [name]: spec.min - 1 }), bounds);
			assert.throws(() => make({ [name]: spec.max + 1 }), bounds);
			assert.throws(() => make({ [name]: spec.min + 0.5 }), bounds);
			assert.throws(() => make({ [name]: "8" }), bounds);
			assert.throws(() => make({ [name]: Number.NaN }), bounds);
			make({ [name]: spec.min });
			make({ [name]: spec.max === 0x7fffffff || spec.max >= 1000000 ? spec.min : spec.max });
		});
	}

	it("the defaults are the table's, and maxConnections defaults to the host's socket limit", () => {
		const io = new FakeIo();
		const ctx = createContext({ vhosts: [{ port: 7681, protocols: [] }] }, io);
		for (const [name, spec] of Object.entries(CONTEXT_OPTIONS)) {
			const expected = spec.default === "host" ? io.maxSockets : spec.default;
			assert.equal((ctx.options as unknown as Record<string, number>)[name], expected, name);
		}
		assert.equal(ctx.options.serverString, "xsws");
	});

	it("an unknown option, a non-string serverString and a vhost port out of range throw", () => {
		assert.throws(() => make({ maxConections: 8 }), /unknown option maxConections/);
		assert.throws(() => make({ serverString: 7 }), /option serverString must be a string/);
		assert.throws(() => createContext({ vhosts: [{ port: 70000, protocols: [] }] }, new FakeIo()), /port of vhost default must be a whole number from 0 to 65535/);
	});

	it("what used to pass silently now throws at once: a pool of 0 header blocks, header data over 65535", () => {
		assert.throws(() => make({ maxHttpHeaderPool: 0 }), /option maxHttpHeaderPool must be a whole number from 1/);
		assert.throws(() => make({ maxHttpHeaderData: 65536 }), /option maxHttpHeaderData must be a whole number from 256 to 65535/);
	});
});
