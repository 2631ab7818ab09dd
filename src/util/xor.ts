/**
 * In-place XOR with a repeating 4-byte key (WebSocket masking). A host may
 * register a native one (Moddable `logical`); the TS fallback works a 32-bit
 * word at a time where the view is aligned.
 */
export type XorMask = (data: Uint8Array, mask: Uint8Array) => void;

// Starts undefined, not a function: a preloaded module's `let` that holds a function at
// link time becomes constant on the board (XS preload), so the hook could never be set.
let impl: XorMask | undefined;

export function setXorMask(fn: XorMask): void {
	impl = fn;
}

/** data[i] ^= mask[i & 3]. */
export function xorMask(data: Uint8Array, mask: Uint8Array): void {
	if (data.length) (impl ?? xorMaskTs)(data, mask);
}

export function xorMaskTs(data: Uint8Array, mask: Uint8Array): void {
	const n = data.length;
	let i = 0;
	const head = (4 - (data.byteOffset & 3)) & 3;
	for (; i < head && i < n; i++) data[i] ^= mask[i & 3];
	const words = (n - i) >> 2;
	if (words > 0) {
		const m0 = mask[i & 3], m1 = mask[(i + 1) & 3], m2 = mask[(i + 2) & 3], m3 = mask[(i + 3) & 3];
		// Little-endian word of the mask rotated to this alignment.
		const key = (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) | 0;
		const words32 = new Int32Array(data.buffer, data.byteOffset + i, words);
		for (let k = 0; k < words; k++) words32[k] ^= key;
		i += words << 2;
	}
	for (; i < n; i++) data[i] ^= mask[i & 3];
}
