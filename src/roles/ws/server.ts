/**
 * The WebSocket server role's work (RFC 6455) over the frame codec (codec.ts, which parses
 * whatever reads bring, unmasking in place in the shared receive buffer): pieces handed to
 * RECEIVE as they come (never a whole message buffered), UTF-8 and size limits, control frames,
 * the closing handshake, and framing of writes.
 */
import { Handled, Reason, WriteProtocol } from "../../core/reasons.js";
import { Timeout } from "../../core/wsi.js";
import type { Wsi } from "../../core/wsi.js";
import type { Context } from "../../core/context.js";
import { RoomClass } from "../../core/role.js";
import { lwsl } from "../../core/log.js";
import { TIMINGS } from "../../core/options.js";
import { Opcode, isControl, frame, closePayload, headerLength, writeHeader, MAX_HEADER_LENGTH } from "../../ws/frame.js";
import { CodecRx as Rx, parseFrames } from "../../ws/codec.js";
import type { CodecSink, CodecState } from "../../ws/codec.js";
import { CloseStatus, isValidWireCloseCode } from "../../ws/close-codes.js";
import { utf8Validate, UTF8_REJECT } from "../../util/utf8-validate.js";
import { encodeUtf8 } from "../../util/utf8.js";
import { deflateFrame, inflatePiece, mustResume, release, resumeRx, rxCompressed, rxText, startRx, takeRsv } from "./pmd.js";
import type { PmdConn, PmdDeliver } from "./pmd.js";

/** How long we wait for the peer's close frame after sending ours. */
export const CLOSE_ACK_MS = TIMINGS.CLOSE_ACK_MS.value;

/** Bits of WsState.bits: one number instead of a slot per flag. */
const enum B {
	RX_MASK = 3,
	OPCODE_SHIFT = 2,
	MSG_OPCODE_SHIFT = 6,
	FIN = 1 << 10,
	MSG_FIRST = 1 << 11,
	PIECE_FIRST = 1 << 12,
	PIECE_FINAL = 1 << 13,
	PIECE_BINARY = 1 << 14,
	CLOSE_SENT = 1 << 15,
	TX_FRAGMENTING = 1 << 16,
	ESTABLISHED = 1 << 17,
	CLOSING = 1 << 18,
}

/**
 * Per-connection WebSocket state. Every field is a slot on XS, so flags and
 * small numbers share one `bits` field (accessors on the prototype cost
 * nothing per connection), the header buffer exists only while a header is
 * split across reads, and the control payload only while one arrives.
 */
export class WsState implements CodecState {
	bits = B.MSG_FIRST;
	/** a frame header split across reads, collected (else null) */
	hdr: Uint8Array | null = null;
	hdrLen = 0;
	maskKey = 0;
	/** payload bytes of the current frame not yet seen */
	frameLeft = 0;
	/** payload bytes of the current frame already seen (mask phase) */
	frameSeen = 0;
	msgLen = 0;
	utf8 = 0;
	/** a control frame's payload, collected (max 125 bytes) */
	ctl: Uint8Array | null = null;
	ctlLen = 0;
	/** set by closeReason() before returning -1 */
	closeWith: { code: number; text: Uint8Array } | null = null;
	/** permessage-deflate, when negotiated */
	pmd: PmdConn | null = null;

	constructor(private readonly context: Context) {
		wsShared(context);
	}

	/** While ESTABLISHED runs, the HTTP request it came from (its headers are readable then). */
	get headSource(): object | null {
		const s = wsShared(this.context);
		return s.upgrading === this ? s.upgradeSource : null;
	}
	set headSource(v: object | null) {
		const s = wsShared(this.context);
		s.upgrading = v ? this : null;
		s.upgradeSource = v;
	}

	private flag(b: number): boolean { return (this.bits & b) !== 0; }
	private set(b: number, v: boolean): void { this.bits = v ? this.bits | b : this.bits & ~b; }

	get rx(): Rx { return this.bits & B.RX_MASK; }
	set rx(v: Rx) { this.bits = (this.bits & ~B.RX_MASK) | v; }
	get opcode(): number { return (this.bits >> B.OPCODE_SHIFT) & 15; }
	set opcode(v: number) { this.bits = (this.bits & ~(15 << B.OPCODE_SHIFT)) | (v << B.OPCODE_SHIFT); }
	/** opcode of the data message in progress, 0 if none */
	get msgOpcode(): number { return (this.bits >> B.MSG_OPCODE_SHIFT) & 15; }
	set msgOpcode(v: number) { this.bits = (this.bits & ~(15 << B.MSG_OPCODE_SHIFT)) | (v << B.MSG_OPCODE_SHIFT); }
	get fin(): boolean { return this.flag(B.FIN); }
	set fin(v: boolean) { this.set(B.FIN, v); }
	/** the next RECEIVE piece starts a message */
	get msgFirst(): boolean { return this.flag(B.MSG_FIRST); }
	set msgFirst(v: boolean) { this.set(B.MSG_FIRST, v); }
	/** what the current RECEIVE piece is (for isFirstFragment() etc.) */
	get pieceFirst(): boolean { return this.flag(B.PIECE_FIRST); }
	set pieceFirst(v: boolean) { this.set(B.PIECE_FIRST, v); }
	get pieceFinal(): boolean { return this.flag(B.PIECE_FINAL); }
	set pieceFinal(v: boolean) { this.set(B.PIECE_FINAL, v); }
	get pieceBinary(): boolean { return this.flag(B.PIECE_BINARY); }
	set pieceBinary(v: boolean) { this.set(B.PIECE_BINARY, v); }
	/** we sent a close frame */
	get closeSent(): boolean { return this.flag(B.CLOSE_SENT); }
	set closeSent(v: boolean) { this.set(B.CLOSE_SENT, v); }
	/** our last data frame had no FIN: the next must be a continuation */
	get txFragmenting(): boolean { return this.flag(B.TX_FRAGMENTING); }
	set txFragmenting(v: boolean) { this.set(B.TX_FRAGMENTING, v); }
	get established(): boolean { return this.flag(B.ESTABLISHED); }
	set established(v: boolean) { this.set(B.ESTABLISHED, v); }
	/** the connection failed and our close is sent: only the peer's close frame is looked for */
	get closing(): boolean { return this.flag(B.CLOSING); }
	set closing(v: boolean) { this.set(B.CLOSING, v); }
}

interface WsShared {
	mask: Uint8Array;
	/** bytes of the current read piece not yet handed to RECEIVE (for remainingPacketPayload) */
	remainingInPiece: number;
	/** bytes at the end of the last piece a paused connection did not take (CodecSink.untaken) */
	untaken: number;
	/** during ESTABLISHED: the connection being upgraded and the HTTP request it came from */
	upgrading: WsState | null;
	upgradeSource: object | null;
	/** tx frames are built here when they fit, so small writes allocate nothing */
	tx: Uint8Array;
}

function wsShared(context: Context): WsShared {
	let s = context.roleData.get("ws") as WsShared | undefined;
	if (!s) {
		s = { mask: new Uint8Array(4), remainingInPiece: 0, untaken: 0, upgrading: null, upgradeSource: null, tx: new Uint8Array(context.options.rxBufferSize + MAX_HEADER_LENGTH) };
		context.roleData.set("ws", s);
	}
	return s;
}

export function ws(wsi: Wsi): WsState {
	return wsi.rs as WsState;
}

/** Bytes of the current frame still to come after the piece RECEIVE is looking at. */
export function remainingPayload(wsi: Wsi): number {
	return ws(wsi).frameLeft + wsShared(wsi.context).remainingInPiece;
}

/**
 * Fail the connection (RFC 6455 7.1.7): send a close with `code`, then deliver nothing more and
 * look only for the peer's close frame: when it comes the server closes TCP first (7.1.1), and
 * a peer that never answers is closed after CLOSE_ACK_MS. Input is still read (and dropped), so
 * the close is a FIN, not a reset that could lose our close frame.
 */
export function failWs(wsi: Wsi, code: number, why: string): Handled {
	lwsl.info(`wsi ${wsi.id} (${wsi.protocol?.name}): closing ${code}: ${why}`);
	ws(wsi).closing = true;
	return startClose(wsi, code, encodeUtf8(why.slice(0, 100)));
}

/** Start the closing handshake ourselves: send close, then wait (bounded) for the peer's close. */
export function startClose(wsi: Wsi, code: number, reason: Uint8Array | null): Handled {
	const st = ws(wsi);
	if (st.closeSent) return Handled.OK;
	st.closeSent = true;
	wsi.sendRaw(frame(Opcode.CLOSE, true, closePayload(code, reason ?? new Uint8Array(0))));
	// the peer's answer must be read, so the user's pause no longer holds: unread, it would also
	// turn our close into a reset when CLOSE_ACK_MS runs out
	wsi.rxFlowControl(true);
	wsi.setTimeout(Timeout.CLOSE_ACK, CLOSE_ACK_MS);
	return Handled.OK;
}

/** A callback returned nonzero: close with the reason the user set (lws_close_reason), default 1000. */
function userClose(wsi: Wsi): Handled {
	const st = ws(wsi);
	return startClose(wsi, st.closeWith?.code ?? CloseStatus.NORMAL, st.closeWith?.text ?? null);
}

/** The server's side of the codec: one object for every connection (ctx is the wsi). */
const serverSink: CodecSink<Wsi> = {
	stop(wsi, st, buf, pos) {
		if (wsi.closing) return true;
		if (wsi.rxPaused && !(st as WsState).closing) {
			// rxFlowControl(false) from a callback: keep the rest for later
			wsi.stashRx(buf, pos);
			return true;
		}
		return false;
	},
	dataStart(wsi, st, first, length) {
		const w = st as WsState;
		if (first) {
			w.msgLen = 0;
			w.utf8 = 0;
			w.msgFirst = true;
		}
		const max = wsi.context.options.maxWsMessageSize;
		// a compressed message is held to its inflated size as it arrives (1009); its wire bytes only
		// to what deflate can add to that much data (stored blocks: 5 bytes in 64 KiB) plus slack
		const compressed = first ? (w.pmd !== null && startRx(w.pmd, w.msgOpcode === Opcode.TEXT)) : rxCompressed(w.pmd);
		const wireMax = compressed ? max + (max >> 3) + 1024 : max;
		if (w.msgLen + length > wireMax) return failWs(wsi, CloseStatus.MESSAGE_TOO_LARGE, `message larger than maxWsMessageSize (${max})`);
		w.msgLen += length;
		return Handled.OK;
	},
	rsv: (wsi, rsv, opcode) => takeRsv(ws(wsi).pmd, rsv, opcode),
	data(wsi, st, piece) {
		const w = st as WsState;
		if (!rxCompressed(w.pmd)) return dataPiece(wsi, w, piece);
		return inflatePiece(wsi, w.pmd!, piece, w.fin && w.frameLeft === 0, wsi.protocol?.rxBufferSize ?? 0, pmdDeliver);
	},
	untaken(wsi) {
		const shared = wsShared(wsi.context);
		const n = shared.untaken;
		shared.untaken = 0;
		return n;
	},
	control: (wsi, st, opcode, payload) => controlFrame(wsi, st as WsState, opcode, payload),
	fail: (wsi, code, why) => failWs(wsi, code, why),
};

/** Inflated pieces of a compressed message, to RECEIVE with the same checks as any. */
const pmdDeliver: PmdDeliver = {
	receive(wsi, part, final) {
		const st = ws(wsi);
		wsShared(wsi.context).remainingInPiece = 0;
		return receivePart(wsi, st, part, final, rxText(st.pmd!)) && !wsi.closing && !st.closing && st.rx !== Rx.DONE;
	},
	fail: (wsi, code, why) => failWs(wsi, code, why),
	untake(wsi, n) {
		wsShared(wsi.context).untaken = n;
	},
};

export function handleRx(wsi: Wsi, buf: Uint8Array): Handled {
	const st = ws(wsi);
	if (mustResume(st.pmd)) {
		// output a pause left in the inflater comes before these bytes
		const r = resumeRx(wsi, st.pmd!, wsi.protocol?.rxBufferSize ?? 0, pmdDeliver);
		if (r !== Handled.OK) return r;
		if (mustResume(st.pmd) || (wsi.rxPaused && !st.closing)) {
			wsi.stashRx(buf, 0);
			return Handled.OK;
		}
	}
	return parseFrames(st, buf, true, wsShared(wsi.context).mask, serverSink, wsi) as Handled;
}

/**
 * One piece to RECEIVE: checked as UTF-8 (text) first, flagged for isFirstFragment() and the
 * rest. False when the connection is failed or the callback asked to close.
 */
function receivePart(wsi: Wsi, st: WsState, part: Uint8Array, final: boolean, text: boolean): boolean {
	if (text) {
		if (part.length) {
			st.utf8 = utf8Validate(st.utf8, part);
			if (st.utf8 === UTF8_REJECT) {
				failWs(wsi, CloseStatus.INVALID_PAYLOAD, "invalid UTF-8 in a text message");
				return false;
			}
		}
		if (final && st.utf8 !== 0) {
			failWs(wsi, CloseStatus.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
			return false;
		}
	}
	st.pieceFirst = st.msgFirst;
	st.pieceFinal = final;
	st.pieceBinary = !text;
	st.msgFirst = false;
	if (wsi.callback(Reason.RECEIVE, part) !== 0) {
		userClose(wsi);
		return false;
	}
	return true;
}

/**
 * Hand a piece of a data message to RECEIVE, in pieces no larger than the protocol's
 * rxBufferSize, each checked as UTF-8 (text) before it goes. A callback that pauses rx
 * (rxFlowControl(false)) gets no more: the rest goes back to the codec (untaken), to come when
 * reading resumes, as lws holds what it has not delivered.
 */
function dataPiece(wsi: Wsi, st: WsState, piece: Uint8Array): Handled {
	const lastOfFrame = st.frameLeft === 0;
	const max = wsi.protocol?.rxBufferSize || piece.length || 1;
	const shared = wsShared(wsi.context);
	let i = 0;
	do {
		const end = Math.min(i + max, piece.length);
		const part = piece.subarray(i, end);
		const final = st.fin && lastOfFrame && end === piece.length;
		shared.remainingInPiece = piece.length - end;
		if (!receivePart(wsi, st, part, final, st.msgOpcode === Opcode.TEXT)) return Handled.OK;
		i = end;
		if (i < piece.length && wsi.rxPaused && !wsi.closing && !st.closing) {
			shared.untaken = piece.length - i;
			return Handled.OK;
		}
	} while (i < piece.length && !wsi.closing && !st.closing && st.rx !== Rx.DONE);
	return Handled.OK;
}

/** PING, PONG, CLOSE, whole. */
function controlFrame(wsi: Wsi, st: WsState, op: number, payload: Uint8Array): Handled {
	switch (op) {
		case Opcode.PING:
			if (!st.closeSent) wsi.sendRaw(frame(Opcode.PONG, true, payload));
			return Handled.OK;
		case Opcode.PONG:
			return wsi.callback(Reason.RECEIVE_PONG, payload) !== 0 ? userClose(wsi) : Handled.OK;
		case Opcode.CLOSE: {
			st.rx = Rx.DONE;
			if (st.closing) {
				// the answer to the close we failed the connection with: the handshake is done
				wsi.closeAfterFlush(false);
				return Handled.OK;
			}
			let code = CloseStatus.NO_STATUS as number;
			if (payload.length === 1) return failClosed(wsi, CloseStatus.PROTOCOL_ERR, "close frame with a 1-byte payload");
			if (payload.length >= 2) {
				code = (payload[0] << 8) | payload[1];
				if (!isValidWireCloseCode(code)) return failClosed(wsi, CloseStatus.PROTOCOL_ERR, `invalid close code ${code}`);
				if (utf8Validate(0, payload.subarray(2)) !== 0) return failClosed(wsi, CloseStatus.INVALID_PAYLOAD, "close reason is not UTF-8");
			}
			wsi.callback(Reason.WS_PEER_INITIATED_CLOSE, payload);
			if (!st.closeSent) {
				// echo the peer's code (RFC 6455 5.5.1), then the server closes TCP first
				st.closeSent = true;
				wsi.sendRaw(frame(Opcode.CLOSE, true, code === CloseStatus.NO_STATUS ? new Uint8Array(0) : payload.subarray(0, 2)));
			}
			wsi.closeAfterFlush(false);
			return Handled.OK;
		}
	}
	return Handled.OK;
}

/** The peer's close frame was malformed: answer with ours and close TCP once it is sent (the peer has closed its side). */
function failClosed(wsi: Wsi, code: number, why: string): Handled {
	failWs(wsi, code, why);
	wsi.closeAfterFlush(false);
	return Handled.OK;
}

/** lws_write() framing for WebSocket writes: TEXT/BINARY/CONTINUATION, | NO_FIN; PING/PONG. */
export function writeRoleProtocol(wsi: Wsi, data: Uint8Array, mode: number): Uint8Array | null {
	const st = ws(wsi);
	if (st.closeSent) return null;
	const fin = (mode & WriteProtocol.NO_FIN) === 0;
	const m = mode & ~WriteProtocol.NO_FIN;
	let op: number;
	switch (m) {
		case WriteProtocol.TEXT: op = Opcode.TEXT; break;
		case WriteProtocol.BINARY: op = Opcode.BINARY; break;
		case WriteProtocol.CONTINUATION: op = Opcode.CONTINUATION; break;
		case WriteProtocol.PING: op = Opcode.PING; break;
		case WriteProtocol.PONG: op = Opcode.PONG; break;
		default: throw new Error(`write mode ${mode} is not a WebSocket mode`);
	}
	if (isControl(op)) {
		if (data.length > 125) throw new Error("a ping or pong carries at most 125 bytes");
	}
	else if (op === Opcode.CONTINUATION) {
		if (!st.txFragmenting) throw new Error("WRITE_CONTINUATION with no fragmented message in progress");
		st.txFragmenting = !fin;
	}
	else {
		if (st.txFragmenting) throw new Error("a new message before the fragmented one ended: use WRITE_CONTINUATION");
		st.txFragmenting = !fin;
	}
	if (st.pmd && !isControl(op)) {
		const compressed = deflateFrame(st.pmd, data, op, fin);
		if (compressed) return compressed;
	}
	const hl = headerLength(data.length);
	const tx = wsShared(wsi.context).tx;
	// sendRaw copies whatever the socket does not take, so the shared buffer is safe to reuse
	const out = hl + data.length <= tx.length ? tx.subarray(0, hl + data.length) : new Uint8Array(hl + data.length);
	writeHeader(out, 0, op, fin || isControl(op), data.length);
	out.set(data, hl);
	return out;
}

export function handleWriteable(wsi: Wsi): Handled {
	const st = ws(wsi);
	if (st.closeSent) return Handled.OK;
	return wsi.callback(Reason.SERVER_WRITEABLE) !== 0 ? userClose(wsi) : Handled.OK;
}

/** More than maxBackpressure would wait to be sent (e.g. pongs to a peer that pings and never reads): close with 1008. */
export function handleBackpressure(wsi: Wsi, max: number): Handled {
	const st = ws(wsi);
	st.rx = Rx.DONE;	// read and drop from now on: nothing more is answered
	if (st.closeSent) return Handled.PLEASE_CLOSE;
	st.closeSent = true;
	const why = encodeUtf8(`send queue over maxBackpressure (${max} bytes)`);
	wsi.sendRaw(frame(Opcode.CLOSE, true, closePayload(CloseStatus.POLICY_VIOLATION, why)), true);
	wsi.closeAfterFlush(true);
	return Handled.OK;
}

export function handleTimeout(wsi: Wsi, reason: number): Handled {
	if (reason === Timeout.CLOSE_ACK) lwsl.info(`wsi ${wsi.id}: no close frame from the peer in time`);
	return Handled.PLEASE_CLOSE;
}

export function closeRole(wsi: Wsi): void {
	const st = ws(wsi);
	if (st.pmd) release(st.pmd, wsi);
	if (st.established) {
		st.established = false;
		wsi.callback(Reason.CLOSED);
	}
}

export function roomClass(): RoomClass {
	return RoomClass.BUSY;
}

export function adopt(): Handled {
	return Handled.OK;
}
