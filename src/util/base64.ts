/** Base64 (RFC 4648) behind one module: Moddable's native `base64` when registered, else TS. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export type Base64Encode = (b: Uint8Array) => string;
// Starts undefined, not a function: a preloaded module's `let` that holds a function at
// link time becomes constant on the board (XS preload), so the hook could never be set.
let impl: Base64Encode | undefined;

export function setBase64(fn: Base64Encode): void {
	impl = fn;
}

export function encodeBase64(b: Uint8Array): string {
	return (impl ?? encodeBase64Ts)(b);
}

export function encodeBase64Ts(b: Uint8Array): string {
	let s = "";
	let i = 0;
	for (; i + 2 < b.length; i += 3) {
		const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
		s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
	}
	if (i < b.length) {
		const n = (b[i] << 16) | ((i + 1 < b.length ? b[i + 1] : 0) << 8);
		s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + (i + 1 < b.length ? ALPHABET[(n >> 6) & 63] : "=") + "=";
	}
	return s;
}

/** Length in bytes a base64 string decodes to, or -1 if it is not canonical base64. */
export function base64DecodedLength(s: string): number {
	if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return -1;
	const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
	return (s.length / 4) * 3 - pad;
}
