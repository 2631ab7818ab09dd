import type { Handled } from "./reasons.js";
import type { Context } from "./context.js";
import type { Wsi } from "./wsi.js";

/** How a role rates a connection when the context must make room for a new one. */
export const enum RoomClass {
	/** doing real work: never reaped */
	BUSY = 0,
	/** never finished its request head: reaped first */
	SLOW = 1,
	/** idle between requests: reaped next */
	IDLE = 2,
}

/**
 * A role is an ops table (lws `struct lws_role_ops`): the core dispatches
 * through it and never names a role. Only the core closes or frees a wsi;
 * handlers return a verdict.
 */
export interface Role {
	/** Its name (lws `lws_role_ops.name`): "h1", "ws". */
	readonly name: string;
	/** A new connection was handed to this role: set up its state and timeouts. */
	adopt(wsi: Wsi): Handled;
	/** Bytes arrived (a view into a shared buffer, valid only during the call). */
	handleRx(wsi: Wsi, buf: Uint8Array): Handled;
	/** The connection may write and the user asked for it: raise the role's WRITEABLE. */
	handleWriteable(wsi: Wsi): Handled;
	/** The wsi's timeout (set with wsi.setTimeout) expired. */
	handleTimeout(wsi: Wsi, reason: number): Handled;
	/** Every byte queued so far has reached the socket. */
	handleTxDrained?(wsi: Wsi): Handled;
	/** The peer closed or the socket failed. */
	handlePeerGone?(wsi: Wsi): void;
	/** The wsi is closing: raise close callbacks, give back pooled resources. */
	closeRole(wsi: Wsi): void;
	/** Rate the connection for reaping; `since` is when it entered that class. */
	roomClass(wsi: Wsi): RoomClass;
	/** More than `max` bytes would wait to be sent: end the connection the role's way (absent or PLEASE_CLOSE: closed now). */
	handleBackpressure?(wsi: Wsi, max: number): Handled;
	/** Frame user data for the wire (ws framing, http chunking); absent: raw. */
	writeRoleProtocol?(wsi: Wsi, data: Uint8Array, mode: number): Uint8Array | null;
	/** A listener may start connections in this role (lws: a role usable as `listen_accept_role`); a role entered only by upgrade leaves it unset. */
	readonly listenAccept?: boolean;
	/** What the role reports in Context.status() (e.g. pooled resources), or null. */
	status?(context: Context): object | null;
	/** What a peer over ipLimitWsi is sent, in this role's protocol, before it is closed (h1: a 503); absent: closed at once. */
	readonly refusal?: Uint8Array;
	/** The HTTP Upgrade token (RFC 9110 7.8), lower case, that moves a connection into this role: "websocket". */
	readonly upgradeToken?: string;
	/** A complete request head asks for upgradeToken: answer the handshake and take the connection, or refuse it through `req`. */
	upgrade?(wsi: Wsi, req: UpgradeRequest): Handled;
}

/**
 * An HTTP/1.1 request head that asks to leave HTTP (lws: the h1 role handing a wsi to the ws
 * role). The role that started the connection makes it; the role named by the token answers.
 */
export interface UpgradeRequest {
	/** The request method, as sent. */
	readonly method: string;
	/** 10 or 11 */
	readonly version: number;
	/** Whether a body follows the head (Content-Length or chunked). */
	readonly hasBody: boolean;
	/** A request header by lower-case name, repeats joined with ", " (RFC 9110 5.3); undefined if absent. */
	header(lname: string): string | undefined;
	/** Refuse with an error page (logged with `why`); the connection goes on as HTTP or closes. */
	fail(status: number, why: string): Handled;
	/** Refuse with this exact response, then close once it is sent. */
	refuse(status: number, headers: [string, string][], body: string): Handled;
	/** Put these bytes (the handshake answer) on the wire as they are; false when the connection is gone. */
	sendRaw(bytes: Uint8Array): boolean;
	/** The request as the HTTP API reads it: the new role keeps it as `headSource` until ESTABLISHED returns. */
	readonly head: object;
	/** Give back the request's header block: call once the new role's first callback returned. */
	release(): void;
}

/**
 * The roles a context knows, by name (lws `lws_role_by_name`): a listener starts connections in
 * the one its vhost names (`listenAcceptRole`), and an HTTP upgrade moves them to the one that
 * answers its token. The core looks roles up here; it never imports one.
 */
export class RoleRegistry {
	private readonly byName = new Map<string, Role>();

	/** @param defaultAccept the role a listener starts connections in when its vhost names none ("h1") */
	constructor(roles: readonly Role[], readonly defaultAccept: string) {
		for (const r of roles) {
			if (this.byName.has(r.name)) throw new Error(`role "${r.name}" registered twice`);
			this.byName.set(r.name, r);
		}
		this.acceptRole(defaultAccept);
	}

	/** The role a listener starts connections in, by name: it must be one a listener can start. */
	acceptRole(name: string): Role {
		const r = this.get(name);
		if (!r.listenAccept) {
			const can = [...this.byName.values()].filter((x) => x.listenAccept).map((x) => x.name);
			throw new RangeError(`role "${name}" cannot start connections from a listener (roles that can: ${can.join(", ")})`);
		}
		return r;
	}

	/** Every registered role, in the order given. */
	all(): IterableIterator<Role> {
		return this.byName.values();
	}

	/** The role called `name`; an unknown name throws, listing the known ones. */
	get(name: string): Role {
		const r = this.byName.get(name);
		if (!r) throw new RangeError(`no role "${name}" (roles: ${[...this.byName.keys()].join(", ")})`);
		return r;
	}

	/** Whether a role called `name` is registered. */
	has(name: string): boolean {
		return this.byName.has(name);
	}

	/** The role an HTTP Upgrade token (any case) asks for, if one answers it. */
	byUpgrade(token: string): Role | undefined {
		const t = token.toLowerCase();
		for (const r of this.byName.values()) if (r.upgradeToken === t && r.upgrade) return r;
		return undefined;
	}
}
