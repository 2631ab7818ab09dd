// ZipArchive (src/fs/zip.ts) and ZipFops (src/fs/zip-fops.ts), with Node's zlib as the reference
// and tools/zip-ui.mjs to build archives.
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ZipArchive, ZipError, bytesSource, fileSource } from "../../src/fs/zip.js";
import type { ByteSource } from "../../src/fs/zip.js";
import { ZipFops } from "../../src/fs/zip-fops.js";
import type { FopsFile } from "../../src/fs/fops.js";

function repositoryRoot(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	while (!existsSync(join(dir, "tools", "zip-ui.mjs"))) {
		const up = dirname(dir);
		if (up === dir) throw new Error("repository root not found");
		dir = up;
	}
	return dir;
}
const ROOT = repositoryRoot();

type BuildZip = (files: [string, Uint8Array][], options?: { level?: number; store?: boolean }) => Buffer;
type ZipDirectory = (dir: string) => Buffer;
let buildZip: BuildZip;
let zipDirectory: ZipDirectory;

const CANDIDE = "/usr/share/libwebsockets-test-server/candide.zip";

function text(n: number, seed = 1): Buffer {
	let s = "", x = seed;
	while (s.length < n) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		s += ["<p>", "zip ", "serving ", "from flash ", "</p>\n", "xsws "][x % 6] + (x % 7 === 0 ? x : "");
	}
	return Buffer.from(s.slice(0, n));
}
function noise(n: number, seed = 1): Buffer {
	const b = Buffer.alloc(n);
	let x = seed;
	for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; b[i] = x >>> 16; }
	return b;
}

const FILES: [string, Buffer][] = [
	["index.html", text(5000, 1)],
	["js/app.js", text(40000, 2)],
	["img/noise.bin", noise(3000, 3)],	// incompressible: stored
	["empty.txt", Buffer.alloc(0)],
];

/** Offsets of the end record and the central directory records of a zip without comment. */
function layout(zip: Buffer): { eocd: number; records: number[]; cdOffset: number } {
	const eocd = zip.length - 22;
	assert.equal(zip.readUInt32LE(eocd), 0x06054b50);
	const count = zip.readUInt16LE(eocd + 10), cdOffset = zip.readUInt32LE(eocd + 16);
	const records: number[] = [];
	for (let i = 0, p = cdOffset; i < count; i++) {
		records.push(p);
		p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
	}
	return { eocd, records, cdOffset };
}

function readAll(file: FopsFile, chunk = 1460): Buffer {
	const parts: Buffer[] = [];
	const buf = new Uint8Array(chunk);
	for (let pos = 0; pos < file.length;) {
		const n = file.read(buf.subarray(0, Math.min(chunk, file.length - pos)), pos);
		assert.ok(n > 0, `read at ${pos} of ${file.length}`);
		parts.push(Buffer.from(buf.subarray(0, n)));
		pos += n;
	}
	file.close();
	return Buffer.concat(parts);
}

function fopsOver(zip: Buffer, name = "ui.zip"): ZipFops {
	return new ZipFops((n) => (n === name ? bytesSource(zip) : undefined));
}

/** A source that counts the bytes read and refuses reads outside. */
function countingSource(zip: Buffer): ByteSource & { bytesRead: number } {
	const inner = bytesSource(zip);
	const s = {
		length: zip.length,
		bytesRead: 0,
		read(into: Uint8Array, position: number): number {
			assert.ok(position >= 0 && position + into.length <= zip.length, `read of ${into.length} at ${position} outside ${zip.length}`);
			const n = inner.read(into, position);
			s.bytesRead += n;
			return n;
		},
	};
	return s;
}

describe("zip", function () {
	this.timeout(60000);
	let zip: Buffer;

	before(async function () {
		const mod = await import(pathToFileURL(join(ROOT, "tools", "zip-ui.mjs")).href);
		buildZip = mod.buildZip;
		zipDirectory = mod.zipDirectory;
		zip = buildZip(FILES);
	});

	describe("ZipArchive", function () {
		it("indexes entries by path; reads only the end record and the central directory", function () {
			const source = countingSource(zip);
			const archive = new ZipArchive(source);
			assert.equal(archive.count, 4);
			assert.ok(source.bytesRead < 1500, `read ${source.bytesRead} of ${zip.length} bytes`);
			const e = archive.entry("js/app.js")!;
			assert.equal(e.method, 8);
			assert.equal(e.size, 40000);
			assert.equal(e.crc32, zlib.crc32(FILES[1][1]) >>> 0);
			assert.equal(archive.entry("/js/app.js")?.name, "js/app.js", "a leading slash is ignored");
			assert.equal(archive.entry("img/noise.bin")!.method, 0);
			assert.equal(archive.entry("js"), undefined);
			assert.equal(archive.entry("nope.html"), undefined);
			assert.equal(archive.entry("index.htm"), undefined);
			assert.ok(archive.isDirectory("js"));
			assert.ok(archive.isDirectory("/img/"));
			assert.ok(archive.isDirectory(""));
			assert.ok(!archive.isDirectory("j"));
			assert.ok(!archive.isDirectory("index.html"));
			assert.deepEqual(archive.paths(), FILES.map((f) => f[0]));
		});

		it("candide.zip (libwebsockets-test-server): directory entries skipped, deflated entries found", function () {
			if (!existsSync(CANDIDE)) this.skip();
			const archive = new ZipArchive(bytesSource(readFileSync(CANDIDE)));
			assert.deepEqual(archive.paths().sort(), ["candide.html", "images/001_th.jpg", "images/002_th.jpg"]);
			assert.equal(archive.entry("images/"), undefined);
			assert.ok(archive.isDirectory("images"));
			assert.equal(archive.entry("candide.html")!.size, 262537);
		});

		it("fileSource reads through a Moddable-style File", function () {
			let position = 0;
			const file = {
				length: zip.length,
				get position() { return position; },
				set position(p: number) { position = p; },
				read(_type: typeof ArrayBuffer, count: number): ArrayBuffer {
					const b = zip.subarray(position, position + count);
					position += b.length;
					return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
				},
			};
			const archive = new ZipArchive(fileSource(file));
			assert.equal(archive.count, 4);
		});

		describe("rejects malformed archives with a ZipError", function () {
			type Mutate = (z: Buffer, l: ReturnType<typeof layout>) => Buffer | void;
			const cases: [string, Mutate, RegExp, object?][] = [
				["too short", (z) => z.subarray(0, 10), /not a zip file/],
				["no end record", (z) => Buffer.concat([z.subarray(0, z.length - 22), Buffer.alloc(22)]), /no end of central directory/],
				["comment length beyond the end", (z, l) => { z.writeUInt16LE(100, l.eocd + 20); }, /comment length runs beyond the end/],
				["zip64 end of central directory locator", (z, l) => {
					const loc = Buffer.alloc(20);
					loc.writeUInt32LE(0x07064b50, 0);
					return Buffer.concat([z.subarray(0, l.eocd), loc, z.subarray(l.eocd)]);
				}, /zip64 is not supported/],
				["zip64 entry count", (z, l) => { z.writeUInt16LE(0xffff, l.eocd + 8); z.writeUInt16LE(0xffff, l.eocd + 10); }, /zip64 is not supported/],
				["zip64 central directory offset", (z, l) => { z.writeUInt32LE(0xffffffff, l.eocd + 16); }, /zip64 is not supported/],
				["zip64 sizes in an entry", (z, l) => { z.writeUInt32LE(0xffffffff, l.records[1] + 20); z.writeUInt32LE(0xffffffff, l.records[1] + 24); }, /zip64 is not supported/],
				["zip64 local header offset", (z, l) => { z.writeUInt32LE(0xffffffff, l.records[2] + 42); }, /zip64 is not supported/],
				["multi-disk", (z, l) => { z.writeUInt16LE(1, l.eocd + 4); }, /multi-disk/],
				["central directory outside the file", (z, l) => { z.writeUInt32LE(z.length, l.eocd + 16); }, /central directory outside the file/],
				["central directory overlapping the end record", (z, l) => { z.writeUInt32LE(z.readUInt32LE(l.eocd + 12) + 30, l.eocd + 12); }, /central directory outside the file/],
				["central directory too small for its entries", (z, l) => { z.writeUInt32LE(100, l.eocd + 12); }, /too small/],
				["too many entries", () => undefined, /too many entries \(4, the limit is 3\)/, { maxEntries: 3 }],
				["bad central record signature", (z, l) => { z.writeUInt32LE(0x12345678, l.records[2]); }, /bad central directory record signature/],
				["a record running past the central directory", (z, l) => { z.writeUInt16LE(60000, l.records[3] + 28); }, /runs past the end of the central directory/],
				["an empty name", (z, l) => { z.writeUInt16LE(0, l.records[0] + 28); z.writeUInt16LE(10, l.records[0] + 32); }, /empty name/],
				["encrypted", (z, l) => { z.writeUInt16LE(1, l.records[0] + 8); }, /index\.html: encrypted entries are not supported/],
				["unsupported method", (z, l) => { z.writeUInt16LE(12, l.records[1] + 10); }, /js\/app\.js: unsupported compression method 12/],
				["stored sizes differ", (z, l) => { z.writeUInt32LE(2999, l.records[2] + 24); }, /stored entry with compressed size 3000 != size 2999/],
				["entries overlapping", (z, l) => { z.writeUInt32LE(z.readUInt32LE(l.records[0] + 42) + 10, l.records[1] + 42); }, /entries overlap/],
				["two entries at one offset", (z, l) => { z.writeUInt32LE(z.readUInt32LE(l.records[0] + 42), l.records[3] + 42); }, /entries overlap/],
				["data overlapping the central directory", (z, l) => { z.writeUInt32LE(z.readUInt32LE(l.records[3] + 20) + 100, l.records[3] + 20); }, /data overlaps the central directory/],
				["local header offset beyond the central directory", (z, l) => { z.writeUInt32LE(l.cdOffset + 5, l.records[0] + 42); }, /data overlaps the central directory or lies outside the file/],
				["duplicate names", (z, l) => { z.write("js/app.js", l.records[2] + 46, "latin1"); z.writeUInt16LE(9, l.records[2] + 28); z.writeUInt16LE(4, l.records[2] + 32); }, /duplicate entry js\/app\.js/],
			];
			for (const [name, mutate, message, options] of cases) {
				it(name, function () {
					const copy = Buffer.from(zip);
					const bad = mutate(copy, layout(copy)) ?? copy;
					const source = countingSource(bad);
					assert.throws(() => new ZipArchive(source, options), (e: unknown) => {
						assert.ok(e instanceof ZipError, `ZipError, got ${e}`);
						assert.match((e as Error).message, message);
						return true;
					});
				});
			}

			it("a bad local header signature (found on open)", function () {
				const copy = Buffer.from(zip);
				copy.writeUInt32LE(0, copy.readUInt32LE(layout(copy).records[1] + 42));
				const fops = fopsOver(copy);
				assert.throws(() => fops.open("/ui.zip", "/js/app.js"), /ZipError|bad local header signature/);
				assert.ok(fops.open("/ui.zip", "/index.html"), "other entries still open");
			});

			it("a local extra field pushing the data into the next entry (found on open)", function () {
				const copy = Buffer.from(zip);
				copy.writeUInt16LE(5000, copy.readUInt32LE(layout(copy).records[0] + 42) + 28);
				assert.throws(() => fopsOver(copy).open("ui.zip", "index.html"), /data overlaps the next entry/);
			});

			it("ZipFops reports a malformed archive as its ZipError, every time", function () {
				const fops = fopsOver(Buffer.alloc(100));
				for (let i = 0; i < 2; i++) assert.throws(() => fops.open("ui.zip", "index.html"), (e: unknown) => e instanceof ZipError && /ui\.zip: not a zip file/.test((e as Error).message));
			});
		});
	});

	describe("ZipFops", function () {
		it("stored, inflated and gzip representations; etags; Vary", function () {
			const fops = fopsOver(zip);
			for (const [name, data] of FILES) {
				const plain = fops.open("/ui.zip", "/" + name)!;
				assert.equal(plain.length, data.length);
				assert.ok(readAll(plain, 1000).equals(data), name);
				const crc = (zlib.crc32(data) >>> 0).toString(16);
				assert.equal(plain.etag, `"${crc}-${data.length.toString(16)}"`);
				assert.equal(plain.contentEncoding, undefined);
				const gz = fops.open("/ui.zip", "/" + name, { acceptGzip: true })!;
				const deflated = name !== "img/noise.bin" && data.length > 0;
				assert.equal(plain.varyAcceptEncoding ?? false, deflated, name);
				if (deflated) {
					assert.equal(gz.contentEncoding, "gzip");
					assert.equal(gz.varyAcceptEncoding, true);
					assert.equal(gz.etag, `"${crc}-${data.length.toString(16)}-gz"`);
					const bytes = readAll(gz, 777);
					assert.equal(gz.length, bytes.length);
					assert.ok(zlib.gunzipSync(bytes).equals(data), `${name} gunzips`);
				}
				else {
					assert.equal(gz.contentEncoding, undefined, "stored entries are sent as they are");
					assert.equal(gz.etag, plain.etag);
				}
			}
			assert.equal(fops.open("/ui.zip", "/missing.html"), undefined);
			assert.equal(fops.open("/other.zip", "/index.html"), undefined);
			assert.ok(fops.isDirectory("/ui.zip", "/js"));
			assert.ok(!fops.isDirectory("/ui.zip", "/index.html"));
			assert.ok(!fops.isDirectory("/other.zip", "/js"));
		});

		it("opens each archive once", function () {
			let resolved = 0;
			const fops = new ZipFops(() => { resolved++; return bytesSource(zip); });
			for (let i = 0; i < 5; i++) fops.open("ui.zip", "index.html")!.close();
			assert.ok(fops.isDirectory("/ui.zip", "js"));
			assert.equal(resolved, 1);
		});

		it("gzip passthrough reads at any position (ranges)", function () {
			const gz = fopsOver(zip).open("ui.zip", "js/app.js", { acceptGzip: true })!;
			const whole = readAll(gz, 5000);
			for (const [from, len] of [[0, 3], [5, 20], [100, 1000], [whole.length - 12, 12], [whole.length - 3, 10]]) {
				const buf = new Uint8Array(len);
				const n = gz.read(buf, from);
				assert.equal(n, Math.min(len, whole.length - from));
				assert.ok(Buffer.from(buf.subarray(0, n)).equals(whole.subarray(from, from + n)));
			}
		});

		it("the demo's www, zipped by tools/zip-ui.mjs, serves every file (plain and gzip)", function () {
			const www = join(ROOT, "apps", "demo", "www");
			const z = zipDirectory(www);
			assert.ok(z.equals(zipDirectory(www)), "deterministic");
			const fops = fopsOver(z);
			const archive = fops.archive("ui.zip")!;
			assert.ok(archive.count >= 3);
			for (const name of archive.paths()) {
				const data = readFileSync(join(www, name));
				assert.ok(readAll(fops.open("ui.zip", name)!, 512).equals(data), name);
				const gz = fops.open("ui.zip", name, { acceptGzip: true })!;
				const back = readAll(gz);
				assert.ok((gz.contentEncoding ? zlib.gunzipSync(back) : back).equals(data), name);
			}
		});

		it("candide.zip entries inflate with the right CRC-32 and gunzip from the passthrough", function () {
			if (!existsSync(CANDIDE)) this.skip();
			const fops = new ZipFops(() => bytesSource(readFileSync(CANDIDE)));
			for (const name of fops.archive("candide.zip")!.paths()) {
				const plain = readAll(fops.open("candide.zip", name)!, 1460);
				const gz = readAll(fops.open("candide.zip", name, { acceptGzip: true })!, 1460);
				assert.ok(zlib.gunzipSync(gz).equals(plain), name);
				assert.equal(zlib.crc32(plain) >>> 0, fops.archive("candide.zip")!.entry(name)!.crc32);
			}
		});

		describe("a damaged entry throws while being read (the server aborts the connection)", function () {
			function damaged(mutate: (z: Buffer, rec: number, dataAt: number) => void, name = "js/app.js"): ZipFops {
				const copy = Buffer.from(zip);
				const l = layout(copy);
				const index = FILES.findIndex((f) => f[0] === name);
				const rec = l.records[index];
				const local = copy.readUInt32LE(rec + 42);
				mutate(copy, rec, local + 30 + copy.readUInt16LE(local + 26));
				return fopsOver(copy);
			}
			it("CRC mismatch (deflated)", function () {
				const fops = damaged((z, rec) => { z.writeUInt32LE((z.readUInt32LE(rec + 16) ^ 1) >>> 0, rec + 16); });
				assert.throws(() => readAll(fops.open("ui.zip", "js/app.js")!), /CRC mismatch/);
			});
			it("CRC mismatch (stored, read sequentially)", function () {
				const fops = damaged((z, _rec, at) => { z[at + 100] ^= 0xff; }, "img/noise.bin");
				assert.throws(() => readAll(fops.open("ui.zip", "img/noise.bin")!), /CRC mismatch/);
			});
			it("corrupt deflate data", function () {
				const fops = damaged((z, _rec, at) => { z[at] = 0x07; });
				assert.throws(() => readAll(fops.open("ui.zip", "js/app.js")!), /inflate: corrupt data/);
			});
			it("deflate data ends before its size (size too big)", function () {
				const fops = damaged((z, rec) => { z.writeUInt32LE(40100, rec + 24); });
				assert.throws(() => readAll(fops.open("ui.zip", "js/app.js")!), /ends early/);
			});
			it("deflate data overruns its size (size too small)", function () {
				const fops = damaged((z, rec) => { z.writeUInt32LE(39000, rec + 24); });
				assert.throws(() => readAll(fops.open("ui.zip", "js/app.js")!), /overruns its size/);
			});
			it("compressed size too small: the stream is truncated", function () {
				const fops = damaged((z, rec) => { z.writeUInt32LE(z.readUInt32LE(rec + 20) - 50, rec + 20); });
				assert.throws(() => readAll(fops.open("ui.zip", "js/app.js")!), /truncated/);
			});
			it("inflating reads must be sequential", function () {
				const file = fopsOver(zip).open("ui.zip", "js/app.js")!;
				file.read(new Uint8Array(100), 0);
				assert.throws(() => file.read(new Uint8Array(100), 500), /sequential/);
				file.close();
			});
		});

		it("an inflating stream holds a bounded amount of memory, whatever the entry's size", function () {
			const big = buildZip([["zeros.bin", Buffer.alloc(32 << 20)]]);
			assert.ok(big.length < 100000);
			const file = fopsOver(big).open("ui.zip", "zeros.bin")!;
			const before = process.memoryUsage().arrayBuffers;
			const buf = new Uint8Array(4096);
			let peak = 0;
			for (let pos = 0, i = 0; pos < file.length; i++) {
				const n = file.read(buf, pos);
				pos += n;
				if ((i & 1023) === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
			}
			file.close();
			assert.ok(peak < 1 << 20, `array buffers grew by ${peak}`);
		});
	});
});
