/**
 * Receiving compressed messages (RFC 7692 7.2.2): RSV1 taken on a message's first frame, the
 * payload inflated as it streams in and handed to RECEIVE in pieces, the sync-flush tail fed
 * after the last frame, pauses honoured with nothing lost, and the inflater given back when the
 * message ends or fails.
 */
import { Handled } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import { P } from "./pmd-conn.js";
import type { PmdConn } from "./pmd-conn.js";

/** The bytes RFC 7692 7.2.2 has the receiver append to a message: the sync flush the sender took off. */
const TAIL = Uint8Array.of(0, 0, 0xff, 0xff);
const NOTHING = new Uint8Array(0);

/** The codec's RSV hook: RSV1 alone, on the first frame of a data message, is ours (RFC 7692 6). */
export function takeRsv(conn: PmdConn | null, rsv: number, opcode: number): boolean {
	if (!conn || rsv !== 4 || (opcode !== 1 && opcode !== 2)) return false;
	conn.bits |= P.RSV1_SEEN;
	return true;
}

/** A data message starts: is it compressed? */
export function startRx(conn: PmdConn, text: boolean): boolean {
	const compressed = (conn.bits & P.RSV1_SEEN) !== 0;
	conn.bits &= ~(P.RX_COMPRESSED | P.RSV1_SEEN | P.RX_TEXT | P.RX_FED | P.RX_DROPPED | P.TAIL_MASK);
	if (compressed) conn.bits |= P.RX_COMPRESSED | (text ? P.RX_TEXT : 0);
	conn.inflated = 0;
	return compressed;
}

/** The compressed message being received is text. */
export function rxText(conn: PmdConn): boolean {
	return (conn.bits & P.RX_TEXT) !== 0;
}

export function rxCompressed(conn: PmdConn | null): boolean {
	return conn !== null && (conn.bits & P.RX_COMPRESSED) !== 0;
}

/** Whether handleRx must first drain output a pause left in the inflater. */
export function mustResume(conn: PmdConn | null): boolean {
	return conn !== null && (conn.bits & P.RESUME) !== 0;
}

/** How inflated pieces reach the user: the server role's RECEIVE with its checks. */
export interface PmdDeliver {
	/** Hand `part` to RECEIVE (final: it ends the message); false when nothing more is to be delivered (closing). */
	receive(wsi: Wsi, part: Uint8Array, final: boolean): boolean;
	/** fail the connection (bad data 1007, too large 1009) */
	fail(wsi: Wsi, code: number, why: string): Handled;
	/** bytes of the piece not taken because RECEIVE paused: handed back to the codec */
	untake(wsi: Wsi, n: number): void;
}

/**
 * A piece of a compressed message's payload (or NOTHING, when resuming a drain): inflate it in
 * pieces of at most rxBufSize (and the protocol's rxBufferSize) and deliver each. `last`: the
 * piece ends the message, so the sync-flush tail goes in after it.
 */
export function inflatePiece(wsi: Wsi, conn: PmdConn, piece: Uint8Array, last: boolean, max: number, deliver: PmdDeliver): Handled {
	conn.bits &= ~(P.RESUME | P.RESUME_LAST);
	if (conn.bits & P.RX_DROPPED) return Handled.OK;
	if (!piece.length && !(conn.bits & P.RX_FED)) {
		// nothing of the message yet: an empty message inflates to nothing, and its tail alone
		// would leave a kept inflater inside a stored block's header
		if (last && deliver.receive(wsi, NOTHING, true)) endRx(conn);
		return Handled.OK;
	}
	let inf = conn.inflater;
	if (!inf) {
		try {
			inf = conn.pool.takeInflater(conn.clientWindowBits);
		}
		catch (e) {
			return drop(conn, deliver.fail(wsi, 1011, `permessage-deflate: ${(e as Error).message}`));
		}
		if (!inf) {
			// every inflater is busy: this connection is not read until one comes back
			conn.bits |= P.WAITING;
			conn.pool.wait(wsi);
			deliver.untake(wsi, piece.length);
			return Handled.OK;
		}
		conn.inflater = inf;
	}
	conn.bits |= P.RX_FED;
	const limit = Math.min(conn.rxBufSize, max || conn.rxBufSize, conn.pool.out.length);
	const out = limit === conn.pool.out.length ? conn.pool.out : conn.pool.out.subarray(0, limit);
	const maxMessage = wsi.context.options.maxWsMessageSize;
	let at = 0;
	for (;;) {
		let n = 0;
		while (n < out.length) {
			const tail = at >= piece.length;
			let src: Uint8Array;
			if (!tail) src = at ? piece.subarray(at) : piece;
			else if (last && conn.tail < 4) src = conn.tail ? TAIL.subarray(conn.tail) : TAIL;
			else if (inf.pending) src = NOTHING;
			else break;
			let k: number;
			try {
				k = inf.inflate(src, n ? out.subarray(n) : out);
			}
			catch (e) {
				return drop(conn, deliver.fail(wsi, 1007, `permessage-deflate: ${(e as Error).message}`));
			}
			const c = inf.consumed;
			if (tail) conn.tail += c;
			else {
				at += c;
				conn.pool.compressedIn += c;
			}
			n += k;
			if (inf.done) {
				// the peer ended its deflate stream (BFINAL): what follows in the message is not data
				at = piece.length;
				if (last) conn.tail = 4;
				break;
			}
			if (k === 0 && c === 0) {
				// input left, room for output, and no progress: never so for sound data
				if (src.length) return drop(conn, deliver.fail(wsi, 1007, "permessage-deflate: the inflater made no progress"));
				break;
			}
		}
		const ended = last && conn.tail === 4 && !inf.pending;
		conn.inflated += n;
		if (conn.inflated > maxMessage) return drop(conn, deliver.fail(wsi, 1009, `message inflates past maxWsMessageSize (${maxMessage})`));
		if (n === 0 && !ended) return Handled.OK;
		if (!deliver.receive(wsi, n === out.length ? out : out.subarray(0, n), ended)) return drop(conn, Handled.OK);
		if (ended) {
			endRx(conn);
			return Handled.OK;
		}
		if (wsi.rxPaused) {
			if (at < piece.length) deliver.untake(wsi, piece.length - at);
			else if (inf.pending || (last && conn.tail < 4)) {
				// nothing to hand back, but output waits: an empty stash brings handleRx back on resume
				conn.bits |= P.RESUME | (last ? P.RESUME_LAST : 0);
				wsi.rxStash ??= new Uint8Array(0);
			}
			return Handled.OK;
		}
		if (n < out.length && at >= piece.length && !(last && conn.tail < 4) && !inf.pending) return Handled.OK;
	}
}

/** Resume a drain a pause interrupted (handleRx, before new input). */
export function resumeRx(wsi: Wsi, conn: PmdConn, max: number, deliver: PmdDeliver): Handled {
	return inflatePiece(wsi, conn, NOTHING, (conn.bits & P.RESUME_LAST) !== 0, max, deliver);
}

/**
 * The connection failed or is closing in the middle of a compressed message: nothing more of it
 * is inflated, and an inflater taken for it goes back now, not when the closing handshake ends.
 */
function drop(conn: PmdConn, r: Handled): Handled {
	conn.bits |= P.RX_DROPPED;
	const inf = conn.inflater;
	if (inf && !(conn.bits & P.OWN_INFLATER)) {
		conn.inflater = null;
		conn.pool.giveInflater(inf, conn.clientWindowBits);
	}
	return r;
}

/** A compressed message was delivered whole: without context takeover its inflater goes back. */
function endRx(conn: PmdConn): void {
	conn.bits &= ~P.RX_COMPRESSED;
	const inf = conn.inflater;
	if (!inf) return;
	if (conn.bits & P.OWN_INFLATER && !inf.done) return;
	if (conn.bits & P.OWN_INFLATER) {
		inf.reset();	// the peer ended its stream: the next message starts a new one
		return;
	}
	conn.inflater = null;
	conn.pool.giveInflater(inf, conn.clientWindowBits);
}
