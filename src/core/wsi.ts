import { Handled } from "./reasons.js";
import type { Reason } from "./reasons.js";
import type { Role } from "./role.js";
import type { TcpSocket } from "./io.js";
import type { Protocol, CallbackData } from "./types.js";
import type { Context } from "./context.js";
import type { Vhost } from "./vhost.js";
import { lwsl } from "./log.js";

/** Independent conditions of a connection, as bits (lws wsi flags). */
export const enum WsiFlag {
	WANT_WRITEABLE = 1 << 0,
	IN_WRITEABLE = 1 << 1,
	WROTE = 1 << 2,
	CLOSING = 1 << 3,
	CLOSE_AFTER_FLUSH = 1 << 4,
	/** rx paused by the user (rxFlowControl) */
	RX_USER = 1 << 5,
	/** rx paused while waiting for a header block */
	RX_AH = 1 << 6,
	/** rx paused by the role (a response is in progress, pipelined bytes wait) */
	RX_ROLE = 1 << 7,
	/** after the last write, read and discard until the peer closes, so our reply is not lost to a reset */
	LINGER = 1 << 8,
	/** dispatch is on the stack: closes wait until it unwinds */
	IN_DISPATCH = 1 << 9,
	DEAD = 1 << 10,
	/** queued for the next service pass */
	IN_SERVICE_LIST = 1 << 11,
	/** the socket has called back at least once */
	HEARD = 1 << 12,
	/** bytes have arrived from the peer */
	SPOKE = 1 << 13,
	/** protocols[0] was told WSI_CREATE: it is told WSI_DESTROY */
	NOTIFIED = 1 << 14,
}

const RX_PAUSED = WsiFlag.RX_USER | WsiFlag.RX_AH | WsiFlag.RX_ROLE;

/** The timeout reasons (lws `PENDING_TIMEOUT_*`). */
export enum Timeout {
	/** no timeout armed (lws `NO_PENDING_TIMEOUT`) */
	NONE = 0,
	/** waiting for a whole request head: `timeoutSecs` (lws `PENDING_TIMEOUT_HTTP_CONTENT`, 408) */
	HEADER = 1,
	/** an idle keep-alive connection: `keepaliveTimeout` (lws `PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE`) */
	KEEPALIVE = 2,
	/** waiting for the rest of a request body (lws `PENDING_TIMEOUT_HTTP_CONTENT`) */
	BODY = 3,
	/** a peer that stopped reading what we send (lws `PENDING_TIMEOUT_HTTP_FILE`-like) */
	WRITE = 4,
	/** reading and dropping after an error reply, so the peer sees it, not a reset (lws `PENDING_TIMEOUT_CLOSE_SEND`) */
	LINGER = 5,
	/** waiting for the peer's answer to our WebSocket close (lws `PENDING_TIMEOUT_CLOSE_ACK`) */
	CLOSE_ACK = 6,
	/** set by a protocol with `setTimeout` (lws `PENDING_TIMEOUT_USER_OK`) */
	USER = 7,
}

let nextId = 1;

/**
 * One connection (lws `struct lws`). Kept small: every field is a slot on
 * XS, and the board has room for a few thousand slots in all.
 */
export class Wsi {
	/** A number unique to this connection in the process, for logs. */
	readonly id = nextId++;
	/** The role it is in now (lws `lws_role_ops`): "h1", "ws", ... */
	role: Role;
	/** The role's own state; each role knows its type. */
	rs: object | null = null;
	/** The protocol it is bound to (lws `lws_get_protocol`), null before binding. */
	protocol: Protocol | null = null;
	/** Per-session data the bound protocol made. */
	user: object | undefined = undefined;
	/** The host's socket; null once closed. */
	socket: TcpSocket | null;
	/** The vhost that owns it (lws `lws_get_vhost`). */
	vhost: Vhost;
	/** The peer's address as text (lws `lws_get_peer_simple`). */
	peer: string;
	/** @internal WsiFlag bits of the core. */
	flags = 0;
	/** Bytes the socket takes now without blocking. */
	writable = 0;
	/** The tail of a partial write, sent before anything else. */
	txPending: Uint8Array | null = null;
	/** Bytes read but not yet handled (kept while rx is paused). */
	rxStash: Uint8Array | null = null;
	/** Bytes the socket holds unread: its last onReadable count less what was read since. Flow control is not reading them. */
	rxAvail = 0;
	/** ms deadline of the current timeout, 0 = none. */
	timeoutAt = 0;
	/** Why the current timeout is armed (lws `pending_timeout`). */
	timeoutReason: Timeout = Timeout.NONE;
	/** When the connection entered its present RoomClass. */
	since: number;

	/** @param context the context that owns it (lws `lws_get_context`) */
	constructor(readonly context: Context, vhost: Vhost, role: Role, socket: TcpSocket | null, peer: string) {
		this.vhost = vhost;
		this.role = role;
		this.socket = socket;
		this.peer = peer;
		this.since = context.now();
	}

	/** lws_callback_on_writable(): raise one WRITEABLE when the socket can take data. */
	callOnWritable(): void {
		if (this.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) return;
		this.flags |= WsiFlag.WANT_WRITEABLE;
		if (this.writable > 0 && !this.txPending) this.context.scheduleService(this);
	}

	/**
	 * lws_write(): send bytes, framed by the role for `mode`. One write per
	 * WRITEABLE callback; a write while an earlier one is still partly
	 * unsent is refused too. Both are "illegal back-to-back write": logged,
	 * and the connection is closed. Returns bytes accepted, or -1.
	 */
	write(data: Uint8Array | string, mode: number): number {
		if (this.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) return -1;
		const bytes = typeof data === "string" ? this.context.encode(data) : data;
		if ((this.flags & (WsiFlag.IN_WRITEABLE | WsiFlag.WROTE)) === (WsiFlag.IN_WRITEABLE | WsiFlag.WROTE) || this.txPending) {
			lwsl.err(`wsi ${this.id} (${this.protocol?.name ?? this.role.name}): illegal back-to-back write`);
			this.context.stats.userErrors++;
			this.close();
			return -1;
		}
		this.flags |= WsiFlag.WROTE;
		const framed = this.role.writeRoleProtocol ? this.role.writeRoleProtocol(this, bytes, mode) : bytes;
		if (framed === null) return bytes.length;	// role swallowed it (e.g. HEAD body)
		return this.sendRaw(framed) < 0 ? -1 : bytes.length;
	}

	/**
	 * Put bytes on the socket now, keeping what it can't take yet, at most maxBackpressure bytes
	 * in all (`admitted`: bytes already let in, e.g. a pending tail, skip the check). Over it
	 * nothing is written and the role ends the connection. Returns bytes the socket took, -1 if
	 * the connection is gone or over the limit.
	 */
	sendRaw(bytes: Uint8Array, admitted = false): number {
		const socket = this.socket;
		if (!socket || this.flags & WsiFlag.DEAD) return -1;
		const pending = this.txPending;
		const n = pending ? 0 : bytes.length <= this.writable ? bytes.length : this.writable;
		const queued = (pending ? pending.length : 0) + bytes.length - n;
		if (!admitted && queued > this.context.options.maxBackpressure) return this.overBackpressure(queued);
		if (pending) {
			// Only the library queues behind a pending tail (e.g. close frames); keep order.
			const both = new Uint8Array(pending.length + bytes.length);
			both.set(pending);
			both.set(bytes, pending.length);
			this.txPending = both;
			return 0;
		}
		if (n > 0) {
			let space: number | void;
			try {
				space = socket.write(n === bytes.length ? bytes : bytes.subarray(0, n));
			}
			catch (e) {
				lwsl.info(`wsi ${this.id}: write failed: ${e}`);
				this.close();
				return -1;
			}
			// the board's write() returns its space left; anything else: the connection is gone
			if (typeof space !== "number") {
				lwsl.info(`wsi ${this.id}: write failed: the connection is gone`);
				this.close();
				return -1;
			}
			this.writable = space;
		}
		if (n < bytes.length) {
			this.txPending = bytes.slice(n);
			// a peer that takes nothing for timeoutSecs is closed: it must not hold its slot for good
			if (this.timeoutReason === Timeout.NONE) this.setTimeout(Timeout.WRITE, this.context.options.timeoutSecs * 1000);
		}
		return n;
	}

	/** The socket reported room: send the pending tail; true when nothing is left. */
	flushPending(): boolean {
		const p = this.txPending;
		if (!p) return true;
		this.txPending = null;
		this.sendRaw(p, true);
		const left = this.txPending as Uint8Array | null;
		if (this.timeoutReason === Timeout.WRITE) {
			if (!left) this.setTimeout(Timeout.NONE, 0);
			else if (left.length < p.length) this.setTimeout(Timeout.WRITE, this.context.options.timeoutSecs * 1000);
		}
		return left === null;
	}

	/** More would wait to be sent than maxBackpressure allows: counted, and the role ends the connection. */
	private overBackpressure(queued: number): number {
		const max = this.context.options.maxBackpressure;
		this.context.stats.backpressureClosed++;
		lwsl.notice(`wsi ${this.id} (${this.peer}, ${this.protocol?.name ?? this.role.name}): ${queued} bytes would wait to be sent, over maxBackpressure (${max}): closing`);
		if (!this.role.handleBackpressure || this.role.handleBackpressure(this, max) === Handled.PLEASE_CLOSE) this.close();
		return -1;
	}

	/** Keep buf[pos...] (a view into the shared receive buffer) to be handled before the next read. */
	stashRx(buf: Uint8Array, pos: number): void {
		if (pos >= buf.length) return;
		const rest = buf.subarray(pos);
		const old = this.rxStash;
		if (!old) {
			this.rxStash = rest.slice();
			return;
		}
		const both = new Uint8Array(old.length + rest.length);
		both.set(old);
		both.set(rest, old.length);
		this.rxStash = both;
	}

	/** lws_rx_flow_control(): false stops reading from this socket until true again. */
	rxFlowControl(enable: boolean): void {
		this.setRxPause(WsiFlag.RX_USER, !enable);
	}

	/** @internal a reason to pause reading comes or goes */
	setRxPause(bit: WsiFlag, paused: boolean): void {
		const before = this.flags & RX_PAUSED;
		if (paused) this.flags |= bit;
		else this.flags &= ~bit;
		const after = this.flags & RX_PAUSED;
		if (!before === !after || !this.socket || this.flags & WsiFlag.DEAD) return;
		// Paused is simply not reading (the socket keeps the bytes, TCP pushes back). Resumed, what
		// is buffered is read now: the socket announces only bytes that arrive after this.
		if (!after && (this.rxStash || this.rxAvail > 0)) this.context.scheduleService(this);
	}

	/** True while reading is paused, by `rxFlowControl(false)` or by the role (lws `lws_is_flowcontrolled`). */
	get rxPaused(): boolean {
		return (this.flags & RX_PAUSED) !== 0;
	}

	/** lws_set_timer_usecs(), in ms: the protocol gets TIMER once `ms` has passed; a new call replaces it, a negative ms cancels. A nonzero return from TIMER closes the connection. */
	setTimer(ms: number): void {
		this.context.setWsiTimer(this, ms);
	}

	/** lws_set_timeout(): after `secs`, the role's timeout handler runs (0 cancels). */
	setTimeout(reason: Timeout, ms: number): void {
		this.timeoutReason = ms > 0 ? reason : Timeout.NONE;
		this.timeoutAt = ms > 0 ? this.context.now() + ms : 0;
		if (ms > 0) this.context.armTimeouts(this.timeoutAt);
	}

	/** Close once everything queued has been sent. */
	closeAfterFlush(linger: boolean): void {
		this.flags |= WsiFlag.CLOSE_AFTER_FLUSH;
		if (linger) this.flags |= WsiFlag.LINGER;
		if (!this.txPending) this.context.scheduleService(this);
	}

	/** Close now (deferred until the current dispatch unwinds). */
	close(): void {
		this.context.closeWsi(this);
	}

	/** True once the connection is closing or closed: nothing more should be written. */
	get closing(): boolean {
		return (this.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) !== 0;
	}

	/** Raise a reason on the bound protocol; a throwing callback closes only this connection. */
	callback(reason: Reason, data?: CallbackData, protocol: Protocol | null = this.protocol): number {
		if (!protocol) return 0;
		try {
			// a protocol told of a connection bound to another (protocols[0]'s notices) gets no session
			const r = protocol.callback(this, reason, protocol === this.protocol ? this.user : undefined, data);
			return typeof r === "number" ? r : 0;
		}
		catch (e) {
			const stack = e instanceof Error && e.stack ? `\n${e.stack}` : "";
			lwsl.err(`protocol ${protocol.name}: callback for reason ${reason} threw: ${e}${stack}`);
			this.context.stats.userErrors++;
			return -1;
		}
	}

	/** Bind a protocol, making its per-session state. */
	bindProtocol(protocol: Protocol): void {
		this.protocol = protocol;
		this.user = protocol.newSession ? protocol.newSession() : {};
	}

	/** @internal called by the service code with the write budget the socket reported. */
	deliverWriteable(): Handled {
		this.flags &= ~WsiFlag.WANT_WRITEABLE;
		this.flags = (this.flags | WsiFlag.IN_WRITEABLE) & ~WsiFlag.WROTE;
		try {
			return this.role.handleWriteable(this);
		}
		finally {
			this.flags &= ~(WsiFlag.IN_WRITEABLE | WsiFlag.WROTE);
		}
	}
}
