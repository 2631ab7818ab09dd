/**
 * fops over zip archives (lws "fops-zip"): a mount's origin names a zip,
 * files are its entries.
 *
 * - stored entries are served as they are (CRC-32 checked on a sequential read);
 * - deflated entries, when the client accepts gzip, are served as gzip with no
 *   inflate at all: a 10-byte gzip header, the raw deflate bytes as they sit
 *   in the zip, and an 8-byte trailer with the CRC-32 and size from the
 *   central directory;
 * - otherwise they are inflated while being read, in bounded memory (a 32 KiB
 *   window, a small input buffer), with the CRC-32 and size checked at the end.
 */
import type { Fops, FopsFile, FopsOpenOptions } from "./fops.js";
import { FopsBusyError } from "./fops.js";
import { ZipArchive, ZipError, METHOD_DEFLATED } from "./zip.js";
import type { ByteSource, ZipEntry, ZipOptions } from "./zip.js";
import { createInflater } from "./inflate.js";
import type { RawInflater } from "./inflate.js";
import { crc32 } from "../util/crc32.js";

/** Finds the bytes of the zip a mount names ("ui.zip"; a leading "/" is removed first). */
export type ZipSourceResolver = (name: string) => ByteSource | undefined;

export interface ZipFopsOptions extends ZipOptions {
	/** Compressed bytes an inflating stream reads from the source at a time; default 1024. */
	inputChunk?: number;
	/**
	 * Inflating streams open at once; default 2. Each holds a 32 KiB window and the inflater's
	 * state (~43 KB of system memory on the board); past the limit opens throw FopsBusyError
	 * (503). Clients that accept gzip never need one.
	 */
	maxInflaters?: number;
}

/** Inflating streams in use, shared by a ZipFops and its files. */
interface InflaterBudget {
	active: number;
	readonly max: number;
}

const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
export const GZIP_OVERHEAD = 18;

export class ZipFops implements Fops {
	private readonly archives = new Map<string, ZipArchive | ZipError>();
	private readonly inputChunk: number;
	private readonly budget: InflaterBudget;

	constructor(private readonly resolve: ZipSourceResolver, private readonly options: ZipFopsOptions = {}) {
		this.inputChunk = options.inputChunk ?? 1024;
		this.budget = { active: 0, max: options.maxInflaters ?? 2 };
	}

	/**
	 * The archive `root` names, opened once and cached; undefined if the
	 * resolver has no such zip. A malformed zip throws its ZipError (every time).
	 */
	archive(root: string): ZipArchive | undefined {
		const name = root.charCodeAt(0) === 0x2f ? root.slice(1) : root;
		const cached = this.archives.get(name);
		if (cached instanceof ZipArchive) return cached;
		if (cached) throw cached;
		const source = this.resolve(name);
		if (!source) return undefined;
		try {
			const archive = new ZipArchive(source, this.options);
			this.archives.set(name, archive);
			return archive;
		}
		catch (e) {
			if (e instanceof ZipError) this.archives.set(name, new ZipError(`${name}: ${e.message}`));
			throw this.archives.get(name) ?? e;
		}
	}

	open(root: string, path: string, opts?: FopsOpenOptions): FopsFile | undefined {
		const archive = this.archive(root);
		if (!archive) return undefined;
		const entry = archive.entry(path);
		if (!entry) return undefined;
		const start = archive.dataOffset(entry);
		if (entry.method !== METHOD_DEFLATED) return new StoredFile(archive.source, entry, start);
		if (opts?.acceptGzip) return new GzipFile(archive.source, entry, start);
		if (this.budget.active >= this.budget.max)
			throw new FopsBusyError(`${entry.name}: ${this.budget.max} inflating streams already open (maxInflaters)`);
		return new InflatingFile(archive.source, entry, start, this.inputChunk, this.budget);
	}

	isDirectory(root: string, path: string): boolean {
		return this.archive(root)?.isDirectory(path) ?? false;
	}
}

function etagOf(entry: ZipEntry, suffix = ""): string {
	return `"${entry.crc32.toString(16)}-${entry.size.toString(16)}${suffix}"`;
}

function crcMismatch(entry: ZipEntry, crc: number): Error {
	return new Error(`zip entry ${entry.name}: CRC mismatch (central directory ${entry.crc32.toString(16)}, data ${crc.toString(16)})`);
}

/** Reads exactly into.length bytes or throws. */
function readFully(source: ByteSource, into: Uint8Array, position: number, entry: ZipEntry): void {
	let done = 0;
	while (done < into.length) {
		const n = source.read(done ? into.subarray(done) : into, position + done);
		if (!(n > 0)) throw new Error(`zip entry ${entry.name}: short read at ${position + done}`);
		done += n;
	}
}

/** A stored entry: the bytes as they are. Random access; the CRC-32 is checked when read sequentially from 0. */
class StoredFile implements FopsFile {
	readonly length: number;
	readonly etag: string;
	private crc = 0;
	private crcAt = 0;	// next position the running CRC expects, -1 once reads jumped
	constructor(private readonly source: ByteSource, private readonly entry: ZipEntry, private readonly start: number) {
		this.length = entry.size;
		this.etag = etagOf(entry);
	}
	read(into: Uint8Array, position: number): number {
		const n = Math.min(into.length, this.length - position);
		if (n <= 0) return 0;
		const part = n === into.length ? into : into.subarray(0, n);
		readFully(this.source, part, this.start + position, this.entry);
		if (position === this.crcAt) {
			this.crc = crc32(part, this.crc);
			this.crcAt += n;
			if (this.crcAt === this.length && this.crc !== this.entry.crc32) throw crcMismatch(this.entry, this.crc);
		}
		else this.crcAt = -1;
		return n;
	}
	close(): void {}
}

/** A deflated entry as gzip: header, the raw deflate bytes from the zip, trailer. Random access, no inflate. */
class GzipFile implements FopsFile {
	readonly length: number;
	readonly etag: string;
	readonly contentEncoding = "gzip" as const;
	readonly varyAcceptEncoding = true;
	private readonly trailer = new Uint8Array(8);
	constructor(private readonly source: ByteSource, private readonly entry: ZipEntry, private readonly start: number) {
		this.length = GZIP_OVERHEAD + entry.compressedSize;
		this.etag = etagOf(entry, "-gz");
		const t = this.trailer, c = entry.crc32, s = entry.size;
		t[0] = c; t[1] = c >>> 8; t[2] = c >>> 16; t[3] = c >>> 24;
		t[4] = s; t[5] = s >>> 8; t[6] = s >>> 16; t[7] = s >>> 24;
	}
	read(into: Uint8Array, position: number): number {
		const want = Math.min(into.length, this.length - position);
		if (want <= 0 || position < 0) return 0;
		const csize = this.entry.compressedSize;
		let got = 0, pos = position;
		if (pos < 10) {
			const k = Math.min(10 - pos, want);
			into.set(GZIP_HEADER.subarray(pos, pos + k));
			got += k; pos += k;
		}
		if (got < want && pos < 10 + csize) {
			const k = Math.min(10 + csize - pos, want - got);
			readFully(this.source, into.subarray(got, got + k), this.start + pos - 10, this.entry);
			got += k; pos += k;
		}
		if (got < want) {
			const t = pos - 10 - csize;
			const k = want - got;
			into.set(this.trailer.subarray(t, t + k), got);
			got += k;
		}
		return got;
	}
	close(): void {}
}

/**
 * A deflated entry inflated while it is read. Reads must be sequential
 * (each position where the previous read ended, from 0), which is how the
 * server streams a response. Memory: the inflater (32 KiB window) and one
 * input buffer of `inputChunk` bytes. The inflater is created on the first
 * read and released as soon as the entry is complete, or by close().
 * The read that reaches the end verifies that the deflate stream ends there
 * and that the CRC-32 matches, and throws otherwise.
 */
class InflatingFile implements FopsFile {
	readonly length: number;
	readonly etag: string;
	readonly varyAcceptEncoding = true;
	private inflater: RawInflater | null = null;
	private input: Uint8Array | null = null;
	private inStart = 0;
	private inEnd = 0;
	private taken = 0;	// compressed bytes read from the source
	private pos = 0;	// bytes delivered
	private crc = 0;
	private held = true;
	constructor(private readonly source: ByteSource, private readonly entry: ZipEntry, private readonly start: number,
		private readonly inputChunk: number, private readonly budget: InflaterBudget) {
		this.length = entry.size;
		this.etag = etagOf(entry);
		budget.active++;
	}

	read(into: Uint8Array, position: number): number {
		if (position !== this.pos) throw new Error(`zip entry ${this.entry.name}: an inflated entry is read sequentially (asked for ${position}, next is ${this.pos})`);
		const want = Math.min(into.length, this.length - position);
		if (want <= 0) return 0;
		const inflater = this.inflater ?? (this.inflater = createInflater());
		let got = 0;
		while (got < want) {
			const out = got === 0 && want === into.length ? into : into.subarray(got, want);
			const made = this.step(inflater, out);
			if (made) {
				this.crc = crc32(made === out.length ? out : out.subarray(0, made), this.crc);
				got += made;
			}
			else if (inflater.done) throw new Error(`zip entry ${this.entry.name}: deflate data ends early (${this.pos + got} of ${this.length} bytes)`);
		}
		this.pos += got;
		if (this.pos === this.length) this.finish(inflater);
		return got;
	}

	close(): void {
		this.release();
	}

	/** One inflate call, refilling the input first when it is empty; throws when it cannot progress. */
	private step(inflater: RawInflater, out: Uint8Array): number {
		if (this.inStart === this.inEnd) this.refill();
		const input = this.input!;
		const made = inflater.inflate(this.inStart === 0 && this.inEnd === input.length ? input : input.subarray(this.inStart, this.inEnd), out);
		const consumed = inflater.consumed;
		this.inStart += consumed;
		if (!made && !consumed && !inflater.done) {
			if (this.inStart === this.inEnd && this.taken >= this.entry.compressedSize) throw new Error(`zip entry ${this.entry.name}: deflate data is truncated (${this.entry.compressedSize} compressed bytes)`);
			if (this.inStart !== this.inEnd) throw new Error(`zip entry ${this.entry.name}: inflater made no progress`);
		}
		return made;
	}

	private refill(): void {
		const left = this.entry.compressedSize - this.taken;
		const input = this.input ?? (this.input = new Uint8Array(this.inputChunk));
		const n = left < input.length ? left : input.length;
		if (n > 0) readFully(this.source, input.subarray(0, n), this.start + this.taken, this.entry);
		this.taken += n;
		this.inStart = 0;
		this.inEnd = n;
	}

	/** All bytes delivered: the stream must end here, with the right CRC-32. */
	private finish(inflater: RawInflater): void {
		const probe = new Uint8Array(1);
		while (!inflater.done) {
			if (this.step(inflater, probe)) throw new Error(`zip entry ${this.entry.name}: deflate data overruns its size ${this.length}`);
		}
		this.release();
		if (this.crc !== this.entry.crc32) throw crcMismatch(this.entry, this.crc);
	}

	private release(): void {
		this.inflater?.close();
		this.inflater = null;
		this.input = null;
		if (this.held) {
			this.held = false;
			this.budget.active--;
		}
	}
}
