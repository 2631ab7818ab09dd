/**
 * CRC-32 (IEEE, as zip and gzip use) behind one module: a host may register
 * a native one; the table-driven TS version is the fallback.
 */
export type Crc32 = (data: Uint8Array, crc: number) => number;

let TABLE: Uint32Array | null = null;

function table(): Uint32Array {
	if (TABLE) return TABLE;
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return (TABLE = t);
}

/** Continue a CRC over `data` (start with 0). */
export function crc32Ts(data: Uint8Array, crc = 0): number {
	const t = table();
	let c = ~crc >>> 0;
	for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
	return ~c >>> 0;
}

// Starts undefined, not a function: a preloaded module's `let` that holds a function at
// link time becomes constant on the board (XS preload), so the hook could never be set.
let impl: Crc32 | undefined;

export function setCrc32(fn: Crc32): void {
	impl = fn;
}

export function crc32(data: Uint8Array, crc = 0): number {
	return (impl ?? crc32Ts)(data, crc);
}
