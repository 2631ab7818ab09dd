/**
 * The seam between src/ and a host: ECMA-419 style socket classes, a timer
 * service and a clock. Hosts pass these in (see src/host/moddable.ts), which
 * keeps src/ free of host module imports and testable under Node with fakes.
 */

/** An accepted or connected TCP socket (ECMA-419 `embedded:io/socket/tcp`, format "buffer"). */
export interface TcpSocket {
	/** Fill `into` with received bytes. Callers ask for no more than onReadable reported, so a host may return nothing. */
	read(into: Uint8Array): number | void;
	/** Write bytes; never more than the last writable budget reported. */
	write(data: Uint8Array): void;
	close(): void;
	readonly remoteAddress?: string;
	readonly remotePort?: number;
}

export interface TcpCallbacks {
	onReadable(this: TcpSocket & { target?: unknown }, count: number): void;
	onWritable(this: TcpSocket & { target?: unknown }, count: number): void;
	onError(this: TcpSocket & { target?: unknown }): void;
}

export interface TcpListener {
	readonly port: number;
	close(): void;
}

/** What src/ needs from a host. */
export interface HostIo {
	/** Start listening; `onPending` is called while connections wait to be accepted. */
	listen(port: number, address: string | undefined, onPending: (listener: TcpListener, count: number) => void): TcpListener;
	/** Take one pending connection off the listener and wire its callbacks; undefined if none. */
	accept(listener: TcpListener, cb: TcpCallbacks, target: unknown): TcpSocket | undefined;
	/** Stop (true) or restart (false) reporting pending connections; unaccepted peers wait in the backlog. */
	pauseListener(listener: TcpListener, paused: boolean): void;
	/** Stop (true) or restart (false) reading: unread data stays in the kernel and TCP pushes back. */
	pauseRead(socket: TcpSocket, paused: boolean): void;
	/** Call fn once after `ms`, or every `ms` when repeat; returns a handle for clearTimer. */
	setTimer(fn: () => void, ms: number, repeat: boolean): unknown;
	clearTimer(handle: unknown): void;
	/** Re-arm a live timer made with setTimer(..., repeat = true): next in `ms`, then every `repeatMs`. Optional: saves a timer per service pass. */
	rescheduleTimer?(handle: unknown, ms: number, repeatMs: number): void;
	/** Monotonic-enough milliseconds. */
	now(): number;
	/** XS heap figures, where the host can tell them. */
	heap?(): HeapFigures;
	/** Socket limit of the platform (lwIP active PCBs on ESP32). */
	readonly maxSockets: number;
}

export interface HeapFigures {
	slotsUsed: number;
	chunksUsed: number;
	slotsLimit: number;
	chunksLimit: number;
	slotsBaseline: number;
	chunksBaseline: number;
}
