// The TypeScript raw inflater (src/fs/inflate.ts) against Node's zlib as the reference.
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { readFileSync } from "node:fs";
import { TsInflater, createInflater, setInflaterFactory } from "../../src/fs/inflate.js";
import type { RawInflater } from "../../src/fs/inflate.js";
import { crc32, crc32Ts } from "../../src/util/crc32.js";
import { prng } from "../support/prng.js";

function randomBytes(n: number, rand: () => number): Buffer {
	const b = Buffer.alloc(n);
	for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
	return b;
}

/** Compressible text-like data: words from a small vocabulary, some numbers. */
function textLike(n: number, rand: () => number): Buffer {
	const words = ["lws", "xs", "moddable", "websocket", "zip", "deflate", "window", "the", "a", "of", "<div>", "</div>", "{\"k\":", "}", "\n"];
	let s = "";
	while (s.length < n) s += words[(rand() * words.length) | 0] + (rand() < 0.1 ? String((rand() * 1e6) | 0) : " ");
	return Buffer.from(s.slice(0, n), "latin1");
}

/**
 * Inflates `def` fed in pieces of random sizes (1..maxIn) and pulled through an
 * output buffer of `outSize` bytes; returns the output (or only its length and
 * CRC-32 when `keep` is false).
 */
function inflatePieces(inflater: RawInflater, def: Uint8Array, rand: () => number, maxIn: number, outSize: number, keep = true): { data: Buffer; length: number; crc: number } {
	const out = new Uint8Array(outSize);
	const parts: Buffer[] = [];
	let pos = 0, pending: Uint8Array = new Uint8Array(0), length = 0, crc = 0;
	for (;;) {
		if (pending.length === 0 && pos < def.length) {
			const k = 1 + Math.floor(rand() * maxIn);
			pending = def.subarray(pos, pos + k);
			pos += pending.length;
		}
		const n = inflater.inflate(pending, out);
		assert.ok(n >= 0 && n <= out.length);
		assert.ok(inflater.consumed >= 0 && inflater.consumed <= pending.length);
		pending = pending.subarray(inflater.consumed);
		if (n) {
			length += n;
			crc = crc32(out.subarray(0, n), crc);
			if (keep) parts.push(Buffer.from(out.subarray(0, n)));
		}
		if (inflater.done) break;
		if (!n && !inflater.consumed && pending.length === 0 && pos >= def.length) throw new Error("truncated");
	}
	inflater.close();
	return { data: Buffer.concat(parts), length, crc };
}

/** Writes bits LSB first, Huffman codes most significant bit first (RFC 1951 3.1.1). */
class BitWriter {
	private bytes: number[] = [];
	private acc = 0;
	private n = 0;
	bits(value: number, count: number): this {
		for (let i = 0; i < count; i++) this.bit((value >>> i) & 1);
		return this;
	}
	code(code: number, len: number): this {
		for (let i = len - 1; i >= 0; i--) this.bit((code >>> i) & 1);
		return this;
	}
	private bit(b: number): void {
		this.acc |= b << this.n;
		if (++this.n === 8) { this.bytes.push(this.acc); this.acc = 0; this.n = 0; }
	}
	/** A fixed-Huffman literal/length symbol. */
	fixedLit(sym: number): this {
		if (sym < 144) return this.code(0x30 + sym, 8);
		if (sym < 256) return this.code(0x190 + sym - 144, 9);
		if (sym < 280) return this.code(sym - 256, 7);
		return this.code(0xc0 + sym - 280, 8);
	}
	done(): Buffer {
		const out = [...this.bytes];
		if (this.n) out.push(this.acc);
		return Buffer.from(out);
	}
}

function blockType(def: Uint8Array): number {
	return (def[0] >> 1) & 3;
}

function inflateTs(def: Uint8Array, outSize = 1000): Buffer {
	return inflatePieces(new TsInflater(), def, prng(1), 1 << 16, outSize).data;
}

describe("inflate (TypeScript raw inflater)", function () {
	this.timeout(120000);

	it("matches zlib on random data, incompressible and compressible, many sizes, random input pieces, small output buffers", function () {
		const rand = prng(42);
		const sizes = [0, 1, 2, 3, 10, 100, 255, 256, 257, 1000, 4095, 4096, 4097, 32767, 32768, 32769, 65536, 100000, 300001];
		for (const size of sizes) {
			for (const kind of ["random", "text", "runs"]) {
				const data = kind === "random" ? randomBytes(size, rand)
					: kind === "text" ? textLike(size, rand)
					: Buffer.from(Array.from({ length: size }, (_, i) => ((i / 300) | 0) & 3));
				for (const level of [1, 6, 9]) {
					const def = zlib.deflateRawSync(data, { level });
					const maxIn = 1 + ((rand() * 3000) | 0);
					const outSize = 1 + ((rand() * 5000) | 0);
					const got = inflatePieces(new TsInflater(), def, rand, maxIn, outSize).data;
					assert.ok(got.equals(data), `${kind} ${size} level ${level} (pieces <= ${maxIn}, output ${outSize})`);
				}
			}
		}
	});

	it("one byte in, one byte out", function () {
		const data = textLike(20000, prng(7));
		const def = zlib.deflateRawSync(data);
		assert.ok(inflatePieces(new TsInflater(), def, prng(8), 1, 1).data.equals(data));
	});

	it("all three block types: stored, fixed and dynamic Huffman", function () {
		const data = textLike(70000, prng(3));
		const stored = zlib.deflateRawSync(data, { level: 0 });
		const fixed = zlib.deflateRawSync(data, { strategy: zlib.constants.Z_FIXED });
		const dynamic = zlib.deflateRawSync(data, { level: 9 });
		assert.equal(blockType(stored), 0);
		assert.equal(blockType(fixed), 1);
		assert.equal(blockType(dynamic), 2);
		for (const def of [stored, fixed, dynamic]) assert.ok(inflateTs(def, 333).equals(data));
		// a stream mixing them: stored, then fixed, then dynamic blocks (zlib's flush points)
		const z = zlib.deflateRawSync(Buffer.concat([data.subarray(0, 1000)]), { level: 0 });
		assert.ok(inflateTs(z).equals(data.subarray(0, 1000)));
		// an empty stored block, then a final fixed block "abc"
		const mixed = Buffer.concat([Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]),
			new BitWriter().bits(1, 1).bits(1, 2).fixedLit(0x61).fixedLit(0x62).fixedLit(0x63).fixedLit(256).done()]);
		assert.equal(zlib.inflateRawSync(mixed).toString(), "abc");
		assert.equal(inflateTs(mixed).toString(), "abc");
	});

	it("matches over the 32 KiB window, overlapping runs and the longest distance", function () {
		// a literal then a match of 258 at distance 1 (run), and distance 32768 exactly
		const head = randomBytes(32768, prng(9));
		const data = Buffer.concat([head, head, Buffer.alloc(5000, 0x41)]);
		for (const outSize of [1, 7, 4096, 32768, 100000]) assert.ok(inflateTs(zlib.deflateRawSync(data, { level: 9 }), outSize).equals(data));
	});

	it("real data: the entries of candide.zip (libwebsockets-test-server) inflate to their CRC-32", function () {
		const path = "/usr/share/libwebsockets-test-server/candide.zip";
		let zip: Buffer;
		try { zip = readFileSync(path); }
		catch { this.skip(); return; }
		let checked = 0;
		for (let off = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); off >= 0; off = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), off + 4)) {
			const method = zip.readUInt16LE(off + 10), crc = zip.readUInt32LE(off + 16), csize = zip.readUInt32LE(off + 20), usize = zip.readUInt32LE(off + 24);
			const nlen = zip.readUInt16LE(off + 28), local = zip.readUInt32LE(off + 42);
			if (method !== 8) continue;
			const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
			const got = inflatePieces(new TsInflater(), zip.subarray(start, start + csize), prng(checked), 1500, 1460, false);
			assert.equal(got.length, usize, zip.subarray(off + 46, off + 46 + nlen).toString());
			assert.equal(got.crc, crc);
			checked++;
		}
		assert.ok(checked >= 3, `${checked} deflated entries`);
	});

	it("gives back the bytes after the end of the stream (consumed is exact)", function () {
		const data = textLike(5000, prng(11));
		const def = zlib.deflateRawSync(data);
		const withTail = Buffer.concat([def, Buffer.from("TRAILER!")]);
		const inflater = new TsInflater();
		const out = new Uint8Array(10000);
		const n = inflater.inflate(withTail, out);
		assert.equal(n, data.length);
		assert.ok(inflater.done);
		assert.equal(inflater.consumed, def.length);
		assert.equal(inflater.inflate(new Uint8Array(4), out), 0, "nothing after done");
	});

	describe("corrupt streams throw a clear Error", function () {
		const cases: [string, Buffer, RegExp][] = [
			["block type 3", Buffer.from([0x07, 0x00]), /invalid block type/],
			["stored LEN/NLEN mismatch", Buffer.from([0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]), /stored block length check failed/],
			["distance before the start", new BitWriter().bits(1, 1).bits(1, 2).fixedLit(257).code(0, 5).fixedLit(256).done(), /distance too far back/],
			["distance symbol 30", new BitWriter().bits(1, 1).bits(1, 2).fixedLit(0x61).fixedLit(257).code(30, 5).fixedLit(256).done(), /invalid distance symbol/],
			["length symbol 286", new BitWriter().bits(1, 1).bits(1, 2).fixedLit(0x61).fixedLit(286).code(0, 5).fixedLit(256).done(), /invalid literal\/length symbol/],
			// dynamic: HLIT 257, HDIST 1, HCLEN 19; code-length code lengths (order 16,17,18,0,...)
			["over-subscribed code-length code", new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(15, 4).bits(1, 3).bits(1, 3).bits(1, 3).bits(0, 3 * 16).done(), /over-subscribed code length code/],
			["incomplete code-length code", new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(15, 4).bits(2, 3).bits(0, 3 * 18).bits(0, 8).done(), /incomplete code length code/],
			["repeat with no previous length", new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(15, 4).bits(1, 3).bits(0, 3).bits(0, 3).bits(1, 3).bits(0, 3 * 15).code(1, 1).bits(0, 2).bits(0, 8).done(), /repeat without a previous length/],
			["too many length symbols (HLIT 30)", new BitWriter().bits(1, 1).bits(2, 2).bits(30, 5).bits(0, 5).bits(0, 4).bits(0, 16).done(), /too many length or distance symbols/],
		];
		for (const [name, def, message] of cases) {
			it(name, function () {
				assert.throws(() => zlib.inflateRawSync(def), Error, "zlib rejects it too");
				assert.throws(() => inflatePieces(new TsInflater(), def, prng(1), 3, 17), message);
			});
		}
		it("an error is sticky", function () {
			const inflater = new TsInflater();
			assert.throws(() => inflater.inflate(Buffer.from([0x07]), new Uint8Array(10)), /invalid block type/);
			assert.throws(() => inflater.inflate(Buffer.from([0x01]), new Uint8Array(10)), /corrupt/);
		});
		it("a truncated stream never finishes (the caller sees no progress and no end)", function () {
			const def = zlib.deflateRawSync(textLike(10000, prng(5)));
			assert.throws(() => inflatePieces(new TsInflater(), def.subarray(0, def.length - 10), prng(2), 100, 512), /truncated/);
		});
	});

	it("a zip bomb (64 MiB of zeros, 64 KB deflated) costs time, not memory: 4 KiB output buffer", function () {
		const def = zlib.deflateRawSync(Buffer.alloc(64 << 20), { level: 9 });
		assert.ok(def.length < 100000);
		if (global.gc) global.gc();
		const before = process.memoryUsage().arrayBuffers;
		const inflater = new TsInflater();
		const out = new Uint8Array(4096);
		let pending: Uint8Array = def, total = 0, peak = 0, calls = 0;
		while (!inflater.done) {
			const n = inflater.inflate(pending, out);
			pending = pending.subarray(inflater.consumed);
			total += n;
			if ((++calls & 1023) === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
			assert.ok(n > 0 || inflater.consumed > 0 || inflater.done);
		}
		assert.equal(total, 64 << 20);
		assert.ok(peak < 1 << 20, `array buffers grew by ${peak} bytes`);
	});

	it("createInflater uses the registered factory, else the TypeScript one", function () {
		assert.ok(createInflater() instanceof TsInflater);
		let made = 0;
		setInflaterFactory(() => { made++; return new TsInflater(); });
		try {
			createInflater();
			assert.equal(made, 1);
		}
		finally {
			setInflaterFactory(() => new TsInflater());
		}
	});

	it("crc32 (TS) matches zlib.crc32", function () {
		const data = randomBytes(100000, prng(12));
		assert.equal(crc32Ts(data), zlib.crc32(data) >>> 0);
		assert.equal(crc32Ts(data.subarray(5000), crc32Ts(data.subarray(0, 5000))), zlib.crc32(data) >>> 0);
	});
});
