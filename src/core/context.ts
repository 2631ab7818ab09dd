import { Handled, Reason } from "./reasons.js";
import { Wsi, WsiFlag, Timeout } from "./wsi.js";
import { Vhost } from "./vhost.js";
import { RoomClass } from "./role.js";
import type { Role } from "./role.js";
import type { HostIo, HeapFigures, TcpCallbacks, TcpListener, TcpSocket } from "./io.js";
import type { ContextOptions, Protocol } from "./types.js";
import { lwsl } from "./log.js";
import { encodeUtf8 } from "../util/utf8.js";

/** Counters of what the server did at its limits; lws-status shows them. */
export interface ContextStats {
	accepted: number;
	closed: number;
	/** peers refused by ipLimitWsi (503) */
	refusedPeerLimit: number;
	/** connections closed to make room: never finished their head */
	reapedSlow: number;
	/** connections closed to make room: idle keep-alive */
	reapedIdle: number;
	/** times the listener stopped accepting at maxConnections */
	listenerPauses: number;
	/** timeouts that closed a connection */
	timeouts: number;
	/** waits for a header block */
	ahWaits: number;
	/** "illegal back-to-back write" and other user errors that closed a connection */
	userErrors: number;
}

/** Defaults sized for an ESP32 (see README "Options and limits"). */
const DEFAULTS = {
	maxHttpHeaderPool: 4,
	maxHttpHeaderData: 2048,
	maxHttpHeaders: 32,
	maxUriLength: 1024,
	maxHttpBodySize: 1024 * 1024,
	rxBufferSize: 2048,
	txChunkSize: 4096,
	timeoutSecs: 5,
	keepaliveTimeout: 5,
	ipLimitAh: 0,
	ipLimitWsi: 0,
	maxWsMessageSize: 1024 * 1024,
	serverString: "xsws",
};

/** How long a lingering close keeps reading before it gives up. */
const LINGER_MS = 2000;
/** The service timer's repeat when nothing re-arms it (a pass then finds nothing to do). */
const SERVICE_IDLE_MS = 0x3fffffff;
/** A connection younger than this is not reaped as slow: it may be about to send. */
const SLOW_MIN_AGE_MS = 500;

export interface Roles {
	/** The role new server connections start in (HTTP/1.1). */
	server: Role;
	/** Canned bytes to send a peer refused by ipLimitWsi. */
	refusal: Uint8Array;
	/** Offered each complete HTTP request head: returns a verdict if it took the connection (e.g. a WebSocket upgrade). */
	upgrade?: (wsi: Wsi) => Handled | undefined;
}

export type ResolvedOptions = Required<Omit<ContextOptions, "vhosts" | "fops">> & Pick<ContextOptions, "fops">;

/**
 * lws_context: vhosts, listeners, the connections, limits, and the service
 * pass (deferred writeables, closes and stashed rx) run from one timer.
 */
export class Context {
	readonly options: ResolvedOptions;
	readonly vhosts: Vhost[] = [];
	readonly wsis = new Set<Wsi>();
	readonly stats: ContextStats = {
		accepted: 0, closed: 0, refusedPeerLimit: 0, reapedSlow: 0, reapedIdle: 0,
		listenerPauses: 0, timeouts: 0, ahWaits: 0, userErrors: 0,
	};
	/** Shared receive buffer: single-threaded, so one serves every connection. */
	readonly rxBuffer: Uint8Array;
	/** Live connections per peer address (ipLimitWsi). */
	readonly peerCount = new Map<string, number>();
	/** Role-owned context-wide state (e.g. the header pool), by role name. */
	readonly roleData = new Map<string, object>();

	private readonly listeners: TcpListener[] = [];
	private listenersPaused = false;
	private serviceList: Wsi[] = [];
	private serviceTimer: unknown = null;
	private serviceArmed = false;
	private timeoutTimer: unknown = null;
	private timeoutDue = 0;
	private cancelPending = false;
	private readonly callbacks: TcpCallbacks;
	private destroyed = false;

	constructor(options: ContextOptions, readonly io: HostIo, readonly roles: Roles) {
		const o = { ...DEFAULTS, maxConnections: io.maxSockets, ...stripUndefined(options) } as ResolvedOptions & { vhosts?: unknown };
		delete o.vhosts;
		this.options = o;
		for (const [k, v] of Object.entries(o)) {
			if (typeof v === "number" && (!Number.isFinite(v) || v < 0)) throw new RangeError(`option ${k} must be a number >= 0, got ${v}`);
		}
		if (o.maxConnections < 1) throw new RangeError("option maxConnections must be at least 1");
		this.rxBuffer = new Uint8Array(o.rxBufferSize || DEFAULTS.rxBufferSize);
		const context = this;
		// One set of callbacks for every socket: `this.target` is the wsi, so no closure per connection.
		this.callbacks = {
			onReadable(count: number) { context.onReadable(this.target as Wsi, count); },
			onWritable(count: number) { context.onWritable(this.target as Wsi, count); },
			onError() { context.onSocketError(this.target as Wsi); },
		};
		for (const vo of options.vhosts) this.vhosts.push(new Vhost(this, vo));
		for (const vh of this.vhosts) {
			for (const p of vh.protocols) {
				const w = vh.vhostWsi(roles.server);
				if (w.callback(Reason.PROTOCOL_INIT, undefined, p) !== 0)
					throw new Error(`protocol ${p.name} refused PROTOCOL_INIT on vhost ${vh.name}`);
			}
		}
		this.listen();
	}

	now(): number {
		return this.io.now();
	}

	encode(s: string): Uint8Array {
		return encodeUtf8(s);
	}

	/** Vhosts sharing a port share one listener; the first vhost on a port is that port's default. */
	private listen(): void {
		const byPort = new Map<number, TcpListener>();
		for (const vh of this.vhosts) {
			const port = vh.options.port;
			let l = port !== 0 ? byPort.get(port) : undefined;
			if (!l) {
				l = this.io.listen(port, vh.options.iface, (listener, count) => this.onPending(listener, count));
				byPort.set(port, l);
				this.listeners.push(l);
			}
			vh.listener = l;
		}
	}

	/** The vhost a listener serves by default. */
	private vhostFor(listener: TcpListener): Vhost {
		return this.vhosts.find((v) => v.listener === listener) ?? this.vhosts[0];
	}

	/** Vhost by Host header name, among those on the same listener. */
	vhostByName(current: Vhost, host: string): Vhost {
		if (this.vhosts.length === 1) return current;
		const name = host.replace(/:\d+$/, "").toLowerCase();
		return this.vhosts.find((v) => v.listener === current.listener && v.name.toLowerCase() === name) ?? current;
	}

	private onPending(listener: TcpListener, count: number): void {
		if (this.destroyed) return;
		for (let i = 0; i < count; i++) {
			if (this.wsis.size >= this.options.maxConnections && !this.makeRoom()) {
				if (!this.listenersPaused) {
					this.listenersPaused = true;
					this.stats.listenerPauses++;
					for (const l of this.listeners) this.io.pauseListener(l, true);
					lwsl.info(`at maxConnections (${this.options.maxConnections}): new peers wait in the backlog`);
					// a slow head becomes reapable as it ages: look again then
					this.io.setTimer(() => this.roomMayHaveChanged(), SLOW_MIN_AGE_MS, false);
				}
				return;
			}
			const vhost = this.vhostFor(listener);
			const wsi = new Wsi(this, vhost, this.roles.server, null, "");
			const socket = this.io.accept(listener, this.callbacks, wsi);
			if (!socket) return;
			this.adopt(wsi, socket);
		}
	}

	private adopt(wsi: Wsi, socket: TcpSocket): void {
		wsi.socket = socket;
		wsi.peer = socket.remoteAddress ?? "";
		this.stats.accepted++;
		this.wsis.add(wsi);
		const n = (this.peerCount.get(wsi.peer) ?? 0) + 1;
		this.peerCount.set(wsi.peer, n);
		if (this.options.ipLimitWsi && n > this.options.ipLimitWsi) {
			this.stats.refusedPeerLimit++;
			lwsl.notice(`peer ${wsi.peer}: over ipLimitWsi (${this.options.ipLimitWsi}), refused with 503`);
			wsi.role = refusedRole;	// no protocol: just the canned refusal
			wsi.sendRaw(this.roles.refusal);
			wsi.closeAfterFlush(true);
			return;
		}
		this.dispatch(wsi, () => wsi.role.adopt(wsi));
	}

	/**
	 * Make room for a new connection: close the oldest connection that never
	 * finished its request head, else the oldest idle keep-alive one.
	 */
	private makeRoom(): boolean {
		const now = this.now();
		let slow: Wsi | null = null, idle: Wsi | null = null;
		for (const w of this.wsis) {
			if (w.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) continue;
			const c = w.role.roomClass(w);
			if (c === RoomClass.SLOW && now - w.since >= SLOW_MIN_AGE_MS && (!slow || w.since < slow.since)) slow = w;
			else if (c === RoomClass.IDLE && (!idle || w.since < idle.since)) idle = w;
		}
		const victim = slow ?? idle;
		if (!victim) return false;
		if (victim === slow) this.stats.reapedSlow++;
		else this.stats.reapedIdle++;
		lwsl.info(`wsi ${victim.id} (${victim.peer}) closed to make room (${victim === slow ? "slow head" : "idle"})`);
		this.finalClose(victim);
		return true;
	}

	/**
	 * A connection became reapable (idle keep-alive), or may have (slow heads age): while the
	 * listener is paused at maxConnections, let it report its waiting peers again so makeRoom()
	 * can take the reapable one for them instead of making them wait for a timeout.
	 */
	roomMayHaveChanged(): void {
		if (!this.listenersPaused || this.destroyed) return;
		this.listenersPaused = false;
		for (const l of this.listeners) this.io.pauseListener(l, false);
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

	private onReadable(wsi: Wsi, count: number): void {
		if (wsi.flags & WsiFlag.DEAD || !wsi.socket) return;
		this.dispatch(wsi, () => this.readSome(wsi, count));
	}

	private readSome(wsi: Wsi, count: number): Handled {
		const socket = wsi.socket!;
		const buf = this.rxBuffer;
		// Bytes kept from before a pause come first, or the stream would be reordered.
		if (wsi.rxStash && !(wsi.flags & WsiFlag.LINGER)) {
			if (wsi.rxPaused) return Handled.OK;
			const stash = wsi.rxStash;
			wsi.rxStash = null;
			if (wsi.role.handleRx(wsi, stash) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
			if (wsi.rxStash || wsi.rxPaused) return Handled.OK;
		}
		let left = count;
		while (left > 0 && !(wsi.flags & (WsiFlag.CLOSING | WsiFlag.DEAD))) {
			if (wsi.rxPaused && !(wsi.flags & WsiFlag.LINGER)) return Handled.OK;
			const want = left < buf.length ? left : buf.length;
			const got = socket.read(want === buf.length ? buf : buf.subarray(0, want));
			const n = typeof got === "number" ? got : want;
			if (!(n > 0)) break;
			left -= n;
			if (wsi.flags & WsiFlag.LINGER) continue;	// discarding until the peer closes
			if (wsi.role.handleRx(wsi, buf.subarray(0, n)) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		}
		return Handled.OK;
	}

	private onWritable(wsi: Wsi, count: number): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		wsi.writable = count;
		if (!wsi.txPending && !(wsi.flags & WsiFlag.WANT_WRITEABLE) && !(wsi.flags & WsiFlag.CLOSE_AFTER_FLUSH)) return;
		this.dispatch(wsi, () => this.serviceWsi(wsi));
	}

	private onSocketError(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.DEAD) return;
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
				// Keep reading (and discarding) so the peer sees our reply, not a reset.
				wsi.setTimeout(Timeout.LINGER, LINGER_MS);
				wsi.flags &= ~(WsiFlag.RX_AH | WsiFlag.RX_ROLE | WsiFlag.RX_USER);
				wsi.rxStash = null;
				if (wsi.socket) this.io.pauseRead(wsi.socket, false);
			}
			return Handled.OK;
		}
		if (wsi.role.handleTxDrained && wsi.role.handleTxDrained(wsi) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		if (wsi.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) return Handled.OK;
		if (wsi.rxStash && !wsi.rxPaused) {
			const stash = wsi.rxStash;
			wsi.rxStash = null;
			if (wsi.role.handleRx(wsi, stash) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
		}
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
		if (this.cancelPending) {
			this.cancelPending = false;
			for (const vh of this.vhosts)
				for (const p of vh.protocols) vh.vhostWsi(this.roles.server).callback(Reason.EVENT_WAIT_CANCELLED, undefined, p);
		}
	}

	/** What status pages show: connections against the limit, the counters, and the XS heap (after GC). */
	status(): { connections: number; maxConnections: number; stats: ContextStats; heap: HeapFigures | null } {
		return {
			connections: this.wsis.size,
			maxConnections: this.options.maxConnections,
			stats: this.stats,
			heap: this.io.heap ? this.io.heap() : null,
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
		if (this.timeoutTimer !== null && this.timeoutDue <= at) return;
		if (this.timeoutTimer !== null) this.io.clearTimer(this.timeoutTimer);
		this.timeoutDue = at;
		const delay = at - this.now();
		this.timeoutTimer = this.io.setTimer(() => this.checkTimeouts(), delay > 0 ? delay : 0, false);
	}

	private checkTimeouts(): void {
		this.timeoutTimer = null;
		const now = this.now();
		let next = 0;
		for (const wsi of this.wsis) {
			if (!wsi.timeoutAt) continue;
			if (wsi.timeoutAt <= now) {
				const reason = wsi.timeoutReason;
				wsi.timeoutAt = 0;
				wsi.timeoutReason = Timeout.NONE;
				if (reason === Timeout.LINGER) {
					this.finalClose(wsi);
					continue;
				}
				this.dispatch(wsi, () => {
					const r = wsi.role.handleTimeout(wsi, reason);
					if (r === Handled.PLEASE_CLOSE) this.stats.timeouts++;
					return r;
				});
			}
			if (wsi.timeoutAt && (!next || wsi.timeoutAt < next)) next = wsi.timeoutAt;
		}
		if (next) this.armTimeouts(next);
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

	private finalClose(wsi: Wsi): void {
		if (wsi.flags & WsiFlag.DEAD) return;
		wsi.flags |= WsiFlag.CLOSING;
		try {
			wsi.role.closeRole(wsi);
		}
		catch (e) {
			lwsl.err(`wsi ${wsi.id}: closing ${wsi.role.name} threw: ${e}`);
		}
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
		if (this.listenersPaused && this.wsis.size < this.options.maxConnections && !this.destroyed) {
			this.listenersPaused = false;
			for (const l of this.listeners) this.io.pauseListener(l, false);
		}
	}

	/** Close every connection and listener; protocols get PROTOCOL_DESTROY. */
	destroy(): void {
		if (this.destroyed) return;
		this.destroyed = true;
		for (const wsi of [...this.wsis]) this.finalClose(wsi);
		for (const l of this.listeners) l.close();
		if (this.serviceTimer !== null) this.io.clearTimer(this.serviceTimer);
		if (this.timeoutTimer !== null) this.io.clearTimer(this.timeoutTimer);
		for (const vh of this.vhosts)
			for (const p of vh.protocols) vh.vhostWsi(this.roles.server).callback(Reason.PROTOCOL_DESTROY, undefined, p);
	}
}

/** A refused connection sends its canned bytes and lingers; it has no protocol. */
const refusedRole: Role = {
	name: "refused",
	adopt: () => Handled.OK,
	handleRx: () => Handled.OK,
	handleWriteable: () => Handled.OK,
	handleTimeout: () => Handled.PLEASE_CLOSE,
	closeRole: () => undefined,
	roomClass: () => RoomClass.IDLE,
};

function stripUndefined<T extends object>(o: T): Partial<T> {
	const out: Partial<T> = {};
	for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
	return out;
}
