/**
 * Incremental UTF-8 validation for WebSocket text, which may be split at any
 * byte across frames and reads. The state between pieces is one number.
 * Bulk runs go through the host's native strict decoder when registered.
 */
import { decodeUtf8 } from "./utf8.js";

/** State 0: at a character boundary. Otherwise: (needed << 16) | (lo << 8) | hi for the next byte. */
export type Utf8State = number;
export const UTF8_REJECT = -1;

function step(state: number, c: number): number {
	if (state === 0) {
		if (c < 0x80) return 0;
		if (c >= 0xc2 && c <= 0xdf) return (1 << 16) | (0x80 << 8) | 0xbf;
		if (c === 0xe0) return (2 << 16) | (0xa0 << 8) | 0xbf;
		if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return (2 << 16) | (0x80 << 8) | 0xbf;
		if (c === 0xed) return (2 << 16) | (0x80 << 8) | 0x9f;
		if (c === 0xf0) return (3 << 16) | (0x90 << 8) | 0xbf;
		if (c >= 0xf1 && c <= 0xf3) return (3 << 16) | (0x80 << 8) | 0xbf;
		if (c === 0xf4) return (3 << 16) | (0x80 << 8) | 0x8f;
		return UTF8_REJECT;
	}
	const lo = (state >> 8) & 0xff, hi = state & 0xff;
	if (c < lo || c > hi) return UTF8_REJECT;
	const need = (state >> 16) - 1;
	return need ? (need << 16) | (0x80 << 8) | 0xbf : 0;
}

/** Validate `b` continuing from `state`; returns the new state or UTF8_REJECT. */
export function utf8Validate(state: Utf8State, b: Uint8Array): Utf8State {
	let i = 0;
	const n = b.length;
	while (state !== 0 && i < n) {
		state = step(state, b[i++]);
		if (state === UTF8_REJECT) return state;
	}
	if (i >= n) return state;
	// From a boundary: find where the last (possibly incomplete) sequence starts.
	let end = n;
	for (let k = n - 1; k >= i && k >= n - 4; k--) {
		const c = b[k];
		if (c < 0x80) break;
		if (c >= 0xc0) { end = k; break; }
	}
	// The bulk goes to the (native, when registered) strict decoder in one call.
	if (end > i && decodeUtf8(b.subarray(i, end)) === undefined) return UTF8_REJECT;
	for (let k = end; k < n; k++) {
		state = step(state, b[k]);
		if (state === UTF8_REJECT) return state;
	}
	return state;
}
