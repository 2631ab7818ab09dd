import type { Handled } from "./reasons.js";
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
}
