/**
 * The listen side of a context (lws roles/listen): one listener per (iface, port), accepting
 * held peers while there is room, making room by reaping slow heads then idle keep-alive, the
 * per-peer hard limit, and the first notices a connection raises.
 */
import { Handled, Reason } from "./reasons.js";
import { Wsi, WsiFlag } from "./wsi.js";
import type { Vhost } from "./vhost.js";
import { RoomClass } from "./role.js";
import type { Role } from "./role.js";
import type { TcpListener, TcpSocket } from "./io.js";
import type { Context } from "./context.js";
import { lwsl } from "./log.js";

export class Listening {
	private readonly listeners: TcpListener[] = [];
	/** Per listener: connections it holds for us (its last count, less those taken since). */
	private readonly heldByListener: number[] = [];
	/** Per listener: the vhost whose accept role and protocols its connections start with. */
	private readonly firstVhost: Vhost[] = [];
	/** Peers wait in a listener and no connection could be reaped for them yet. */
	private waitingForRoom = false;
	private accepting = false;
	private graceTimer: unknown = null;
	private closed = false;

	constructor(private readonly context: Context) {}

	/**
	 * Vhosts on the same iface and port share one listener (port 0: a listener each); the first
	 * of them is its default, and all of them must start connections in the same role.
	 */
	listen(vhosts: readonly Vhost[]): void {
		const byAddress = new Map<string, number>();
		for (const vh of vhosts) {
			const port = vh.options.port, iface = vh.options.iface ?? "";
			const key = `${iface}:${port}`;
			let i = port !== 0 ? byAddress.get(key) : undefined;
			if (i === undefined) {
				const l = this.context.io.listen(port, iface || undefined, (listener, count) => this.onPending(listener, count));
				i = this.listeners.length;
				byAddress.set(key, i);
				this.listeners.push(l);
				this.heldByListener.push(0);
				this.firstVhost.push(vh);
			}
			else if (this.firstVhost[i].acceptRole !== vh.acceptRole) {
				throw new RangeError(`vhost ${vh.name}: listenAcceptRole "${vh.acceptRole.name}" differs from "${this.firstVhost[i].acceptRole.name}" of vhost ${this.firstVhost[i].name} on the same listener (${key})`);
			}
			vh.listener = this.listeners[i];
		}
	}

	/** A listener has new connections: `count` is all it holds. */
	private onPending(listener: TcpListener, count: number): void {
		if (this.closed) return;
		const i = this.listeners.indexOf(listener);
		if (i < 0) return;
		this.heldByListener[i] = count;
		this.acceptHeld();
	}

	/**
	 * Accept what the listeners hold while there is room, making room where a connection can be
	 * reaped. The board's listener announces only new arrivals, so this also runs whenever room
	 * may have appeared (a close, a connection going idle or first heard from).
	 */
	acceptHeld(): void {
		if (this.accepting || this.closed) return;
		const context = this.context;
		this.accepting = true;
		try {
			for (let i = 0; i < this.listeners.length; i++) {
				const listener = this.listeners[i];
				const vhost = this.firstVhost[i];
				while (this.heldByListener[i] > 0) {
					if (context.wsis.size >= context.options.maxConnections && !this.makeRoom()) {
						if (!this.waitingForRoom) {
							this.waitingForRoom = true;
							context.stats.acceptWaits++;
							lwsl.info(`at maxConnections (${context.options.maxConnections}): new peers wait in the listener`);
						}
						return;
					}
					const wsi = new Wsi(context, vhost, vhost.acceptRole, null, "");
					const socket = context.io.accept(listener, context.callbacks, wsi);
					if (!socket) {
						this.heldByListener[i] = 0;
						break;
					}
					this.heldByListener[i]--;
					this.adopt(wsi, socket);
				}
			}
			this.waitingForRoom = false;
		}
		finally {
			this.accepting = false;
		}
	}

	peersHeld(): boolean {
		for (const n of this.heldByListener) if (n > 0) return true;
		return false;
	}

	private adopt(wsi: Wsi, socket: TcpSocket): void {
		const context = this.context, o = context.options;
		wsi.socket = socket;
		wsi.peer = socket.remoteAddress ?? "";
		context.stats.accepted++;
		context.wsis.add(wsi);
		const n = (context.peerCount.get(wsi.peer) ?? 0) + 1;
		context.peerCount.set(wsi.peer, n);
		if (o.ipLimitWsi && n > o.ipLimitWsi) {
			context.stats.refusedPeerLimit++;
			lwsl.notice(`peer ${wsi.peer}: over ipLimitWsi (${o.ipLimitWsi}), refused${wsi.role.refusal ? ` (${wsi.role.name})` : ""}`);
			const refusal = wsi.role.refusal;
			wsi.role = refusedRole;	// no protocol: just the role's canned refusal
			if (!refusal) {
				context.finalClose(wsi);
				return;
			}
			wsi.sendRaw(refusal);
			wsi.closeAfterFlush(true);
			return;
		}
		// lws's order, all to the vhost's protocols[0]: FILTER_NETWORK_CONNECTION may refuse the
		// peer (nonzero: closed at once), then WSI_CREATE and SERVER_NEW_CLIENT_INSTANTIATED
		const first = wsi.vhost.protocols[0] ?? null;
		if (first) {
			if (wsi.callback(Reason.FILTER_NETWORK_CONNECTION, undefined, first) !== 0) {
				lwsl.info(`wsi ${wsi.id}: peer ${wsi.peer} refused by ${first.name} (FILTER_NETWORK_CONNECTION)`);
				context.finalClose(wsi);
				return;
			}
			wsi.flags |= WsiFlag.NOTIFIED;
			wsi.callback(Reason.WSI_CREATE, undefined, first);
			wsi.callback(Reason.SERVER_NEW_CLIENT_INSTANTIATED, undefined, first);
		}
		context.dispatch(wsi, () => wsi.role.adopt(wsi));
	}

	/**
	 * Make room for a waiting peer: close the connection that has held its slot longest without
	 * completing a request head, whatever its age, else the oldest idle keep-alive one. A newcomer
	 * that has sent nothing yet gets silentGraceMs (about a round trip) to send its first bytes;
	 * when that is all that stands in the way, a timer looks again when the grace ends.
	 */
	private makeRoom(): boolean {
		const context = this.context;
		let slow: Wsi | null = null, idle: Wsi | null = null;
		const now = context.now(), grace = context.options.silentGraceMs;
		let graceEnds = 0;
		for (const w of context.wsis) {
			if (w.flags & (WsiFlag.CLOSING | WsiFlag.DEAD)) continue;
			const c = w.role.roomClass(w);
			if (c === RoomClass.SLOW) {
				if (!(w.flags & WsiFlag.SPOKE) && (!(w.flags & WsiFlag.HEARD) || now - w.since < grace)) {
					const end = w.since + grace;
					if (!graceEnds || end < graceEnds) graceEnds = end;
					continue;
				}
				if (!slow || w.since < slow.since) slow = w;
			}
			else if (c === RoomClass.IDLE && (!idle || w.since < idle.since)) idle = w;
		}
		const victim = slow ?? idle;
		if (!victim) {
			if (graceEnds && this.graceTimer === null) {
				this.graceTimer = context.io.setTimer(() => { this.graceTimer = null; context.roomMayHaveChanged(); }, Math.max(1, graceEnds - now), false);
			}
			return false;
		}
		if (victim === slow) context.stats.reapedSlow++;
		else context.stats.reapedIdle++;
		lwsl.info(`wsi ${victim.id} (${victim.peer}) closed to make room (${victim === slow ? "slow head" : "idle"})`);
		context.finalClose(victim);
		return true;
	}

	close(): void {
		this.closed = true;
		for (const l of this.listeners) l.close();
		if (this.graceTimer !== null) this.context.io.clearTimer(this.graceTimer);
		this.graceTimer = null;
	}
}

/** A refused connection sends its role's canned bytes and lingers; it has no protocol. */
const refusedRole: Role = {
	name: "refused",
	adopt: () => Handled.OK,
	handleRx: () => Handled.OK,
	handleWriteable: () => Handled.OK,
	handleTimeout: () => Handled.PLEASE_CLOSE,
	closeRole: () => undefined,
	roomClass: () => RoomClass.IDLE,
};
