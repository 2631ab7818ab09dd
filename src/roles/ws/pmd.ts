/**
 * permessage-deflate (RFC 7692) on the WebSocket server role: the handshake's answer, inflating
 * received messages as they stream and deflating sent ones, with every window in pools a vhost
 * bounds (PMD_OPTIONS). Memory:
 * - a connection with the extension holds a PmdConn (XS slots) and, between messages, no window
 *   unless context takeover was agreed;
 * - an inflater (tables and its window, outside the XS heap) is taken when a compressed message
 *   starts and given back when it ends; a connection that finds none waits, not read;
 * - a deflater serves one write and is given back at once (a fragmented message keeps one until
 *   its last fragment); a message that finds none goes uncompressed.
 * Inflated bytes go to RECEIVE in pieces from one buffer per vhost, so the size of what a
 * message inflates to costs time (bounded by maxWsMessageSize: 1009 past it), never memory.
 */
import { Handled } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import { WsiFlag } from "../../core/wsi.js";
import type { Vhost } from "../../core/vhost.js";
import type { Protocol } from "../../core/types.js";
import type { ResolvedPmd } from "../../core/options.js";
import { PMD_LIMITS } from "../../core/options.js";
import { lwsl } from "../../core/log.js";
import { acceptPmd, parseExtensions } from "../../ws/pmd.js";
import type { PmdAgreed } from "../../ws/pmd.js";
import { pmdCompressors } from "../../ws/compressors.js";
import { headerLength, writeHeader } from "../../ws/frame.js";
import type { PmdDeflater, PmdInflater } from "../../ws/compressors.js";

/** The bytes RFC 7692 7.2.2 has the receiver append to a message: the sync flush the sender took off. */
const TAIL = Uint8Array.of(0, 0, 0xff, 0xff);
const NOTHING = new Uint8Array(0);
const PMD_MIN_RX_BUFFER = PMD_LIMITS.MIN_RX_BUFFER.value;

/** Bits of PmdConn.bits. */
const enum P {
	/** the message being received has RSV1: it is inflated */
	RX_COMPRESSED = 1,
	/** RSV1 was seen on the frame header just parsed (the codec's rsv hook comes before dataStart) */
	RSV1_SEEN = 2,
	/** paused with output waiting in the inflater and no input left to hand back: handleRx drains it first */
	RESUME = 4,
	/** ... and that was in the message's last piece */
	RESUME_LAST = 8,
	/** the message being sent is compressed */
	TX_COMPRESSED = 16,
	/** this connection holds a reservation for an inflater / a deflater of its own (context takeover) */
	OWN_INFLATER = 32,
	OWN_DEFLATER = 64,
	/** it waits in the pool's queue for an inflater */
	WAITING = 128,
	/** the message being received is text (the codec forgets its opcode when the last frame ends, and a pause may leave output after that) */
	RX_TEXT = 256,
	/** some of the message's payload went into the inflater (an empty message needs none) */
	RX_FED = 512,
	/** the connection failed or closed during the message: the rest of it is not inflated */
	RX_DROPPED = 1024,
	/** the flags that describe a message in progress or a reservation, not the agreement */
	STATE = 2047,
	/** what was agreed, packed: no context takeover on each side, the two windows */
	SERVER_NCT = 2048,
	CLIENT_NCT = 4096,
	SERVER_BITS_SHIFT = 13,
	CLIENT_BITS_SHIFT = 17,
	/** bytes of TAIL the inflater has taken for the message being received (0..4) */
	TAIL_SHIFT = 21,
	TAIL_MASK = 7 << 21,
}

/** lws_set_extension_option() values of one connection, made only when one is set. */
interface PmdConnOptions {
	rxBufSize: number;
	txBufSize: number;
	level: number;
	threshold: number;
}

/** A vhost's windows: what is out, what is free, who waits. One per vhost with the extension. */
export class PmdPool {
	inflatersOut = 0;
	deflatersOut = 0;
	/** of those, kept by a connection for its life (context takeover) */
	ownedInflaters = 0;
	ownedDeflaters = 0;
	private readonly freeInflaters: PmdInflater[] = [];
	private readonly freeInflaterBits: number[] = [];
	private readonly freeDeflaters: PmdDeflater[] = [];
	private readonly freeDeflaterBits: number[] = [];
	private readonly waiters: Wsi[] = [];
	private outBuf: Uint8Array | null = null;
	private txBuf: Uint8Array | null = null;
	/** counters for /status.json */
	compressedIn = 0;
	compressedOut = 0;
	uncompressedOut = 0;

	constructor(readonly cfg: ResolvedPmd) {}

	/** inflated pieces are handed to RECEIVE from here (made when first needed) */
	get out(): Uint8Array {
		return (this.outBuf ??= new Uint8Array(this.cfg.rxBufSize));
	}

	/** compressed frames whose worst case fits are built here (made when first needed) */
	get tx(): Uint8Array {
		return (this.txBuf ??= new Uint8Array(this.cfg.txBufSize + 14));
	}

	/** native bytes of the inflaters and deflaters that are out */
	outBytes = 0;

	/** Native bytes held by the pool's inflaters and deflaters, out and free. */
	get nativeBytes(): number {
		let n = this.outBytes;
		for (const i of this.freeInflaters) n += i.memory;
		for (const d of this.freeDeflaters) n += d.memory;
		return n;
	}

	takeInflater(bits: number): PmdInflater | null {
		const c = pmdCompressors();
		if (!c) return null;
		let i = this.freeInflaterBits.indexOf(bits);
		let inf: PmdInflater;
		if (i >= 0) {
			inf = this.freeInflaters.splice(i, 1)[0];
			this.freeInflaterBits.splice(i, 1);
		}
		else {
			if (this.inflatersOut + this.freeInflaters.length >= this.cfg.maxInflaters) {
				if (!this.freeInflaters.length) return null;
				// one of another window size makes room: the total stays within maxInflaters
				this.freeInflaters.pop()!.close();
				this.freeInflaterBits.pop();
			}
			inf = c.inflater(bits);	// throws when the host has no memory for it
		}
		this.inflatersOut++;
		this.outBytes += inf.memory;
		return inf;
	}

	giveInflater(inf: PmdInflater, bits: number): void {
		this.inflatersOut--;
		this.outBytes -= inf.memory;
		inf.reset();
		this.freeInflaters.push(inf);
		this.freeInflaterBits.push(bits);
		this.wake();
	}

	takeDeflater(bits: number, level: number): PmdDeflater | null {
		const c = pmdCompressors();
		if (!c) return null;
		const i = this.freeDeflaterBits.indexOf(bits);
		let d: PmdDeflater;
		if (i >= 0) {
			d = this.freeDeflaters.splice(i, 1)[0];
			this.freeDeflaterBits.splice(i, 1);
			d.setLevel(level);
		}
		else {
			if (this.deflatersOut + this.freeDeflaters.length >= this.cfg.maxDeflaters) {
				if (!this.freeDeflaters.length) return null;
				this.freeDeflaters.pop()!.close();
				this.freeDeflaterBits.pop();
			}
			d = c.deflater(bits, level);
		}
		this.deflatersOut++;
		this.outBytes += d.memory;
		return d;
	}

	giveDeflater(d: PmdDeflater, bits: number): void {
		this.deflatersOut--;
		this.outBytes -= d.memory;
		d.reset();
		this.freeDeflaters.push(d);
		this.freeDeflaterBits.push(bits);
	}

	/** A connection waits (not read) for an inflater. */
	wait(wsi: Wsi): void {
		this.waiters.push(wsi);
		wsi.setRxPause(WsiFlag.RX_ROLE, true);
	}

	unwait(wsi: Wsi): void {
		const i = this.waiters.indexOf(wsi);
		if (i >= 0) this.waiters.splice(i, 1);
	}

	/**
	 * An inflater is free: every waiting connection reads again, and the first to start its
	 * message takes it (the others wait again). Waking only one could strand the rest, when that
	 * one closes or stays paused by its user without taking the inflater.
	 */
	wake(): void {
		if (!this.waiters.length) return;
		for (const w of this.waiters.splice(0)) {
			(w.rs as { pmd: PmdConn | null }).pmd!.bits &= ~P.WAITING;
			w.setRxPause(WsiFlag.RX_ROLE, false);
		}
	}
}

/** The pool of the vhost, made on first use. */
export function pmdPool(vhost: Vhost): PmdPool | null {
	const cfg = vhost.pmd;
	if (!cfg) return null;
	let pools = vhost.context.roleData.get("pmd") as Map<Vhost, PmdPool> | undefined;
	if (!pools) vhost.context.roleData.set("pmd", (pools = new Map()));
	let p = pools.get(vhost);
	if (!p) pools.set(vhost, (p = new PmdPool(cfg)));
	return p;
}

/**
 * What one connection with the extension keeps: every field is a slot on XS, so the agreement,
 * the flags and the tail count share `bits`, and settings changed by setExtensionOption() live
 * in an object made only then.
 */
export class PmdConn {
	bits: number;
	inflater: PmdInflater | null = null;
	deflater: PmdDeflater | null = null;
	/** bytes the message being received has inflated to so far */
	inflated = 0;
	opts: PmdConnOptions | null = null;

	constructor(readonly pool: PmdPool, agreed: PmdAgreed) {
		this.bits = (agreed.serverNoContextTakeover ? P.SERVER_NCT : 0) | (agreed.clientNoContextTakeover ? P.CLIENT_NCT : 0) |
			(agreed.serverWindowBits << P.SERVER_BITS_SHIFT) | (agreed.clientWindowBits << P.CLIENT_BITS_SHIFT);
	}

	/** the window of what we send */
	get serverWindowBits(): number { return (this.bits >> P.SERVER_BITS_SHIFT) & 15; }
	/** the window of what the peer sends (our inflater's) */
	get clientWindowBits(): number { return (this.bits >> P.CLIENT_BITS_SHIFT) & 15; }
	get serverNoContextTakeover(): boolean { return (this.bits & P.SERVER_NCT) !== 0; }
	get clientNoContextTakeover(): boolean { return (this.bits & P.CLIENT_NCT) !== 0; }
	get tail(): number { return (this.bits & P.TAIL_MASK) >> P.TAIL_SHIFT; }
	set tail(v: number) { this.bits = (this.bits & ~P.TAIL_MASK) | (v << P.TAIL_SHIFT); }
	get rxBufSize(): number { return this.opts ? this.opts.rxBufSize : this.pool.cfg.rxBufSize; }
	get txBufSize(): number { return this.opts ? this.opts.txBufSize : this.pool.cfg.txBufSize; }
	get level(): number { return this.opts ? this.opts.level : this.pool.cfg.compressionLevel; }
	get threshold(): number { return this.opts ? this.opts.threshold : this.pool.cfg.threshold; }

	/** the settings of this connection, to change */
	options(): PmdConnOptions {
		const c = this.pool.cfg;
		return (this.opts ??= { rxBufSize: c.rxBufSize, txBufSize: c.txBufSize, level: c.compressionLevel, threshold: c.threshold });
	}
}

/**
 * The handshake: the first permessage-deflate offer we can take, and the answer's header line
 * (or null: none offered, none acceptable, or no native compressors on this host).
 */
export function negotiatePmd(wsi: Wsi, header: string | undefined, protocol: Protocol): { conn: PmdConn; line: string } | null {
	if (!header) return null;
	const pool = pmdPool(wsi.vhost);
	if (!pool) return null;
	// lws's rule, which its clients rely on: a protocol that reads in pieces under 128 bytes gets no
	// permessage-deflate (an lws client whose protocol is so gets none either, yet goes on)
	if (protocol.rxBufferSize && protocol.rxBufferSize < PMD_MIN_RX_BUFFER) {
		lwsl.info(`wsi ${wsi.id}: permessage-deflate declined: ${protocol.name}'s rxBufferSize ${protocol.rxBufferSize} is under ${PMD_MIN_RX_BUFFER}`);
		return null;
	}
	if (!pmdCompressors()) {
		lwsl.notice(`vhost ${wsi.vhost.name}: permessage-deflate declined: this host has no native deflater (xsws/zlib)`);
		return null;
	}
	const offers = parseExtensions(header);
	if (typeof offers === "string") {
		lwsl.info(`wsi ${wsi.id}: Sec-WebSocket-Extensions not understood (${offers}): no extension`);
		return null;
	}
	const cfg = pool.cfg;
	// context takeover needs a window per connection for its whole life: only while the pool can
	// give one now and still keep one for the connections that take one per message
	const ownInflater = !cfg.clientNoContextTakeover && pool.ownedInflaters + 1 < cfg.maxInflaters && pool.inflatersOut < cfg.maxInflaters;
	const ownDeflater = !cfg.serverNoContextTakeover && pool.ownedDeflaters + 1 < cfg.maxDeflaters && pool.deflatersOut < cfg.maxDeflaters;
	const r = acceptPmd(offers, {
		serverMaxWindowBits: cfg.serverMaxWindowBits,
		clientMaxWindowBits: cfg.clientMaxWindowBits,
		serverNoContextTakeover: !ownDeflater,
		clientNoContextTakeover: !ownInflater,
	});
	for (const why of r.declined) lwsl.info(`wsi ${wsi.id}: a permessage-deflate offer declined: ${why}`);
	if (!("agreed" in r)) return null;
	const conn = new PmdConn(pool, r.agreed);
	try {
		if (!r.agreed.clientNoContextTakeover) {
			conn.inflater = pool.takeInflater(conn.clientWindowBits);
			if (!conn.inflater) return null;
			conn.bits |= P.OWN_INFLATER;
			pool.ownedInflaters++;
		}
		if (!r.agreed.serverNoContextTakeover) {
			conn.deflater = pool.takeDeflater(conn.serverWindowBits, conn.level);
			if (!conn.deflater) {
				release(conn);
				return null;
			}
			conn.bits |= P.OWN_DEFLATER;
			pool.ownedDeflaters++;
		}
	}
	catch (e) {
		lwsl.warn(`wsi ${wsi.id}: permessage-deflate declined: ${(e as Error).message}`);
		release(conn);
		return null;
	}
	return { conn, line: r.response };
}

/** The connection ends: its windows go back to the pool. */
export function release(conn: PmdConn, wsi?: Wsi): void {
	const pool = conn.pool;
	if (wsi && conn.bits & P.WAITING) pool.unwait(wsi);
	if (conn.bits & P.OWN_INFLATER) pool.ownedInflaters--;
	if (conn.bits & P.OWN_DEFLATER) pool.ownedDeflaters--;
	if (conn.inflater) pool.giveInflater(conn.inflater, conn.clientWindowBits);
	if (conn.deflater) pool.giveDeflater(conn.deflater, conn.serverWindowBits);
	conn.inflater = null;
	conn.deflater = null;
	conn.bits &= ~P.STATE;
	// what this connection leaves is free for others (a woken waiter that closed took nothing)
	pool.wake();
}

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

/**
 * A data frame to send (opcode 1 or 2 starts a message, 0 continues it): compressed, framed and
 * returned, or null when it goes uncompressed (a short message, or no deflater free at its first
 * frame). RSV1 is set on the first frame only (RFC 7692 6.1).
 */
export function deflateFrame(conn: PmdConn, data: Uint8Array, opcode: number, fin: boolean): Uint8Array | null {
	const first = opcode !== 0;
	if (first) {
		conn.bits &= ~P.TX_COMPRESSED;
		if (fin && data.length < conn.threshold) {
			conn.pool.uncompressedOut++;
			return null;
		}
		if (!conn.deflater) {
			try {
				conn.deflater = conn.pool.takeDeflater(conn.serverWindowBits, conn.level);
			}
			catch (e) {
				lwsl.warn(`permessage-deflate: a message goes uncompressed: ${(e as Error).message}`);
			}
		}
		if (!conn.deflater) {
			conn.pool.uncompressedOut++;
			return null;
		}
		conn.bits |= P.TX_COMPRESSED;
	}
	else if (!(conn.bits & P.TX_COMPRESSED)) return null;
	const d = conn.deflater!;
	const bound = d.bound(data.length);
	const pool = conn.pool;
	const out = bound <= conn.txBufSize ? pool.tx : new Uint8Array(bound + 14);
	let n = d.deflate(data, out.subarray(14, 14 + bound));
	// RFC 7692 7.2.1: the message's last frame leaves off the sync flush's 00 00 FF FF
	if (fin) n -= 4;
	const start = 14 - headerLength(n);
	writeHeader(out, start, opcode, fin, n, undefined, first ? 4 : 0);
	pool.compressedOut++;
	if (fin) {
		conn.bits &= ~P.TX_COMPRESSED;
		if (!(conn.bits & P.OWN_DEFLATER)) {
			pool.giveDeflater(d, conn.serverWindowBits);
			conn.deflater = null;
		}
	}
	return out.subarray(start, 14 + n);
}

/** lws_set_extension_option() for permessage-deflate: the value clamped to what the vhost allows; false for an unknown name. */
export function setOption(conn: PmdConn, name: string, value: number): boolean {
	const c = conn.pool.cfg;
	const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.floor(v)));
	switch (name) {
		case "rx_buf_size": conn.options().rxBufSize = clamp(value, 128, c.rxBufSize); return true;
		case "tx_buf_size": conn.options().txBufSize = clamp(value, 256, c.txBufSize); return true;
		case "compression_level":
			conn.options().level = clamp(value, 0, 9);
			conn.deflater?.setLevel(conn.level);
			return true;
		case "threshold": conn.options().threshold = clamp(value, 0, 0x7fffffff); return true;
	}
	return false;
}

/** What /status.json shows of permessage-deflate, per vhost that has it (null when none does). */
export function pmdStatus(context: { vhosts: readonly Vhost[] }): object | null {
	let vhosts: Record<string, object> | null = null;
	for (const vh of context.vhosts) {
		const p = pmdPool(vh);
		if (!p) continue;
		(vhosts ??= {})[vh.name] = {
			inflatersOut: p.inflatersOut, maxInflaters: p.cfg.maxInflaters,
			deflatersOut: p.deflatersOut, maxDeflaters: p.cfg.maxDeflaters,
			nativeBytes: p.nativeBytes,
			compressedBytesIn: p.compressedIn, framesCompressedOut: p.compressedOut, messagesUncompressedOut: p.uncompressedOut,
		};
	}
	return vhosts && { permessageDeflate: vhosts };
}
