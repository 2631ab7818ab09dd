/**
 * UTF-8 encode/decode behind one module: a host registers its native codec
 * (Moddable `text/encoder` and `text/decoder` with fatal: true); the TS
 * versions below are the reference and the fallback.
 */
export type Encoder = (s: string) => Uint8Array;
/** Returns the string, or undefined when the bytes are not valid UTF-8. */
export type Decoder = (b: Uint8Array) => string | undefined;

// Starts undefined, not a function: a preloaded module's `let` that holds a function at
// link time becomes constant on the board (XS preload), so the hook could never be set.
let encoder: Encoder | undefined;
let decoder: Decoder | undefined;

export function setUtf8Codec(enc: Encoder, dec: Decoder): void {
	encoder = enc;
	decoder = dec;
}

/** UTF-8 bytes of a string, through Moddable's `TextEncoder` on the board. */
export function encodeUtf8(s: string): Uint8Array {
	return (encoder ?? encodeUtf8Ts)(s);
}

/** The string UTF-8 bytes hold, or undefined when they are not valid UTF-8 (fatal decoding, as RFC 6455 requires). */
export function decodeUtf8(b: Uint8Array): string | undefined {
	return (decoder ?? decodeUtf8Ts)(b);
}

/**
 * Bytes of protocol text we build (status lines, headers). ASCII is its own
 * UTF-8, so the (native) encoder does it in one call: a charCodeAt loop costs
 * O(n^2) on XS, whose strings are UTF-8 inside.
 */
export function encodeAscii(s: string): Uint8Array {
	return encodeUtf8(s);
}

/** Latin-1 view of bytes (header names and values are octets). */
export function decodeLatin1(b: Uint8Array, start = 0, end = b.length): string {
	let s = "";
	// apply() puts every byte on the XS stack as an argument: chunks of 64 keep that small, since
	// a header is read deep in the call chain and the board's stack is 512 slots (a 256-byte
	// chunk overflowed it from the WebSocket upgrade)
	for (let i = start; i < end; i += 64) {
		const stop = i + 64 < end ? i + 64 : end;
		s += String.fromCharCode.apply(null, b.subarray(i, stop) as unknown as number[]);
	}
	return s;
}

export function encodeUtf8Ts(s: string): Uint8Array {
	let n = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
		else n += 3;
	}
	const out = new Uint8Array(n);
	let o = 0;
	for (let i = 0; i < s.length; i++) {
		let c = s.charCodeAt(i);
		if (c < 0x80) out[o++] = c;
		else if (c < 0x800) { out[o++] = 0xc0 | (c >> 6); out[o++] = 0x80 | (c & 63); }
		else {
			if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
				c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
				out[o++] = 0xf0 | (c >> 18); out[o++] = 0x80 | ((c >> 12) & 63);
				out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
				continue;
			}
			if (c >= 0xd800 && c < 0xe000) c = 0xfffd;	// lone surrogate
			out[o++] = 0xe0 | (c >> 12); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
		}
	}
	return out;
}

/** Strict UTF-8 (no overlongs, no surrogates, max U+10FFFF). */
export function decodeUtf8Ts(b: Uint8Array): string | undefined {
	let s = "";
	const codes: number[] = [];
	for (let i = 0; i < b.length;) {
		const c = b[i];
		let cp: number;
		if (c < 0x80) { cp = c; i++; }
		else if (c >= 0xc2 && c < 0xe0) {
			if (i + 1 >= b.length || (b[i + 1] & 0xc0) !== 0x80) return undefined;
			cp = ((c & 31) << 6) | (b[i + 1] & 63); i += 2;
		}
		else if (c >= 0xe0 && c < 0xf0) {
			if (i + 2 >= b.length) return undefined;
			const c1 = b[i + 1], c2 = b[i + 2];
			if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return undefined;
			if (c === 0xe0 && c1 < 0xa0) return undefined;
			if (c === 0xed && c1 >= 0xa0) return undefined;
			cp = ((c & 15) << 12) | ((c1 & 63) << 6) | (c2 & 63); i += 3;
		}
		else if (c >= 0xf0 && c < 0xf5) {
			if (i + 3 >= b.length) return undefined;
			const c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3];
			if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return undefined;
			if (c === 0xf0 && c1 < 0x90) return undefined;
			if (c === 0xf4 && c1 >= 0x90) return undefined;
			cp = ((c & 7) << 18) | ((c1 & 63) << 12) | ((c2 & 63) << 6) | (c3 & 63); i += 4;
		}
		else return undefined;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			codes.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		}
		else codes.push(cp);
		// every code is an argument on the XS stack (see decodeLatin1)
		if (codes.length >= 64) { s += String.fromCharCode.apply(null, codes); codes.length = 0; }
	}
	return s + String.fromCharCode.apply(null, codes);
}
