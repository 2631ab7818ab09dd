/**
 * The seam between src/ and a host: ECMA-419 style socket classes, a timer
 * service and a clock. Hosts pass these in (see src/host/moddable.ts), which
 * keeps src/ free of host module imports and testable under Node with fakes.
 */

/**
 * An accepted or connected TCP socket (ECMA-419 `embedded:io/socket/tcp`, format "buffer"), with
 * the semantics of Moddable's ESP32 implementation (lwIP), which hosts/lin keeps too: there is no
 * pause(), so flow control is not reading; onReadable is raised only when new bytes arrive.
 */
export interface TcpSocket {
	/** Fill all of `into` with received bytes and return its length; undefined when nothing is buffered. Asking for more than is buffered throws. */
	read(into: Uint8Array): number | void;
	/** Write all of `data`, at most the space last reported; returns the space left. Anything but a number means the connection is gone. */
	write(data: Uint8Array): number | void;
	close(): void;
	readonly remoteAddress?: string;
	readonly remotePort?: number;
}

export interface TcpCallbacks {
	/** New bytes arrived; `count` is everything the socket holds unread. */
	onReadable(this: TcpSocket & { target?: unknown }, count: number): void;
	/** Room to write `count` bytes. */
	onWritable(this: TcpSocket & { target?: unknown }, count: number): void;
	/** The peer closed or the connection failed (after the buffered bytes were read). */
	onError(this: TcpSocket & { target?: unknown }): void;
}

export interface TcpListener {
	readonly port: number;
	close(): void;
}

/** What src/ needs from a host. */
export interface HostIo {
	/**
	 * Start listening. The listener holds new connections until they are accepted; `onPending`
	 * is called when new ones arrive, with the count of all held (not again for the same ones).
	 */
	listen(port: number, address: string | undefined, onPending: (listener: TcpListener, count: number) => void): TcpListener;
	/** Take the oldest held connection off the listener and wire its callbacks; undefined if none. */
	accept(listener: TcpListener, cb: TcpCallbacks, target: unknown): TcpSocket | undefined;
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
