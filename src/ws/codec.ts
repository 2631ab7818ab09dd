/**
 * The WebSocket frame parser (RFC 6455 5), for both ends: it knows nothing of wsi or sockets.
 * `isServer` decides whether frames must come masked (a server reading a client) or unmasked
 * (a client reading a server). It resumes over any split of the input, unmasks in place, checks
 * what RFC 6455 asks of every frame (opcodes, RSV bits unless an extension takes them, lengths,
 * control frames, the order of fragments) and hands the rest to a sink: each frame's start, its
 * payload in pieces as they come, control frames whole (at most 125 bytes).
 *
 * Once the owner has sent a close (a failed connection, RFC 6455 7.1.7), it sets `closing`: frames
 * are still delimited by their lengths, nothing is checked or delivered, and only the peer's
 * CLOSE frame is handed on, so the owner can close TCP as soon as the closing handshake is done
 * (7.1.1: the server closes first) rather than wait out a timeout.
 *
 * The state lives in the caller's object (the server role keeps it in its WsState, packed to
 * save slots on XS), and the sink is one object for all connections, given `ctx` each call.
 */
import { Opcode, isControl } from "./frame.js";
import { CloseStatus } from "./close-codes.js";
import { xorMask } from "../util/xor.js";

export const enum CodecRx {
	HEADER = 0,
	PAYLOAD = 1,
	/** the connection is failed or closed: input is dropped */
	DONE = 2,
}

/** Where a parse is between reads. */
export interface CodecState {
	rx: CodecRx;
	/** a frame header split across reads, collected (else null) */
	hdr: Uint8Array | null;
	hdrLen: number;
	maskKey: number;
	/** payload bytes of the current frame not yet seen, and already seen (mask phase) */
	frameLeft: number;
	frameSeen: number;
	opcode: number;
	fin: boolean;
	/** opcode of the data message in progress, 0 if none */
	msgOpcode: number;
	/** a control frame's payload, collected (max 125 bytes) */
	ctl: Uint8Array | null;
	ctlLen: number;
	/**
	 * the owner sent a close: every payload is skipped, to delimit frames until the peer's CLOSE,
	 * which is reported with no payload (the owner has decided how the connection ends)
	 */
	closing: boolean;
}

/** What the parser tells its owner. A nonzero return stops the parse and is passed back. */
export interface CodecSink<C> {
	/** Before each step: true stops here, the owner keeps buf[pos...] for later (flow control). */
	stop(ctx: C, st: CodecState, buf: Uint8Array, pos: number): boolean;
	/** RSV bits set: true if a negotiated extension takes them (else the frame fails with 1002). */
	rsv?(ctx: C, rsv: number, opcode: number): boolean;
	/** A data frame starts (`first`: it starts a message); `length` is its payload's. */
	dataStart(ctx: C, st: CodecState, first: boolean, length: number): number;
	/** A piece of a data frame's payload, unmasked (empty for an empty frame). */
	data(ctx: C, st: CodecState, piece: Uint8Array): number;
	/**
	 * After data(): how many bytes at the end of that piece the owner did not take (it paused
	 * reading partway); they are handed back as they came, for stop() to keep with the unread input.
	 */
	untaken?(ctx: C): number;
	/** A whole control frame (PING, PONG, CLOSE). */
	control(ctx: C, st: CodecState, opcode: number, payload: Uint8Array): number;
	/** The frame breaks RFC 6455: fail the connection with this close code. */
	fail(ctx: C, code: number, why: string): number;
}

/** Header length a frame's second byte implies (2 + extended length + mask key). */
export function headerNeed(b1: number): number {
	const l = b1 & 0x7f;
	return 2 + (l === 126 ? 2 : l === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

/**
 * Parse buf[...] (frames in any split): unmasks data in place. `mask` is 4 bytes of scratch the
 * owner keeps (a module's own buffer would be frozen in flash on the board). Returns 0, or the
 * first nonzero a sink call returned.
 */
export function parseFrames<C>(st: CodecState, buf: Uint8Array, isServer: boolean, mask: Uint8Array, sink: CodecSink<C>, ctx: C): number {
	let pos = 0;
	const len = buf.length;
	while (pos < len) {
		if (st.rx === CodecRx.DONE || sink.stop(ctx, st, buf, pos)) return 0;
		if (st.rx === CodecRx.HEADER) {
			if (st.hdrLen === 0 && len - pos >= 2) {
				// the common case: the whole header is in this read, parse it where it is
				const need = headerNeed(buf[pos + 1]);
				if (len - pos >= need) {
					const r = startFrame(st, buf, pos, isServer, sink, ctx);
					pos += need;
					if (r !== 0) return r;
					continue;
				}
			}
			// a header split across reads: collect it
			const h = st.hdr ??= new Uint8Array(14);
			const need = st.hdrLen < 2 ? 2 : headerNeed(h[1]);
			const take = Math.min(need - st.hdrLen, len - pos);
			h.set(buf.subarray(pos, pos + take), st.hdrLen);
			st.hdrLen += take;
			pos += take;
			if (st.hdrLen < need || (st.hdrLen === 2 && headerNeed(h[1]) > 2)) continue;
			st.hdrLen = 0;
			st.hdr = null;
			const r = startFrame(st, h, 0, isServer, sink, ctx);
			if (r !== 0) return r;
			continue;
		}
		// PAYLOAD
		const n = Math.min(st.frameLeft, len - pos);
		const piece = buf.subarray(pos, pos + n);
		// a data frame the owner failed partway is skipped from then on, like frames after it
		const skipped = st.closing;
		if (!skipped && isServer) unmask(st, piece, mask);
		st.frameSeen += n;
		st.frameLeft -= n;
		pos += n;
		const control = isControl(st.opcode);
		const r = skipped ? 0 : control ? collectControl(st, piece) : sink.data(ctx, st, piece);
		if (r !== 0) return r;
		const back = skipped || control || !sink.untaken ? 0 : sink.untaken(ctx);
		if (back > 0) {
			// the frame is where it was before those bytes: counts restored, and masked again
			// (the XOR is its own inverse), so that they are parsed again when reading resumes
			st.frameLeft += back;
			st.frameSeen -= back;
			pos -= back;
			if (isServer) unmask(st, buf.subarray(pos, pos + back), mask);
			continue;
		}
		if (st.frameLeft === 0 && st.rx === CodecRx.PAYLOAD) {
			const e = endFrame(st, sink, ctx);
			if (e !== 0) return e;
		}
	}
	return 0;
}

/** A whole frame header sits at h[o...]: check it and start the frame. */
function startFrame<C>(st: CodecState, h: Uint8Array, o: number, isServer: boolean, sink: CodecSink<C>, ctx: C): number {
	const b0 = h[o], b1 = h[o + 1];
	const fin = (b0 & 0x80) !== 0;
	const op = b0 & 0x0f;
	const rsv = (b0 >> 4) & 7;
	const masked = (b1 & 0x80) !== 0;
	let plen = b1 & 0x7f;
	let at = o + 2;
	if (plen === 126) {
		plen = (h[o + 2] << 8) | h[o + 3];
		at = o + 4;
	}
	else if (plen === 127) {
		// a length no frame can have: the framing is lost, nothing after it can be delimited
		if (h[o + 2] & 0x80) return lost(st, sink.fail(ctx, CloseStatus.PROTOCOL_ERR, "64-bit length with the top bit set"));
		const hi = ((h[o + 2] << 24) | (h[o + 3] << 16) | (h[o + 4] << 8) | h[o + 5]) >>> 0;
		const lo = ((h[o + 6] << 24) | (h[o + 7] << 16) | (h[o + 8] << 8) | h[o + 9]) >>> 0;
		if (hi >= 0x200000) return lost(st, sink.fail(ctx, CloseStatus.MESSAGE_TOO_LARGE, "frame longer than 2^53"));
		plen = hi * 0x100000000 + lo;
		at = o + 10;
	}
	st.maskKey = masked ? ((h[at] << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3]) >>> 0 : 0;
	if (st.closing) return begin(st, op, fin, plen, sink, ctx);
	const why = refusal(st, op, fin, rsv, masked, plen, isServer, sink, ctx);
	if (why !== null) {
		const r = sink.fail(ctx, CloseStatus.PROTOCOL_ERR, why);
		// the owner closing now skips the refused frame's payload to find the next frame
		return r !== 0 || !st.closing || st.rx === CodecRx.DONE ? r : begin(st, op, fin, plen, sink, ctx);
	}
	if (!isControl(op)) {
		const first = op !== Opcode.CONTINUATION;
		if (first) st.msgOpcode = op;
		const r = sink.dataStart(ctx, st, first, plen);
		if (r !== 0) return r;
	}
	return begin(st, op, fin, plen, sink, ctx);
}

/** Why a frame header breaks RFC 6455 (each is a 1002), or null. */
function refusal<C>(st: CodecState, op: number, fin: boolean, rsv: number, masked: boolean, plen: number, isServer: boolean, sink: CodecSink<C>, ctx: C): string | null {
	if (rsv && !sink.rsv?.(ctx, rsv, op)) return "reserved bits set (no negotiated extension takes them here)";
	if ((op > 2 && op < 8) || op > 10) return `reserved opcode ${op}`;
	if (isServer && !masked) return "client frame not masked";
	if (!isServer && masked) return "server frame masked";
	if (isControl(op)) {
		if (!fin) return "fragmented control frame";
		if (plen > 125) return "control frame longer than 125 bytes";
	}
	else if (op === Opcode.CONTINUATION) {
		if (!st.msgOpcode) return "continuation frame with no message in progress";
	}
	else if (st.msgOpcode) return "new message before the last one finished";
	return null;
}

/** Start a frame's payload; an empty frame ends at once (an empty data frame still ends or starts a message: it is delivered). */
function begin<C>(st: CodecState, op: number, fin: boolean, plen: number, sink: CodecSink<C>, ctx: C): number {
	st.opcode = op;
	st.fin = fin;
	st.frameLeft = plen;
	st.frameSeen = 0;
	st.ctlLen = 0;
	st.rx = CodecRx.PAYLOAD;
	if (plen !== 0) return 0;
	if (!st.closing && !isControl(op)) {
		const d = sink.data(ctx, st, new Uint8Array(0));
		if (d !== 0) return d;
	}
	return st.rx === CodecRx.PAYLOAD ? endFrame(st, sink, ctx) : 0;
}

/** The framing is lost: nothing more can be parsed. */
function lost(st: CodecState, r: number): number {
	st.rx = CodecRx.DONE;
	return r;
}

function unmask(st: CodecState, piece: Uint8Array, m: Uint8Array): void {
	if (!piece.length) return;
	// the key rotated to where this piece starts in the frame
	const rot = (st.frameSeen & 3) * 8;
	const k = rot ? ((st.maskKey << rot) | (st.maskKey >>> (32 - rot))) >>> 0 : st.maskKey;
	m[0] = k >>> 24; m[1] = (k >>> 16) & 0xff; m[2] = (k >>> 8) & 0xff; m[3] = k & 0xff;
	xorMask(piece, m);
}

function collectControl(st: CodecState, piece: Uint8Array): number {
	if (!piece.length) return 0;
	if (!st.ctl) st.ctl = new Uint8Array(125);
	st.ctl.set(piece, st.ctlLen);
	st.ctlLen += piece.length;
	return 0;
}

function endFrame<C>(st: CodecState, sink: CodecSink<C>, ctx: C): number {
	st.rx = CodecRx.HEADER;
	const op = st.opcode;
	if (st.closing) return op === Opcode.CLOSE ? sink.control(ctx, st, op, new Uint8Array(0)) : 0;
	if (!isControl(op)) {
		if (st.fin) st.msgOpcode = 0;
		return 0;
	}
	const payload = st.ctl ? st.ctl.subarray(0, st.ctlLen) : new Uint8Array(0);
	st.ctl = null;	// control frames are rare: don't keep 125 bytes per connection
	return sink.control(ctx, st, op, payload);
}
