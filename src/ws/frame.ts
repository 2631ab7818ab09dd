/** WebSocket frame opcodes and the frame encoder, for both ends: a client masks (RFC 6455 5.3), a server does not. */
import { xorMask } from "../util/xor.js";

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

/** The longest frame header: 2 bytes, a 64-bit length and a mask key. Frames built in place leave this much room ahead of the payload. */
export const MAX_HEADER_LENGTH = 14;

/** Bytes a header for `len` takes (4 more with a mask key). */
export function headerLength(len: number, masked = false): number {
	return (len < 126 ? 2 : len < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Write a frame header into out[at...]; returns its length. `mask` (4 bytes, a client's: from the
 * host's random source) is written as the masking key; `rsv` sets the RSV1-3 bits an extension
 * negotiated (permessage-deflate's RSV1 = 4).
 */
export function writeHeader(out: Uint8Array, at: number, opcode: number, fin: boolean, len: number, mask?: Uint8Array, rsv = 0): number {
	out[at] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | opcode;
	const m = mask ? 0x80 : 0;
	let n: number;
	if (len < 126) {
		out[at + 1] = m | len;
		n = 2;
	}
	else if (len < 65536) {
		out[at + 1] = m | 126;
		out[at + 2] = len >> 8;
		out[at + 3] = len & 0xff;
		n = 4;
	}
	else {
		out[at + 1] = m | 127;
		const hi = Math.floor(len / 0x100000000), lo = len >>> 0;
		out[at + 2] = hi >>> 24; out[at + 3] = (hi >>> 16) & 0xff; out[at + 4] = (hi >>> 8) & 0xff; out[at + 5] = hi & 0xff;
		out[at + 6] = lo >>> 24; out[at + 7] = (lo >>> 16) & 0xff; out[at + 8] = (lo >>> 8) & 0xff; out[at + 9] = lo & 0xff;
		n = 10;
	}
	if (mask) {
		out.set(mask.subarray(0, 4), at + n);
		n += 4;
	}
	return n;
}

/** A whole frame (header + payload) in a new buffer; with `mask`, the payload is masked in the copy. */
export function frame(opcode: number, fin: boolean, payload: Uint8Array, mask?: Uint8Array, rsv = 0): Uint8Array {
	const out = new Uint8Array(headerLength(payload.length, mask !== undefined) + payload.length);
	const h = writeHeader(out, 0, opcode, fin, payload.length, mask, rsv);
	out.set(payload, h);
	if (mask && payload.length) xorMask(out.subarray(h), mask);
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

/**
 * Masking keys for a client's frames (RFC 6455 5.3: unpredictable, a new one per frame), drawn
 * from the host's random source (HostIo.random) a batch at a time, so a small frame costs no
 * host call. Each key is a view valid until the next call.
 */
export class MaskSource {
	private readonly pool: Uint8Array;
	private at: number;

	/** `batch`: keys drawn per call of `random`. */
	constructor(private readonly random: (into: Uint8Array) => void, batch = 16) {
		this.pool = new Uint8Array(batch * 4);
		this.at = this.pool.length;
	}

	next(): Uint8Array {
		if (this.at >= this.pool.length) {
			this.random(this.pool);
			this.at = 0;
		}
		const key = this.pool.subarray(this.at, this.at + 4);
		this.at += 4;
		return key;
	}
}
