/**
 * Bounded streaming raw inflate (RFC 1951), pull style.
 *
 * The caller pulls: each `inflate(input, output)` call produces at most
 * `output.length` bytes and takes only the input it needs (`consumed`); the
 * caller hands the rest (`input.subarray(consumed)`) back on the next call,
 * possibly after appending more. Memory is fixed — a 32 KiB window plus small
 * Huffman tables — whatever the size or the ratio of the data, so a zip bomb
 * costs time, not memory.
 *
 * Moddable's own `inflate` module cannot do this: its push() inflates all it
 * is given and calls onData synchronously for each 1 KiB it produces, with no
 * backpressure, so high-ratio input cannot be bounded. Hosts therefore
 * register a native pull inflater (hosts/common/zlib: miniz's tinfl with its
 * 32 KiB circular dictionary, outside the XS heap) with setInflaterFactory();
 * the TypeScript inflater below is the reference and the fallback.
 */

export interface RawInflater {
	/**
	 * Inflates from `input` into `output`; returns the bytes produced
	 * (0..output.length). `consumed` then tells how many input bytes were
	 * taken. A call that produces nothing and consumes nothing while not
	 * `done` needs more input. Corrupt data throws an Error.
	 */
	inflate(input: Uint8Array, output: Uint8Array): number;
	/** Input bytes taken by the last inflate() call. */
	readonly consumed: number;
	/** True once the final block ended and every byte was delivered. */
	readonly done: boolean;
	/** Releases the window now (a native one lives outside the JS heap). */
	close(): void;
}

export type InflaterFactory = () => RawInflater;

// Starts undefined, not a function: on the board a preloaded module's `let` holding a
// function at link time becomes constant, and the hook could never be set.
let factory: InflaterFactory | undefined;

/** A host registers its native inflater here (src/host/moddable.ts). */
export function setInflaterFactory(fn: InflaterFactory): void {
	factory = fn;
}

/** A new raw-deflate inflater: the host's native one, else the TypeScript one. */
export function createInflater(): RawInflater {
	return factory ? factory() : new TsInflater();
}

const WSIZE = 32768;
const WMASK = WSIZE - 1;
const FAST_BITS = 9;
const FAST_MASK = (1 << FAST_BITS) - 1;

// modes
const HEADER = 0, STORED_LEN = 1, STORED_NLEN = 2, STORED = 3, TABLE = 4, CLENS = 5, LENLENS = 6,
	CODES = 7, DIST = 8, DIST_EXTRA = 9, COPY = 10, DONE = 11, FAILED = 12;

const LBASE = new Uint16Array([3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]);
const LEXT = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DBASE = new Uint16Array([1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]);
const DEXT = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const CL_ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

function corrupt(why: string): Error {
	return new Error(`inflate: corrupt data (${why})`);
}

/**
 * A canonical Huffman code: a 9-bit direct lookup table for short codes
 * (entry = length << 9 | symbol, 0 = not there) and counts/symbols for the
 * bit-by-bit decode of longer ones.
 */
class Huffman {
	readonly count = new Uint16Array(16);
	readonly symbol: Uint16Array;
	readonly fast = new Uint16Array(1 << FAST_BITS);
	private readonly offs = new Uint16Array(16);
	constructor(size: number) {
		this.symbol = new Uint16Array(size);
	}

	/** Builds from `n` code lengths at lens[at]; `what` names the code in errors. */
	build(lens: Uint8Array, at: number, n: number, what: string, completeRequired: boolean): void {
		const count = this.count, offs = this.offs, symbol = this.symbol, fast = this.fast;
		count.fill(0);
		for (let i = 0; i < n; i++) count[lens[at + i]]++;
		fast.fill(0);
		if (count[0] === n) {	// no codes: decoding anything is an error
			if (completeRequired) throw corrupt(`no ${what} codes`);
			return;
		}
		let left = 1, max = 0;
		for (let len = 1; len < 16; len++) {
			left <<= 1;
			left -= count[len];
			if (left < 0) throw corrupt(`over-subscribed ${what} code`);
			if (count[len]) max = len;
		}
		// an incomplete code is only allowed as a single 1-bit code (zlib's rule)
		if (left > 0 && (completeRequired || max !== 1)) throw corrupt(`incomplete ${what} code`);
		offs[1] = 0;
		for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + count[len];
		for (let i = 0; i < n; i++) {
			const len = lens[at + i];
			if (len) symbol[offs[len]++] = i;
		}
		// direct table: codes are sent most significant bit first, so index by the reversed code
		let code = 0, k = 0;
		for (let len = 1; len <= FAST_BITS; len++) {
			for (let c = count[len]; c > 0; c--) {
				let rev = 0;
				for (let b = 0, x = code; b < len; b++, x >>= 1) rev = (rev << 1) | (x & 1);
				const entry = (len << 9) | symbol[k++];
				for (let j = rev; j <= FAST_MASK; j += 1 << len) fast[j] = entry;
				code++;
			}
			code <<= 1;
		}
	}
}

/** Bit-by-bit canonical decode for codes longer than the direct table: len << 16 | symbol, -1 need bits, -2 invalid. */
function decodeSlow(h: Huffman, bits: number, avail: number): number {
	const count = h.count;
	let code = 0, first = 0, index = 0;
	for (let len = 1; len < 16; len++) {
		if (len > avail) return -1;
		code |= (bits >>> (len - 1)) & 1;
		const c = count[len];
		if (code - c < first) return (len << 16) | h.symbol[index + code - first];
		index += c;
		first = (first + c) << 1;
		code <<= 1;
	}
	return -2;
}

let FIXED_LIT: Huffman | null = null;
let FIXED_DIST: Huffman | null = null;

function fixedTables(): void {
	if (FIXED_LIT) return;
	const lens = new Uint8Array(320);
	for (let i = 0; i < 144; i++) lens[i] = 8;
	for (let i = 144; i < 256; i++) lens[i] = 9;
	for (let i = 256; i < 280; i++) lens[i] = 7;
	for (let i = 280; i < 288; i++) lens[i] = 8;
	for (let i = 288; i < 320; i++) lens[i] = 5;
	FIXED_LIT = new Huffman(288);
	FIXED_LIT.build(lens, 0, 288, "literal/length", true);
	FIXED_DIST = new Huffman(32);
	FIXED_DIST.build(lens, 288, 32, "distance", true);
}

/** The TypeScript inflater: RFC 1951 stored, fixed and dynamic blocks; 32 KiB window. */
export class TsInflater implements RawInflater {
	consumed = 0;
	private mode = HEADER;
	private final = false;
	private bitBuf = 0;
	private bitCnt = 0;
	private window: Uint8Array | null = new Uint8Array(WSIZE);
	private wpos = 0;
	/** Bytes produced so far, up to WSIZE (how far back a distance may reach). */
	private whave = 0;
	private stored = 0;		// stored block bytes left
	private length = 0;		// match length (DIST.., COPY)
	private dist = 0;		// match distance (COPY)
	private extra = 0;		// distance symbol waiting for its extra bits
	private nlen = 0;
	private ndist = 0;
	private ncode = 0;
	private index = 0;		// code lengths read so far
	private lens = new Uint8Array(320);
	private lit: Huffman = new Huffman(288);
	private dst: Huffman = new Huffman(32);
	private dynLit: Huffman | null = null;
	private dynDist: Huffman | null = null;

	get done(): boolean {
		return this.mode === DONE;
	}

	close(): void {
		this.window = null;
	}

	inflate(input: Uint8Array, output: Uint8Array): number {
		this.consumed = 0;
		const win = this.window;
		if (this.mode === DONE) return 0;
		if (this.mode === FAILED) throw new Error("inflate: corrupt data (an earlier call failed)");
		if (!win) throw new Error("inflate: closed");
		let bb = this.bitBuf, bc = this.bitCnt, ip = 0, wp = this.wpos, mode = this.mode;
		const iend = input.length;
		const room = output.length < WSIZE ? output.length : WSIZE;
		const start = wp;
		let made = 0;
		try {
			outer: for (;;) {
				if (mode === CODES) {
					const lit = this.lit;
					const lfast = lit.fast;
					while (made < room) {
						while (bc < 15 && ip < iend) { bb |= input[ip++] << bc; bc += 8; }
						let e = lfast[bb & FAST_MASK], len: number, sym: number;
						if (e !== 0) {
							len = e >>> 9;
							sym = e & 511;
							if (len > bc) break outer;
						}
						else {
							e = decodeSlow(lit, bb, bc);
							if (e === -1) break outer;
							if (e === -2) throw corrupt("invalid literal/length code");
							len = e >>> 16;
							sym = e & 0xffff;
						}
						if (sym < 256) {
							bb >>>= len; bc -= len;
							win[wp] = sym;
							wp = (wp + 1) & WMASK;
							made++;
							continue;
						}
						if (sym === 256) {
							bb >>>= len; bc -= len;
							mode = this.final ? DONE : HEADER;
							continue outer;
						}
						sym -= 257;
						if (sym >= 29) throw corrupt("invalid literal/length symbol");
						const x = LEXT[sym];
						if (x) {
							// the code and its extra bits are taken together (at most 20 bits)
							while (bc < len + x) {
								if (ip === iend) break outer;
								bb |= input[ip++] << bc; bc += 8;
							}
							this.length = LBASE[sym] + ((bb >>> len) & ((1 << x) - 1));
							len += x;
						}
						else this.length = LBASE[sym];
						bb >>>= len; bc -= len;
						mode = DIST;
						continue outer;
					}
					break;
				}
				if (mode === DIST) {
					const dst = this.dst;
					while (bc < 15 && ip < iend) { bb |= input[ip++] << bc; bc += 8; }
					let e = dst.fast[bb & FAST_MASK], len: number, sym: number;
					if (e !== 0) {
						len = e >>> 9;
						sym = e & 511;
						if (len > bc) break;
					}
					else {
						e = decodeSlow(dst, bb, bc);
						if (e === -1) break;
						if (e === -2) throw corrupt("invalid distance code");
						len = e >>> 16;
						sym = e & 0xffff;
					}
					if (sym >= 30) throw corrupt("invalid distance symbol");
					bb >>>= len; bc -= len;
					this.extra = sym;
					mode = DIST_EXTRA;
				}
				if (mode === DIST_EXTRA) {
					const sym = this.extra, x = DEXT[sym];
					while (bc < x) {
						if (ip === iend) break outer;
						bb |= input[ip++] << bc; bc += 8;
					}
					const dist = DBASE[sym] + (bb & ((1 << x) - 1));
					bb >>>= x; bc -= x;
					if (dist > this.whave + made) throw corrupt("distance too far back");
					this.dist = dist;
					mode = COPY;
				}
				if (mode === COPY) {
					let n = this.length;
					if (n > room - made) n = room - made;
					if (n === 0) break;
					const dist = this.dist;
					this.length -= n;
					made += n;
					let src = (wp - dist) & WMASK;
					if (n > 8 && src < wp && wp + n <= WSIZE) {
						// no wrap: native copies, doubling the run when it overlaps itself
						let step = dist, doneN = 0;
						while (doneN < n) {
							const k = step < n - doneN ? step : n - doneN;
							win.copyWithin(wp + doneN, wp + doneN - step, wp + doneN - step + k);
							doneN += k;
							step += step;
						}
						wp = (wp + n) & WMASK;
					}
					else {
						while (n-- > 0) {
							win[wp] = win[src];
							wp = (wp + 1) & WMASK;
							src = (src + 1) & WMASK;
						}
					}
					if (this.length === 0) mode = CODES;
					else break;	// output full
					continue;
				}
				if (mode === HEADER) {
					while (bc < 3) {
						if (ip === iend) break outer;
						bb |= input[ip++] << bc; bc += 8;
					}
					this.final = (bb & 1) === 1;
					const type = (bb >>> 1) & 3;
					bb >>>= 3; bc -= 3;
					if (type === 0) {
						bb >>>= bc & 7; bc -= bc & 7;
						mode = STORED_LEN;
					}
					else if (type === 1) {
						fixedTables();
						this.lit = FIXED_LIT!;
						this.dst = FIXED_DIST!;
						mode = CODES;
					}
					else if (type === 2) mode = TABLE;
					else throw corrupt("invalid block type");
					continue;
				}
				if (mode === STORED_LEN || mode === STORED_NLEN) {
					while (bc < 16) {
						if (ip === iend) break outer;
						bb |= input[ip++] << bc; bc += 8;
					}
					const v = bb & 0xffff;
					bb >>>= 16; bc -= 16;
					if (mode === STORED_LEN) {
						this.stored = v;
						mode = STORED_NLEN;
					}
					else {
						if (v !== (~this.stored & 0xffff)) throw corrupt("stored block length check failed");
						mode = this.stored ? STORED : (this.final ? DONE : HEADER);
					}
					continue;
				}
				if (mode === STORED) {
					// whole bytes left in the bit buffer come first
					while (bc >= 8 && this.stored > 0 && made < room) {
						win[wp] = bb & 0xff;
						wp = (wp + 1) & WMASK;
						bb >>>= 8; bc -= 8;
						made++;
						this.stored--;
					}
					let n = this.stored;
					if (n > room - made) n = room - made;
					if (n > iend - ip) n = iend - ip;
					while (n > 0) {
						const k = n < WSIZE - wp ? n : WSIZE - wp;
						win.set(input.subarray(ip, ip + k), wp);
						wp = (wp + k) & WMASK;
						ip += k;
						made += k;
						this.stored -= k;
						n -= k;
					}
					if (this.stored > 0) break;
					mode = this.final ? DONE : HEADER;
					continue;
				}
				if (mode === TABLE) {
					while (bc < 14) {
						if (ip === iend) break outer;
						bb |= input[ip++] << bc; bc += 8;
					}
					this.nlen = (bb & 31) + 257;
					this.ndist = ((bb >>> 5) & 31) + 1;
					this.ncode = ((bb >>> 10) & 15) + 4;
					bb >>>= 14; bc -= 14;
					if (this.nlen > 286 || this.ndist > 30) throw corrupt("too many length or distance symbols");
					this.index = 0;
					this.lens.fill(0, 0, 19);
					mode = CLENS;
				}
				if (mode === CLENS) {
					const lens = this.lens;
					while (this.index < this.ncode) {
						while (bc < 3) {
							if (ip === iend) break outer;
							bb |= input[ip++] << bc; bc += 8;
						}
						lens[CL_ORDER[this.index++]] = bb & 7;
						bb >>>= 3; bc -= 3;
					}
					// the code-length code is kept in the distance table until the real ones are built
					const dyn = this.dynDist ?? (this.dynDist = new Huffman(32));
					dyn.build(lens, 0, 19, "code length", true);
					this.dst = dyn;
					this.index = 0;
					mode = LENLENS;
				}
				if (mode === LENLENS) {
					const lens = this.lens, h = this.dst, total = this.nlen + this.ndist;
					while (this.index < total) {
						while (bc < 14 && ip < iend) { bb |= input[ip++] << bc; bc += 8; }
						let e = h.fast[bb & FAST_MASK], len: number, sym: number;
						if (e !== 0) {
							len = e >>> 9;
							sym = e & 511;
							if (len > bc) break outer;
						}
						else {
							e = decodeSlow(h, bb, bc);
							if (e === -1) break outer;
							if (e === -2) throw corrupt("invalid code length code");
							len = e >>> 16;
							sym = e & 0xffff;
						}
						if (sym < 16) {
							bb >>>= len; bc -= len;
							lens[this.index++] = sym;
							continue;
						}
						const x = sym === 16 ? 2 : sym === 17 ? 3 : 7;
						if (len + x > bc) {
							if (ip === iend) break outer;
							continue;	// refill above
						}
						let repeat = (bb >>> len) & ((1 << x) - 1);
						bb >>>= len + x; bc -= len + x;
						let value = 0;
						if (sym === 16) {
							if (this.index === 0) throw corrupt("code length repeat without a previous length");
							value = lens[this.index - 1];
							repeat += 3;
						}
						else repeat += sym === 17 ? 3 : 11;
						if (this.index + repeat > total) throw corrupt("too many code lengths");
						while (repeat-- > 0) lens[this.index++] = value;
					}
					if (lens[256] === 0) throw corrupt("missing end-of-block code");
					const dl = this.dynLit ?? (this.dynLit = new Huffman(288));
					dl.build(lens, 0, this.nlen, "literal/length", false);
					const dd = this.dynDist!;
					// copy the distance lengths down so the table can share `lens`
					dd.build(lens, this.nlen, this.ndist, "distance", false);
					this.lit = dl;
					this.dst = dd;
					mode = CODES;
					continue;
				}
				// DONE
				break;
			}
		}
		catch (e) {
			this.mode = FAILED;
			this.window = null;
			this.consumed = ip;
			throw e;
		}
		if (mode === DONE) {
			// give back whole bytes read ahead into the bit buffer
			const back = bc >> 3;
			ip = ip > back ? ip - back : 0;
			bc = 0; bb = 0;
		}
		this.bitBuf = bb;
		this.bitCnt = bc;
		this.mode = mode;
		this.consumed = ip;
		this.wpos = wp;
		this.whave = this.whave + made < WSIZE ? this.whave + made : WSIZE;
		// deliver: the bytes made in this call sit in the window from `start`, maybe wrapping
		if (made) {
			const first = WSIZE - start;
			if (made <= first) output.set(win.subarray(start, start + made));
			else {
				output.set(win.subarray(start, WSIZE));
				output.set(win.subarray(0, made - first), first);
			}
		}
		return made;
	}
}
