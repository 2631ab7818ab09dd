import type { HeapFigures } from "./io.js";

/** Counters of what the server did at its limits; lws-status shows them. */
export interface ContextStats {
	/** connections accepted */
	accepted: number;
	/** connections closed, for any reason */
	closed: number;
	/** peers refused by ipLimitWsi (503) */
	refusedPeerLimit: number;
	/** connections closed to make room for a waiting peer: never finished their request head */
	reapedSlow: number;
	/** connections closed to make room for a waiting peer: idle keep-alive */
	reapedIdle: number;
	/** times peers had to wait in the listener at maxConnections (no connection could be reaped) */
	acceptWaits: number;
	/** timeouts that closed a connection */
	timeouts: number;
	/** waits for a header block */
	ahWaits: number;
	/** header blocks taken from a connection that held one longest without finishing its head (408) */
	ahStolen: number;
	/** connections closed because more than maxBackpressure bytes would wait to be sent */
	backpressureClosed: number;
	/** requests refused with 503 because a limited resource was busy (e.g. maxInflaters) */
	refusedBusy: number;
	/** "illegal back-to-back write" and other user errors that closed a connection */
	userErrors: number;
}

/** What `Context.status()` reports (the demo's /status.json). */
export interface ContextStatus {
	/** live connections */
	connections: number;
	/** the maxConnections option in force */
	maxConnections: number;
	/** the counters */
	stats: ContextStats;
	/** the XS heap after a collection, where the host can tell */
	heap: HeapFigures | null;
	/** what roles report of their own, by role name (the ws role: permessage-deflate per vhost) */
	roles: Record<string, object>;
}

export function newStats(): ContextStats {
	return {
		accepted: 0, closed: 0, refusedPeerLimit: 0, reapedSlow: 0, reapedIdle: 0,
		acceptWaits: 0, timeouts: 0, ahWaits: 0, ahStolen: 0, backpressureClosed: 0, refusedBusy: 0, userErrors: 0,
	};
}
