import type { Context } from "./context.js";
import type { Protocol, Mount, VhostOptions } from "./types.js";
import type { TcpListener } from "./io.js";
import { Wsi } from "./wsi.js";
import type { Role } from "./role.js";
import { resolvePmd } from "./options.js";
import type { ResolvedPmd } from "./options.js";

/** A virtual host: a port (shared with other vhosts), protocols and mounts (lws `struct lws_vhost`). */
export class Vhost {
	/** Its name (lws `vhost_name`), "default" when none was given. */
	readonly name: string;
	/** Its protocols, in the order given (lws `protocols`). */
	readonly protocols: Protocol[];
	/** Its mounts, longest mountpoint first (lws `mounts`). */
	readonly mounts: Mount[];
	/** WebSockets asking no subprotocol, and HTTP no mount claims, go to this protocol. */
	readonly defaultProtocol: Protocol | null;
	/** Where 404s are redirected (lws `error_document_404`), if set. */
	readonly errorDocument404: string | undefined;
	/** Its permessage-deflate settings, checked, or null when it offers none. */
	readonly pmd: ResolvedPmd | null;
	/** The listener it shares with the vhosts on its port and iface; null until listening. */
	listener: TcpListener | null = null;
	/** Per-protocol vhost-wide state (lws `lws_protocol_vh_priv_get`), made on demand. */
	private readonly priv = new Map<string, object>();
	private pseudo: Wsi | null = null;

	/**
	 * @param context the context that owns it (lws `lws_get_context`)
	 * @param options what it was made with
	 * @param acceptRole the role its listener starts connections in (`listenAcceptRole`)
	 */
	constructor(readonly context: Context, readonly options: VhostOptions, readonly acceptRole: Role) {
		this.name = options.name ?? "default";
		this.protocols = options.protocols;
		// Longest mountpoint first, so matching takes the first hit.
		this.mounts = (options.mounts ?? []).slice().sort((a, b) => b.mountpoint.length - a.mountpoint.length);
		const def = options.default;
		this.defaultProtocol = (def ? this.protocols.find((p) => p.name === def) : this.protocols[0]) ?? null;
		if (def && !this.defaultProtocol) throw new Error(`vhost ${this.name}: default protocol "${def}" is not among its protocols`);
		this.errorDocument404 = options.errorDocument404;
		this.pmd = resolvePmd(options);
	}

	/** The port it listens on: the one the listener got when `port` was 0 (lws `lws_get_vhost_listen_port`). */
	get port(): number {
		return this.listener ? this.listener.port : this.options.port;
	}

	/** A protocol of this vhost by name (lws `lws_vhost_name_to_protocol`). */
	protocolByName(name: string): Protocol | undefined {
		return this.protocols.find((p) => p.name === name);
	}

	/** lws_protocol_vh_priv_zalloc()/get(): state shared by all connections of a protocol on this vhost. */
	protocolPriv<T extends object>(protocol: Protocol, make: () => T): T {
		let v = this.priv.get(protocol.name) as T | undefined;
		if (!v) this.priv.set(protocol.name, (v = make()));
		return v;
	}

	/** The socketless wsi vhost-wide reasons are raised on (PROTOCOL_INIT, EVENT_WAIT_CANCELLED, ...). */
	vhostWsi(): Wsi {
		return (this.pseudo ??= new Wsi(this.context, this, this.acceptRole, null, ""));
	}
}
