/** WebSocket frame opcodes and the header encoder (server frames are never masked). */
export const enum Opcode {
	CONTINUATION = 0,
	TEXT = 1,
	BINARY = 2,
	CLOSE = 8,
	PING = 9,
	PONG = 10,
}

export function isControl(op: number): boolean {
	return (op & 8) !== 0;
}

/** Bytes a header for `len` takes. */
export function headerLength(len: number): number {
	return len < 126 ? 2 : len < 65536 ? 4 : 10;
}

/** Write a frame header into out[at...]; returns its length. */
export function writeHeader(out: Uint8Array, at: number, opcode: number, fin: boolean, len: number): number {
	out[at] = (fin ? 0x80 : 0) | opcode;
	if (len < 126) {
		out[at + 1] = len;
		return 2;
	}
	if (len < 65536) {
		out[at + 1] = 126;
		out[at + 2] = len >> 8;
		out[at + 3] = len & 0xff;
		return 4;
	}
	out[at + 1] = 127;
	const hi = Math.floor(len / 0x100000000), lo = len >>> 0;
	out[at + 2] = hi >>> 24; out[at + 3] = (hi >>> 16) & 0xff; out[at + 4] = (hi >>> 8) & 0xff; out[at + 5] = hi & 0xff;
	out[at + 6] = lo >>> 24; out[at + 7] = (lo >>> 16) & 0xff; out[at + 8] = (lo >>> 8) & 0xff; out[at + 9] = lo & 0xff;
	return 10;
}

/** A whole frame (header + payload) in a new buffer. */
export function frame(opcode: number, fin: boolean, payload: Uint8Array): Uint8Array {
	const out = new Uint8Array(headerLength(payload.length) + payload.length);
	const h = writeHeader(out, 0, opcode, fin, payload.length);
	out.set(payload, h);
	return out;
}

/** A close frame payload: 2-byte code plus UTF-8 reason (at most 123 bytes). */
export function closePayload(code: number, reason: Uint8Array): Uint8Array {
	if (code === 0 || code === 1005) return new Uint8Array(0);
	const r = reason.length > 123 ? reason.subarray(0, 123) : reason;
	const out = new Uint8Array(2 + r.length);
	out[0] = code >> 8;
	out[1] = code & 0xff;
	out.set(r, 2);
	return out;
}
