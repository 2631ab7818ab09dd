import { Handled, Reason } from "./reasons.js";
import { Wsi, WsiFlag, Timeout } from "./wsi.js";
import { Vhost } from "./vhost.js";
import type { Role, RoleRegistry } from "./role.js";
import type { HostIo, HeapFigures, TcpCallbacks } from "./io.js";
import type { ContextOptions, Protocol } from "./types.js";
import { lwsl } from "./log.js";
import { encodeUtf8 } from "../util/utf8.js";
import { resolveOptions, TIMINGS } from "./options.js";
import type { ResolvedOptions } from "./options.js";
import { Listening } from "./listen.js";
import { Timeouts } from "./timeouts.js";
import { newStats } from "./stats.js";
import type { ContextStats, ContextStatus } from "./stats.js";
export type { ContextStats } from "./stats.js";

const LINGER_MS = TIMINGS.LINGER_MS.value;
const PROBE_MS = TIMINGS.PROBE_MS.value;
const SERVICE_IDLE_MS = TIMINGS.SERVICE_IDLE_MS.value;

export type { ResolvedOptions } from "./options.js";

/**
 * lws_context: vhosts, listeners, the connections, limits, and the service
 * pass (deferred writeables, closes and stashed rx) run from one timer.
 */
export class Context {
	/** The context's options, checked and with every default filled in (lws `struct lws_context_creation_info`). */
	readonly options: ResolvedOptions;
	/** The vhosts, in the order given (lws `lws_get_vhost_by_name` looks here). */
	readonly vhosts: Vhost[] = [];
	/** Every live connection, of every role. */
	readonly wsis = new Set<Wsi>();
	/** Counters since the context was made (served by `/status.json`); lws keeps similar ones per thread. */
	readonly stats: ContextStats = newStats();
	/** Shared receive buffer: single-threaded, so one serves every connection. */
	readonly rxBuffer: Uint8Array;
	/** Live connections per peer address (ipLimitWsi). */
	readonly peerCount = new Map<string, number>();
	/** Role-owned context-wide state (e.g. the header pool), by role name. */
	readonly roleData = new Map<string, object>();

	private readonly listening: Listening;
	private readonly timeouts: Timeouts;
	private acceptDue = false;
	private serviceList: Wsi[] = [];
	private serviceTimer: unknown = null;
	private serviceArmed = false;
	private cancelPending = false;
	private probeTimer: unknown = null;
	/** A zero-length write probes a socket: it throws ("not ready") or returns nothing once the connection is gone. */
	private readonly probe = new Uint8Array(1).subarray(0, 0);
	/** @internal one set of socket callbacks for every connection (`this.target` is the wsi) */
	readonly callbacks: TcpCallbacks;
	private destroyed = false;

	/**
	 * @param io the host seam: sockets, timers, heap figures (lws's platform layer)
	 * @param roles the roles connections can be in (lws `lws_role_ops`)
	 */
	constructor(options: ContextOptions, readonly io: HostIo, readonly roles: RoleRegistry) {
		const o = resolveOptions(options, io.maxSockets);
		this.options = o;
		this.rxBuffer = new Uint8Array(o.rxBufferSize);
		const context = this;
		// One set of callbacks for every socket: `this.target` is the wsi, so no closure per connection.
		this.callbacks = {
			onReadable(count: number) { context.onReadable(this.target as Wsi, count); },
			onWritable(count: number) { context.onWritable(this.target as Wsi, count); },
			onError() { context.onSocketError(this.target as Wsi); },
		};
		this.timeouts = new Timeouts(this);
		this.listening = new Listening(this);
		for (const vo of options.vhosts) this.vhosts.push(new Vhost(this, vo, acceptRoleOf(roles, vo)));
		for (const vh of this.vhosts) {
			for (const p of vh.protocols) {
				if (vh.vhostWsi().callback(Reason.PROTOCOL_INIT, undefined, p) !== 0)
					throw new Error(`protocol ${p.name} refused PROTOCOL_INIT on vhost ${vh.name}`);
			}
		}
		this.listening.listen(this.vhosts);
	}

	/** The host's monotonic clock in ms (lws `lws_now_usecs`, in ms). */
	now(): number {
		return this.io.now();
	}

	/** UTF-8 bytes of `s`, through the host's encoder. */
	encode(s: string): Uint8Array {
		return encodeUtf8(s);
	}

	/** Vhost by Host header name, among those on the same listener. */
	vhostByName(current: Vhost, host: string): Vhost {
		if (this.vhosts.length === 1) return current;
		const name = host.replace(/:\d+$/, "").toLowerCase();
		return this.vhosts.find((v) => v.listener === current.listener && v.name.toLowerCase() === name) ?? current;
	}

	/** Room may have appeared (a close, a connection going idle or first heard from): accept held peers in the next service pass. */
	roomMayHaveChanged(): void {
		if (this.acceptDue || this.destroyed || !this.listening.peersHeld()) return;
		this.acceptDue = true;
		this.armService();
	}

	/** Run a role handler with closes deferred until it unwinds, then act on its verdict. */
	dispatch(wsi: Wsi, fn: () => Handled): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		const outer = (wsi.flags & WsiFlag.IN_DISPATCH) !== 0;
		wsi.flags |= WsiFlag.IN_DISPATCH;
		let r: Handled;
		try {
			r = fn();
		}
		catch (e) {
			lwsl.err(`wsi ${wsi.id}: ${wsi.role.name} handler threw: ${e}${e instanceof Error && e.stack ? "\n" + e.stack : ""}`);
			r = Handled.PLEASE_CLOSE;
		}
		if (outer) {
			if (r === Handled.PLEASE_CLOSE) wsi.flags |= WsiFlag.CLOSING;
			return;
		}
		wsi.flags &= ~WsiFlag.IN_DISPATCH;
		if (r === Handled.PLEASE_CLOSE || wsi.flags & WsiFlag.CLOSING) this.finalClose(wsi);
	}

	/** The first callback from a connection's socket: it has had its chance to send, so it may be reaped. */
	private heard(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.HEARD) return;
		wsi.flags |= WsiFlag.HEARD;
		this.roomMayHaveChanged();
	}

	private onReadable(wsi: Wsi, count: number): void {
		if (wsi.flags & WsiFlag.DEAD || !wsi.socket) return;
		wsi.rxAvail = count;
		this.heard(wsi);
		this.dispatch(wsi, () => this.readSome(wsi));
	}

	/**
	 * The board's socket reports an error only after its buffered bytes have been read, so a
	 * connection that is not reading never hears that its peer reset: look now and then, or it
	 * would hold its slot for good.
	 */
	private armProbe(): void {
		if (this.probeTimer !== null || this.destroyed) return;
		this.probeTimer = this.io.setTimer(() => this.probeUnread(), PROBE_MS, false);
	}

	private probeUnread(): void {
		this.probeTimer = null;
		let again = false;
		for (const w of this.wsis) {
			const socket = w.socket;
			if (!socket || !w.rxPaused || w.rxAvail <= 0 || w.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) continue;
			let alive: boolean;
			try { alive = typeof socket.write(this.probe) === "number"; }
			catch { alive = false; }
			if (alive) {
				again = true;
				continue;
			}
			lwsl.info(`wsi ${w.id} (${w.peer}): the peer went away while its bytes waited unread`);
			w.role.handlePeerGone?.(w);
			this.finalClose(w);
		}
		if (again) this.armProbe();
	}

	/**
	 * Handle stashed bytes, then read what the socket holds, unless rx is paused (not reading is
	 * the flow control). Left unread, those bytes hide a reset from us: the probe looks for it.
	 */
	private readSome(wsi: Wsi): Handled {
		const r = this.readHeld(wsi);
		if (wsi.rxPaused && wsi.rxAvail > 0 && !(wsi.flags & WsiFlag.DEAD)) this.armProbe();
		return r;
	}

	private readHeld(wsi: Wsi): Handled {
		const socket = wsi.socket!;
		const buf = this.rxBuffer;
		const linger = (wsi.flags & WsiFlag.LINGER) !== 0;
		// Bytes kept from before a pause come first, or the stream would be reordered.
		if (wsi.rxStash && !linger) {
			if (wsi.rxPaused) return Handled.OK;
			const stash = wsi.rxStash;
			wsi.rxStash = null;
			if (wsi.role.handleRx(wsi, stash) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
			if (wsi.rxStash || wsi.rxPaused) return Handled.OK;
		}
		while (wsi.rxAvail > 0 && !(wsi.flags & (WsiFlag.CLOSING | WsiFlag.DEAD))) {
			if (wsi.rxPaused && !linger) return Handled.OK;
			const want = wsi.rxAvail < buf.length ? wsi.rxAvail : buf.length;
			const got = socket.read(want === buf.length ? buf : buf.subarray(0, want));
			if (typeof got !== "number" || !(got > 0)) {
				wsi.rxAvail = 0;
				break;
			}
			wsi.rxAvail -= got;
			wsi.flags |= WsiFlag.SPOKE;
			if (linger) continue;	// discarding until the peer closes
			if (wsi.role.handleRx(wsi, buf.subarray(0, got)) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		}
		return Handled.OK;
	}

	private onWritable(wsi: Wsi, count: number): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		wsi.writable = count;
		this.heard(wsi);
		if (!wsi.txPending && !(wsi.flags & WsiFlag.WANT_WRITEABLE) && !(wsi.flags & WsiFlag.CLOSE_AFTER_FLUSH)) return;
		this.dispatch(wsi, () => this.serviceWsi(wsi));
	}

	private onSocketError(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		wsi.flags |= WsiFlag.HEARD;
		lwsl.debug(`wsi ${wsi.id}: peer closed or socket error`);
		wsi.role.handlePeerGone?.(wsi);
		this.closeWsi(wsi);
	}

	/**
	 * One connection's turn in the service pass: finish a partial write,
	 * close-after-flush, role follow-ups, stashed rx, then one WRITEABLE.
	 */
	private serviceWsi(wsi: Wsi): Handled {
		wsi.flags &= ~WsiFlag.IN_SERVICE_LIST;
		if (!wsi.flushPending()) return Handled.OK;
		if (wsi.flags & WsiFlag.CLOSE_AFTER_FLUSH) {
			if (!(wsi.flags & WsiFlag.LINGER)) return Handled.PLEASE_CLOSE;
			if (wsi.timeoutReason !== Timeout.LINGER) {
				// Keep reading (and discarding) so the peer sees our reply, not a reset: closing with
				// unread bytes makes the board's lwIP (and Linux) send RST.
				wsi.setTimeout(Timeout.LINGER, LINGER_MS);
				wsi.flags &= ~(WsiFlag.RX_AH | WsiFlag.RX_ROLE | WsiFlag.RX_USER);
				wsi.rxStash = null;
			}
			return this.readSome(wsi);
		}
		if (wsi.role.handleTxDrained && wsi.role.handleTxDrained(wsi) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		if (wsi.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) return Handled.OK;
		if ((wsi.rxStash || wsi.rxAvail > 0) && !wsi.rxPaused && this.readSome(wsi) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		if (wsi.flags & WsiFlag.WANT_WRITEABLE && wsi.writable > 0 && !wsi.txPending && !(wsi.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)))
			return wsi.deliverWriteable();
		return Handled.OK;
	}

	/** Queue a wsi for the next service pass (soon, from a zero timer: never re-entrant). */
	scheduleService(wsi: Wsi): void {
		if (!(wsi.flags & WsiFlag.IN_SERVICE_LIST)) {
			wsi.flags |= WsiFlag.IN_SERVICE_LIST;
			this.serviceList.push(wsi);
		}
		this.armService();
	}

	private armService(): void {
		if (this.serviceArmed || this.destroyed) return;
		this.serviceArmed = true;
		const io = this.io;
		if (io.rescheduleTimer) {
			// one timer for the life of the context, re-armed for each pass: no timer made per pass
			if (this.serviceTimer === null) this.serviceTimer = io.setTimer(() => this.servicePass(), SERVICE_IDLE_MS, true);
			io.rescheduleTimer(this.serviceTimer, 0, SERVICE_IDLE_MS);
		}
		else this.serviceTimer = io.setTimer(() => this.servicePass(), 0, false);
	}

	/** One service pass: the wsis queued since the last one, then a pending cancelService. */
	private servicePass(): void {
		this.serviceArmed = false;
		if (!this.io.rescheduleTimer) this.serviceTimer = null;
		const list = this.serviceList;
		this.serviceList = [];
		for (const wsi of list) {
			if (wsi.flags & WsiFlag.DEAD) continue;
			this.dispatch(wsi, () => this.serviceWsi(wsi));
		}
		if (this.acceptDue) {
			this.acceptDue = false;
			this.listening.acceptHeld();
		}
		if (this.cancelPending) {
			this.cancelPending = false;
			for (const vh of this.vhosts)
				for (const p of vh.protocols) vh.vhostWsi().callback(Reason.EVENT_WAIT_CANCELLED, undefined, p);
		}
	}

	/** What status pages show: connections against the limit, the counters, and the XS heap (after GC). */
	status(): ContextStatus {
		const roles: Record<string, object> = {};
		for (const r of this.roles.all()) {
			const s = r.status?.(this);
			if (s) roles[r.name] = s;
		}
		return {
			connections: this.wsis.size,
			maxConnections: this.options.maxConnections,
			stats: this.stats,
			heap: this.io.heap ? this.io.heap() : null,
			roles,
		};
	}

	/** lws_callback_on_writable_all_protocol(): ask WRITEABLE for every connection bound to `protocol`. */
	callOnWritableAllProtocol(protocol: Protocol, vhost?: Vhost): void {
		for (const w of this.wsis) if (w.protocol === protocol && (!vhost || w.vhost === vhost)) w.callOnWritable();
	}

	/** Connections bound to `protocol` (optionally on one vhost). */
	*connectionsOf(protocol: Protocol, vhost?: Vhost): IterableIterator<Wsi> {
		for (const w of this.wsis) if (w.protocol === protocol && (!vhost || w.vhost === vhost) && !w.closing) yield w;
	}

	/** lws_cancel_service(): wake the loop; every protocol gets EVENT_WAIT_CANCELLED once. */
	cancelService(): void {
		this.cancelPending = true;
		this.armService();
	}

	/** Make sure the timeout timer fires by `at`. */
	armTimeouts(at: number): void {
		this.timeouts.arm(at);
	}

	/** Close a connection: at once, or when the dispatch on its stack unwinds. */
	closeWsi(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		if (wsi.flags & WsiFlag.IN_DISPATCH) {
			wsi.flags |= WsiFlag.CLOSING;
			return;
		}
		this.finalClose(wsi);
	}

	/** @internal close now, whatever is on the stack (the listener, timeouts and the probe call it) */
	finalClose(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		wsi.flags |= WsiFlag.CLOSING;
		try {
			wsi.role.closeRole(wsi);
		}
		catch (e) {
			lwsl.err(`wsi ${wsi.id}: closing ${wsi.role.name} threw: ${e}`);
		}
		if (wsi.flags & WsiFlag.NOTIFIED) wsi.callback(Reason.WSI_DESTROY, undefined, wsi.vhost.protocols[0] ?? null);
		this.timeouts.cancelWsiTimer(wsi);
		wsi.flags = (wsi.flags | WsiFlag.DEAD) & ~WsiFlag.WANT_WRITEABLE;
		wsi.txPending = null;
		wsi.rxStash = null;
		wsi.timeoutAt = 0;
		const socket = wsi.socket;
		wsi.socket = null;
		if (socket) {
			try { socket.close(); } catch { /* already gone */ }
		}
		if (this.wsis.delete(wsi)) {
			this.stats.closed++;
			const n = (this.peerCount.get(wsi.peer) ?? 1) - 1;
			if (n > 0) this.peerCount.set(wsi.peer, n);
			else this.peerCount.delete(wsi.peer);
		}
		// a slot is free: peers held by a listener may have it (the listener will not announce them again)
		this.roomMayHaveChanged();
	}

	/** lws_set_timer_usecs(), in ms: TIMER to the wsi's protocol once `ms` has passed; a negative ms cancels. */
	setWsiTimer(wsi: Wsi, ms: number): void {
		this.timeouts.setWsiTimer(wsi, ms);
	}

	/** Close every connection and listener; protocols get PROTOCOL_DESTROY. */
	destroy(): void {
		if (this.destroyed) return;
		this.destroyed = true;
		for (const wsi of [...this.wsis]) this.finalClose(wsi);
		this.listening.close();
		this.timeouts.close();
		if (this.serviceTimer !== null) this.io.clearTimer(this.serviceTimer);
		if (this.probeTimer !== null) this.io.clearTimer(this.probeTimer);
		for (const vh of this.vhosts)
			for (const p of vh.protocols) vh.vhostWsi().callback(Reason.PROTOCOL_DESTROY, undefined, p);
	}
}

/** The role a vhost's listener starts connections in; a bad name throws naming the vhost and the option. */
function acceptRoleOf(roles: RoleRegistry, vo: ContextOptions["vhosts"][number]): Role {
	try {
		return roles.acceptRole(vo.listenAcceptRole ?? roles.defaultAccept);
	}
	catch (e) {
		throw new RangeError(`option listenAcceptRole of vhost ${vo.name ?? "default"}: ${e instanceof Error ? e.message : e}`);
	}
}
