/**
 * Zip archive reader over a random-access byte source. It reads the end of
 * central directory record and the central directory only — never the whole
 * file — and keeps a compact index in typed arrays (about 30 bytes per entry
 * plus the name bytes, no object per entry). Entries are looked up by their
 * path ("/" separators); directory entries are skipped. Methods: stored (0)
 * and deflated (8). Anything malformed, or beyond what this reader supports,
 * throws a ZipError with a message saying what; no read ever goes outside the
 * file or outside the bounds the central directory gives.
 */
import { encodeUtf8, decodeUtf8, decodeLatin1 } from "../util/utf8.js";

/** Random-access bytes: a flash Resource, a file, a buffer. */
export interface ByteSource {
	readonly length: number;
	/** Fills `into` from `position`; returns the bytes read (fewer only at the end). */
	read(into: Uint8Array, position: number): number;
}

/** A ByteSource over bytes in memory (or mapped: `new Uint8Array(resource)` of a Moddable Resource). */
export function bytesSource(bytes: Uint8Array | ArrayBuffer): ByteSource {
	const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	return {
		length: b.length,
		read(into, position) {
			if (position < 0 || position >= b.length) return 0;
			const n = Math.min(into.length, b.length - position);
			into.set(b.subarray(position, position + n));
			return n;
		},
	};
}

/** The parts of a Moddable `file` File that fileSource uses. */
export interface ReadableFile {
	/** `count` bytes from `position` on, which moves past them */
	read(type: typeof ArrayBuffer, count: number): ArrayBuffer;
	/** the file's length */
	readonly length: number;
	/** where the next read starts */
	position: number;
}

/** A ByteSource over an open Moddable `file` File. */
export function fileSource(file: ReadableFile): ByteSource {
	const length = file.length;
	return {
		length,
		read(into, position) {
			if (position < 0 || position >= length) return 0;
			const n = Math.min(into.length, length - position);
			if (n <= 0) return 0;
			file.position = position;
			const ab = file.read(ArrayBuffer, n);
			into.set(new Uint8Array(ab));
			return ab.byteLength;
		},
	};
}

export class ZipError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "ZipError";
	}
}

export interface ZipOptions {
	/** Most central directory records (files and directories) accepted; default 1024. */
	maxEntries?: number;
}

export const ZIP_MAX_ENTRIES = 1024;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export interface ZipEntry {
	/** Path inside the archive, "/" separated, no leading slash. */
	readonly name: string;
	readonly method: 0 | 8;
	/** CRC-32 of the uncompressed bytes (unsigned). */
	readonly crc32: number;
	readonly compressedSize: number;
	/** Uncompressed size. */
	readonly size: number;
	/** Offset of the local file header. */
	readonly headerOffset: number;
	/** Where this entry's data must end: the next local header or the central directory. */
	readonly limit: number;
}

const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;

function u16(b: Uint8Array, at: number): number {
	return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
	return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export class ZipArchive {
	/** Number of file entries (directories not counted). */
	readonly count: number;
	private readonly names: Uint8Array;
	private readonly nameStart: Uint32Array;
	private readonly nameLength: Uint16Array;
	private readonly crcs: Uint32Array;
	private readonly csizes: Uint32Array;
	private readonly sizes: Uint32Array;
	private readonly offsets: Uint32Array;
	private readonly limits: Uint32Array;
	private readonly methods: Uint8Array;
	/** Entry indices sorted by name bytes, for binary search. */
	private readonly order: Uint16Array;
	private readonly scratch = new Uint8Array(LOCAL_SIZE);

	constructor(readonly source: ByteSource, options: ZipOptions = {}) {
		const maxEntries = options.maxEntries ?? ZIP_MAX_ENTRIES;
		const length = source.length;
		if (!(length >= EOCD_SIZE)) throw new ZipError("not a zip file (shorter than an end of central directory record)");
		const eocd = new Uint8Array(EOCD_SIZE);
		const at = this.findEnd(eocd);
		if (at >= 20) {
			const loc = new Uint8Array(4);
			this.readFully(loc, at - 20);
			if (u32(loc, 0) === SIG_ZIP64_LOCATOR) throw new ZipError("zip64 is not supported");
		}
		const disk = u16(eocd, 4), cdDisk = u16(eocd, 6), diskEntries = u16(eocd, 8), entries = u16(eocd, 10);
		const cdSize = u32(eocd, 12), cdOffset = u32(eocd, 16);
		if (entries === 0xffff || diskEntries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipError("zip64 is not supported");
		if (disk !== 0 || cdDisk !== 0 || diskEntries !== entries) throw new ZipError("multi-disk (spanned) archives are not supported");
		if (entries > maxEntries) throw new ZipError(`too many entries (${entries}, the limit is ${maxEntries})`);
		if (cdOffset + cdSize > at) throw new ZipError(`central directory outside the file (offset ${cdOffset}, size ${cdSize}, end record at ${at})`);
		if (cdSize < entries * CENTRAL_SIZE) throw new ZipError(`central directory too small for its ${entries} entries`);

		// pass over the central directory; names go into one buffer (trimmed at the end)
		const cdEnd = cdOffset + cdSize;
		const names = new Uint8Array(Math.max(0, cdSize - entries * CENTRAL_SIZE));
		const nameStart = new Uint32Array(entries), nameLength = new Uint16Array(entries);
		const crcs = new Uint32Array(entries), csizes = new Uint32Array(entries), sizes = new Uint32Array(entries);
		const offsets = new Uint32Array(entries), methods = new Uint8Array(entries);
		const allOffsets = new Float64Array(entries);	// every local header, directories too
		const allEnds = new Float64Array(entries);		// least end of each (header + name + data)
		const rec = new Uint8Array(CENTRAL_SIZE);
		let pos = cdOffset, used = 0, n = 0;
		for (let i = 0; i < entries; i++) {
			if (pos + CENTRAL_SIZE > cdEnd) throw new ZipError(`central directory record ${i} runs past the end of the central directory`);
			this.readFully(rec, pos);
			if (u32(rec, 0) !== SIG_CENTRAL) throw new ZipError(`bad central directory record signature at ${pos}`);
			const flags = u16(rec, 8), method = u16(rec, 10), crc = u32(rec, 16);
			const csize = u32(rec, 20), usize = u32(rec, 24);
			const nlen = u16(rec, 28), xlen = u16(rec, 30), clen = u16(rec, 32);
			const startDisk = u16(rec, 34), offset = u32(rec, 42);
			const next = pos + CENTRAL_SIZE + nlen + xlen + clen;
			if (next > cdEnd) throw new ZipError(`central directory record ${i} runs past the end of the central directory`);
			if (nlen === 0) throw new ZipError(`central directory record ${i} has an empty name`);
			const nameBytes = names.subarray(used, used + nlen);
			this.readFully(nameBytes, pos + CENTRAL_SIZE);
			const name = nameText(nameBytes);
			if (csize === 0xffffffff || usize === 0xffffffff || offset === 0xffffffff || startDisk === 0xffff) throw new ZipError("zip64 is not supported");
			if (startDisk !== 0) throw new ZipError("multi-disk (spanned) archives are not supported");
			if (offset + LOCAL_SIZE + nlen + csize > cdOffset) throw new ZipError(`entry ${name}: data overlaps the central directory or lies outside the file`);
			allOffsets[i] = offset;
			allEnds[i] = offset + LOCAL_SIZE + nlen + csize;
			pos = next;
			if (nameBytes[nlen - 1] === 0x2f) continue;	// a directory
			if (flags & 0x41) throw new ZipError(`entry ${name}: encrypted entries are not supported`);
			if (method !== METHOD_STORED && method !== METHOD_DEFLATED) throw new ZipError(`entry ${name}: unsupported compression method ${method}`);
			if (method === METHOD_STORED && csize !== usize) throw new ZipError(`entry ${name}: stored entry with compressed size ${csize} != size ${usize}`);
			nameStart[n] = used;
			nameLength[n] = nlen;
			used += nlen;
			crcs[n] = crc;
			csizes[n] = csize;
			sizes[n] = usize;
			offsets[n] = offset;
			methods[n] = method;
			n++;
		}

		// entries must not overlap one another: sort all local headers by offset
		const byOffset = new Uint16Array(entries);
		for (let i = 0; i < entries; i++) byOffset[i] = i;
		byOffset.sort((a, b) => allOffsets[a] - allOffsets[b]);
		for (let k = 0; k + 1 < entries; k++) {
			const a = byOffset[k], b = byOffset[k + 1];
			if (allEnds[a] > allOffsets[b]) throw new ZipError(`entries overlap (local headers at ${allOffsets[a]} and ${allOffsets[b]})`);
		}
		const limits = new Uint32Array(n);
		for (let i = 0; i < n; i++) {
			// the next local header after this one, or the central directory (binary search in byOffset)
			let lo = 0, hi = entries;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (allOffsets[byOffset[mid]] <= offsets[i]) lo = mid + 1;
				else hi = mid;
			}
			limits[i] = lo < entries ? allOffsets[byOffset[lo]] : cdOffset;
		}

		this.count = n;
		this.names = names.slice(0, used);
		this.nameStart = nameStart.slice(0, n);
		this.nameLength = nameLength.slice(0, n);
		this.crcs = crcs.slice(0, n);
		this.csizes = csizes.slice(0, n);
		this.sizes = sizes.slice(0, n);
		this.offsets = offsets.slice(0, n);
		this.methods = methods.slice(0, n);
		this.limits = limits;
		const order = new Uint16Array(n);
		for (let i = 0; i < n; i++) order[i] = i;
		const nb = this.names, ns = this.nameStart, nl = this.nameLength;
		order.sort((a, b) => compareBytes(nb, ns[a], nl[a], nb, ns[b], nl[b]));
		for (let k = 0; k + 1 < n; k++) {
			const a = order[k], b = order[k + 1];
			if (compareBytes(nb, ns[a], nl[a], nb, ns[b], nl[b]) === 0) throw new ZipError(`duplicate entry ${this.nameOf(a)}`);
		}
		this.order = order;
	}

	/** The entry at `path` ("a/b.html" or "/a/b.html"), or undefined. */
	entry(path: string): ZipEntry | undefined {
		const i = this.find(path);
		return i < 0 ? undefined : this.entryAt(i);
	}

	/** The i-th entry (0 <= i < count), in central directory order. */
	entryAt(i: number): ZipEntry {
		return {
			name: this.nameOf(i),
			method: this.methods[i] as 0 | 8,
			crc32: this.crcs[i],
			compressedSize: this.csizes[i],
			size: this.sizes[i],
			headerOffset: this.offsets[i],
			limit: this.limits[i],
		};
	}

	/** Index of the entry at `path`, or -1. */
	find(path: string): number {
		const key = encodeUtf8(path.charCodeAt(0) === 0x2f ? path.slice(1) : path);
		const k = this.lowerBound(key);
		if (k >= this.count) return -1;
		const i = this.order[k];
		return compareBytes(this.names, this.nameStart[i], this.nameLength[i], key, 0, key.length) === 0 ? i : -1;
	}

	/** True if any file lies under `path` + "/" ("" or "/" is the root). */
	isDirectory(path: string): boolean {
		let p = path;
		while (p.charCodeAt(0) === 0x2f) p = p.slice(1);
		while (p.length && p.charCodeAt(p.length - 1) === 0x2f) p = p.slice(0, -1);
		if (p === "") return this.count > 0;
		const key = encodeUtf8(p + "/");
		const k = this.lowerBound(key);
		if (k >= this.count) return false;
		const i = this.order[k];
		if (this.nameLength[i] < key.length) return false;
		return compareBytes(this.names, this.nameStart[i], key.length, key, 0, key.length) === 0;
	}

	/** Names of all file entries, in central directory order. */
	paths(): string[] {
		const out: string[] = [];
		for (let i = 0; i < this.count; i++) out.push(this.nameOf(i));
		return out;
	}

	/**
	 * Reads the entry's local header and returns where its data starts, having
	 * checked that the data lies before the next entry or the central directory.
	 */
	dataOffset(entry: ZipEntry): number {
		const h = this.scratch;
		this.readFully(h, entry.headerOffset);
		if (u32(h, 0) !== SIG_LOCAL) throw new ZipError(`entry ${entry.name}: bad local header signature at ${entry.headerOffset}`);
		if (u16(h, 6) & 0x41) throw new ZipError(`entry ${entry.name}: encrypted entries are not supported`);
		if (u16(h, 8) !== entry.method) throw new ZipError(`entry ${entry.name}: local header method ${u16(h, 8)} differs from the central directory's ${entry.method}`);
		const start = entry.headerOffset + LOCAL_SIZE + u16(h, 26) + u16(h, 28);
		if (start + entry.compressedSize > entry.limit) throw new ZipError(`entry ${entry.name}: data overlaps the next entry or the central directory`);
		return start;
	}

	private nameOf(i: number): string {
		return nameText(this.names.subarray(this.nameStart[i], this.nameStart[i] + this.nameLength[i]));
	}

	private lowerBound(key: Uint8Array): number {
		const order = this.order, nb = this.names, ns = this.nameStart, nl = this.nameLength;
		let lo = 0, hi = this.count;
		while (lo < hi) {
			const mid = (lo + hi) >> 1, i = order[mid];
			if (compareBytes(nb, ns[i], nl[i], key, 0, key.length) < 0) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	private readFully(into: Uint8Array, position: number): void {
		if (position < 0 || position + into.length > this.source.length) throw new ZipError(`read outside the file (${into.length} bytes at ${position})`);
		let done = 0;
		while (done < into.length) {
			const n = this.source.read(done ? into.subarray(done) : into, position + done);
			if (!(n > 0)) throw new ZipError(`short read at ${position + done}`);
			done += n;
		}
	}

	/** Finds the end of central directory record: its offset, its 22 bytes in `eocd`. */
	private findEnd(eocd: Uint8Array): number {
		const length = this.source.length;
		const lowest = Math.max(0, length - EOCD_SIZE - MAX_COMMENT);
		const chunk = new Uint8Array(512);
		let overflow = false;
		// scan backwards in pieces; each piece covers the candidates [from, to] and 3 bytes more
		let to = length - EOCD_SIZE;
		while (to >= lowest) {
			const from = Math.max(lowest, to - (chunk.length - 4) + 1);
			const piece = chunk.subarray(0, to - from + 4);
			this.readFully(piece, from);
			for (let p = to; p >= from; p--) {
				const k = p - from;
				if (piece[k] !== 0x50 || piece[k + 1] !== 0x4b || piece[k + 2] !== 0x05 || piece[k + 3] !== 0x06) continue;
				this.readFully(eocd, p);
				const end = p + EOCD_SIZE + u16(eocd, 20);
				if (end === length) return p;
				if (end > length) overflow = true;
			}
			to = from - 1;
		}
		if (overflow) throw new ZipError("end of central directory comment length runs beyond the end of the file");
		throw new ZipError("not a zip file (no end of central directory record)");
	}
}

function nameText(b: Uint8Array): string {
	return decodeUtf8(b) ?? decodeLatin1(b);
}

function compareBytes(a: Uint8Array, as: number, al: number, b: Uint8Array, bs: number, bl: number): number {
	const n = al < bl ? al : bl;
	for (let i = 0; i < n; i++) {
		const d = a[as + i] - b[bs + i];
		if (d) return d;
	}
	return al - bl;
}
