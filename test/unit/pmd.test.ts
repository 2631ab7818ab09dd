import assert from "node:assert/strict";
import { FakeIo } from "../support/fake-host.js";
import { createContext, PMD_OPTIONS, PMD_FLAGS } from "../../src/index.js";
import type { ContextOptions } from "../../src/index.js";
import { acceptPmd, checkPmdResponse, offerPmd, parseExtensions } from "../../src/ws/pmd.js";
import type { ExtensionOffer, PmdWish } from "../../src/ws/pmd.js";

const WISH: PmdWish = { serverMaxWindowBits: 10, clientMaxWindowBits: 10, serverNoContextTakeover: true, clientNoContextTakeover: true };

function offers(header: string): ExtensionOffer[] {
	const o = parseExtensions(header);
	if (typeof o === "string") throw new Error(o);
	return o;
}

function answer(header: string, wish: PmdWish = WISH): string | null {
	const r = acceptPmd(offers(header), wish);
	return "response" in r ? r.response : null;
}

describe("permessage-deflate negotiation (RFC 7692 5, 7)", () => {
	it("parses extension lists: parameters, quoted values, several offers, empty elements", () => {
		assert.deepEqual(offers('permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits="10" ,, x-foo'), [
			{ name: "permessage-deflate", params: [["client_max_window_bits", true]] },
			{ name: "permessage-deflate", params: [["server_max_window_bits", "10"]] },
			{ name: "x-foo", params: [] },
		]);
		for (const bad of ["permessage-deflate; ", "permessage-deflate; a=", 'permessage-deflate; a="b', 'permessage-deflate; a="b c"', "permessage-deflate x", "; a"])
			assert.equal(typeof parseExtensions(bad), "string", bad);
	});

	it("Chrome's offer: our small client window and no context takeover both ways", () => {
		assert.equal(answer("permessage-deflate; client_max_window_bits"),
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10");
	});

	it("an offer without client_max_window_bits leaves the client 15 bits (we may not ask it); ours needs no saying", () => {
		const r = acceptPmd(offers("permessage-deflate"), WISH);
		assert.ok("agreed" in r);
		assert.equal(r.response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
		assert.deepEqual(r.agreed, { serverWindowBits: 10, clientWindowBits: 15, serverNoContextTakeover: true, clientNoContextTakeover: true });
	});

	it("honours what the client asks: a smaller server window, a client window cap, takeover when we allow it", () => {
		const r = acceptPmd(offers("permessage-deflate; server_max_window_bits=9; client_max_window_bits=12"), { ...WISH, serverNoContextTakeover: false, clientNoContextTakeover: false });
		assert.ok("agreed" in r);
		assert.equal(r.response, "permessage-deflate; server_max_window_bits=9; client_max_window_bits=10");
		assert.deepEqual(r.agreed, { serverWindowBits: 9, clientWindowBits: 10, serverNoContextTakeover: false, clientNoContextTakeover: false });
		// a client asking for no takeover on our side gets it
		assert.equal(answer("permessage-deflate; server_no_context_takeover", { ...WISH, serverNoContextTakeover: false, clientNoContextTakeover: false }), "permessage-deflate; server_no_context_takeover");
	});

	it("a client told 8 bits is answered 8, and our inflater keeps 9 (zlib's clients use 9 for 8)", () => {
		const r = acceptPmd(offers("permessage-deflate; client_max_window_bits=8"), WISH);
		assert.ok("agreed" in r);
		assert.match(r.response, /client_max_window_bits=8$/);
		assert.equal(r.agreed.clientWindowBits, 9);
	});

	it("declines malformed, duplicate and unknown-parameter offers and takes the next good one", () => {
		for (const bad of ["permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=16",
			"permessage-deflate; client_max_window_bits=08x", "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; foo",
			"permessage-deflate; client_no_context_takeover; client_no_context_takeover"]) {
			const r = acceptPmd(offers(bad), WISH);
			assert.ok(!("agreed" in r), bad);
			assert.equal(r.declined.length, 1, bad);
		}
		const r = acceptPmd(offers("permessage-deflate; foo=1, permessage-deflate; client_max_window_bits"), WISH);
		assert.ok("agreed" in r);
		assert.deepEqual(r.declined, ["unknown parameter foo"]);
		assert.equal(answer("x-webkit-deflate-frame"), null);
	});

	it("the client side: our offer, and answers accepted or refused as RFC 7692 7.1 says", () => {
		const wish = { ...WISH, serverNoContextTakeover: false };
		assert.equal(offerPmd(wish), "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10");
		assert.deepEqual(checkPmdResponse(offers("permessage-deflate; server_max_window_bits=9; client_max_window_bits=9"), wish),
			{ serverWindowBits: 9, clientWindowBits: 9, serverNoContextTakeover: false, clientNoContextTakeover: true });
		for (const bad of ["permessage-deflate; server_max_window_bits=12", "permessage-deflate; client_max_window_bits=12", "permessage-deflate; client_max_window_bits",
			"permessage-deflate, permessage-deflate", "x-other", "permessage-deflate; bogus"])
			assert.equal(typeof checkPmdResponse(offers(bad), wish), "string", bad);
	});
});

describe("permessage-deflate options (PMD_OPTIONS, PMD_FLAGS), checked when the context is made", () => {
	const make = (pmd: unknown): void => {
		createContext({ vhosts: [{ port: 7681, protocols: [], permessageDeflate: pmd }] } as unknown as ContextOptions, new FakeIo());
	};
	for (const [name, spec] of Object.entries(PMD_OPTIONS)) {
		it(`permessageDeflate.${name}: ${spec.min}–${spec.max}; out of bounds throws naming it`, () => {
			const bounds = new RegExp(`option permessageDeflate.${name} of vhost default must be a whole number from ${spec.min} to ${spec.max}`);
			assert.throws(() => make({ [name]: spec.min - 1 }), bounds);
			assert.throws(() => make({ [name]: spec.max + 1 }), bounds);
			assert.throws(() => make({ [name]: 1.5 }), bounds);
			make({ [name]: spec.min });
			make({ [name]: spec.max });
		});
	}
	it("flags must be booleans; unknown settings and non-objects throw", () => {
		for (const name of Object.keys(PMD_FLAGS)) assert.throws(() => make({ [name]: 1 }), new RegExp(`permessageDeflate.${name} of vhost default must be true or false`));
		assert.throws(() => make({ windowBits: 9 }), /unknown option permessageDeflate.windowBits/);
		assert.throws(() => make(7), /permessageDeflate of vhost default must be true, false or an object/);
		make(true);
		make(false);
	});
	it("a vhost's settings are the table's defaults with what it gave", () => {
		const ctx = createContext({ vhosts: [{ port: 7681, protocols: [], permessageDeflate: { threshold: 0 } }, { port: 7682, protocols: [] }] }, new FakeIo());
		const pmd = ctx.vhosts[0].pmd!;
		assert.equal(pmd.threshold, 0);
		assert.equal(pmd.serverMaxWindowBits, PMD_OPTIONS.serverMaxWindowBits.default);
		assert.equal(pmd.clientNoContextTakeover, PMD_FLAGS.clientNoContextTakeover.default);
		assert.equal(ctx.vhosts[1].pmd, null);
	});
});
