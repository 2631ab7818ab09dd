/** The role-neutral HTTP pieces a client needs as much as the server: status lines and chunked bodies, at any split. */
import assert from "node:assert/strict";
import { HeadParser, HeadState, HeadKind } from "../../src/http/parser.js";
import { Ah } from "../../src/http/header-pool.js";
import { headerJoined, header } from "../../src/http/headers.js";
import { ChunkedDecoder, ChunkedResult } from "../../src/http/chunked.js";
import { decodeLatin1 } from "../../src/util/utf8.js";

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

interface Parsed { state: HeadState; ah: Ah; parser: HeadParser; consumed: number }

/** Feed `text` in pieces cut at `cuts`, as a client reads a response. */
function parse(text: string, cuts: number[] = [], kind = HeadKind.RESPONSE): Parsed {
	const parser = new HeadParser(1024, kind);
	const ah = new Ah(2048, 32);
	const b = bytes(text);
	let state = HeadState.MORE, consumed = 0, from = 0;
	for (const to of [...cuts, b.length]) {
		if (state !== HeadState.MORE) break;
		state = parser.feed(ah, b, from, to);
		consumed += parser.consumed;
		from = to;
	}
	return { state, ah, parser, consumed };
}

describe("HTTP head parser, response side (status lines)", () => {
	const head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nrest";

	it("reads status, reason, version and fields the same at every split", () => {
		for (let cut = 0; cut <= head.length; cut++) {
			const p = parse(head, cut ? [cut] : []);
			assert.equal(p.state, HeadState.DONE, `split at ${cut}`);
			assert.equal(p.ah.status, 101);
			assert.equal(decodeLatin1(p.ah.buf, p.ah.targetStart, p.ah.targetEnd), "Switching Protocols");
			assert.equal(p.ah.version, 11);
			assert.equal(header(p.ah, "upgrade"), "websocket");
			assert.equal(headerJoined(p.ah, "sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
			assert.equal(p.consumed, head.length - 4, "the body is left to the caller");
		}
	});

	it("takes an empty reason phrase, with or without its SP, and HTTP/1.0", () => {
		for (const line of ["HTTP/1.1 204 ", "HTTP/1.1 204"]) {
			const p = parse(`${line}\r\n\r\n`);
			assert.equal(p.state, HeadState.DONE, line);
			assert.equal(p.ah.status, 204);
			assert.equal(p.ah.targetStart, p.ah.targetEnd);
		}
		assert.equal(parse("HTTP/1.0 200 OK\r\n\r\n").ah.version, 10);
	});

	const bad: [string, RegExp][] = [
		["HTTP/1.1 20 OK\r\n\r\n", /status-code/],
		["HTTP/1.1 2000 OK\r\n\r\n", /status-code/],
		["HTTP/1.1 099 Low\r\n\r\n", /status-code/],
		["HTTP/1.1 abc OK\r\n\r\n", /status-code/],
		["HTTP/1.1200 OK\r\n\r\n", /HTTP-version/],
		["HTP/1.1 200 OK\r\n\r\n", /HTTP-version/],
		["HTTP/2.0 200 OK\r\n\r\n", /not supported/],
		["HTTP/1.1 200 O\x01K\r\n\r\n", /control character/],
		["\r\nHTTP/1.1 200 OK\r\n\r\n", /empty line before the status line/],
		["HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", /whitespace between field name and colon|malformed header line/],
		["HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", /bare CR in response head/],
	];
	for (const [text, why] of bad) {
		it(`refuses ${JSON.stringify(text.slice(0, 40))}`, () => {
			const p = parse(text);
			assert.equal(p.state, HeadState.ERROR);
			assert.match(p.parser.why, why);
			assert.ok(p.parser.status >= 400);
		});
	}

	it("a status line longer than the header block is an error, not a 414", () => {
		const p = parse(`HTTP/1.1 200 ${"x".repeat(3000)}\r\n\r\n`);
		assert.equal(p.state, HeadState.ERROR);
		assert.equal(p.parser.status, 502);
		assert.match(p.parser.why, /status line longer than the header block/);
	});

	it("the request side is unchanged: a status line is not a request", () => {
		assert.equal(parse("HTTP/1.1 200 OK\r\n\r\n", [], HeadKind.REQUEST).state, HeadState.ERROR);
		assert.equal(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", [], HeadKind.REQUEST).state, HeadState.DONE);
		assert.equal(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", [], HeadKind.RESPONSE).state, HeadState.ERROR);
	});
});

/** Decode `text` fed in pieces cut at `cuts`: the body, and how it ended. */
function dechunk(text: string, cuts: number[] = [], max = 1 << 20): { body: string; result: ChunkedResult; why: string; status: number; end: number } {
	const d = new ChunkedDecoder(max);
	const b = bytes(text);
	let body = "", from = 0, end = 0;
	for (const to of [...cuts, b.length]) {
		let pos = from;
		while (pos < to) {
			pos = d.feed(b, pos, to);
			if (d.result === ChunkedResult.DATA) body += Buffer.from(b.subarray(d.dataStart, d.dataEnd)).toString("latin1");
			if (d.result === ChunkedResult.DONE || d.result === ChunkedResult.ERROR) return { body, result: d.result, why: d.why, status: d.status, end: pos };
		}
		from = to;
		end = pos;
	}
	return { body, result: d.result, why: d.why, status: d.status, end };
}

describe("chunked decoder (src/http/chunked.ts)", () => {
	const wire = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";

	it("decodes the same body at every split, and stops where the body ends", () => {
		for (let cut = 0; cut <= wire.length; cut++) {
			const r = dechunk(wire, cut ? [cut] : []);
			assert.equal(r.result, ChunkedResult.DONE, `split at ${cut}`);
			assert.equal(r.body, "Wikipedia in\r\n\r\nchunks.");
			assert.equal(r.end, wire.length - 4);
		}
	});

	it("one byte at a time", () => {
		const r = dechunk(wire, [...Array(wire.length).keys()].slice(1));
		assert.equal(r.body, "Wikipedia in\r\n\r\nchunks.");
	});

	const bad: [string, number, RegExp][] = [
		["g\r\n", 400, /malformed chunk size/],
		["123456789\r\n", 413, /chunk size too large/],
		["4\r\nWikiX\r\n", 400, /not followed by CRLF/],
		["4\x01\r\n", 400, /malformed chunk line/],
		[`0\r\n${"T".repeat(1100)}\r\n\r\n`, 431, /trailer section too large/],
		["FFFFF\r\n", 413, /larger than maxHttpBodySize \(1024\)/],
	];
	for (const [text, status, why] of bad) {
		it(`refuses ${JSON.stringify(text.slice(0, 12))} with ${status}`, () => {
			const r = dechunk(text, [], 1024);
			assert.equal(r.result, ChunkedResult.ERROR);
			assert.equal(r.status, status);
			assert.match(r.why, why);
		});
	}

	it("reset() makes it ready for the next body", () => {
		const d = new ChunkedDecoder(100);
		const b = bytes("1\r\na\r\n0\r\n\r\n");
		let pos = 0;
		while (d.result !== ChunkedResult.DONE) pos = d.feed(b, pos, b.length);
		d.reset();
		assert.equal(d.total, 0);
		pos = d.feed(b, 0, b.length);
		assert.equal(d.result, ChunkedResult.DATA);
	});
});
