/**
 * The seam between src/ and a host: ECMA-419 style sockets (TCP listen, accept and connect,
 * UDP), name resolution, a random source, timers and a clock. Hosts pass these in (see
 * src/host/moddable.ts), which keeps src/ free of host module imports and testable under Node
 * with fakes. The names and semantics are Moddable's on the ESP32.
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
	/** Close at once; no callback follows. */
	close(): void;
	/** The peer's IPv4 address. */
	readonly remoteAddress?: string;
	/** The peer's port. */
	readonly remotePort?: number;
}

/** What a TCP socket calls (ECMA-419 callbacks); `this` is the socket, `target` the wsi. */
export interface TcpCallbacks {
	/** New bytes arrived; `count` is everything the socket holds unread. */
	onReadable(this: TcpSocket & { target?: unknown }, count: number): void;
	/** Room to write `count` bytes. */
	onWritable(this: TcpSocket & { target?: unknown }, count: number): void;
	/** The peer closed or the connection failed (after the buffered bytes were read). */
	onError(this: TcpSocket & { target?: unknown }): void;
}

/** A listening TCP socket (ECMA-419 `embedded:io/socket/listener`). */
export interface TcpListener {
	/** The port it listens on (the host's choice when 0 was asked). */
	readonly port: number;
	/** Stop listening. */
	close(): void;
}

/** A received datagram: its bytes, with where it came from (Moddable's lwIP udp.c). */
export interface Datagram extends ArrayBuffer {
	/** the sender's IPv4 address */
	readonly address: string;
	/** the sender's port */
	readonly port: number;
}

/** A UDP socket (ECMA-419 `embedded:io/socket/udp`, format "buffer"), with the board's semantics (Moddable's lwIP udp.c). */
export interface UdpSocket {
	/** The oldest queued datagram, with its sender's IPv4 address and port; undefined when none is queued. */
	read(): Datagram | undefined;
	/** Send one datagram to an IPv4 literal; throws when lwIP cannot (no pbuf, no route). */
	write(data: Uint8Array, address: string, port: number): void;
	/** Close at once. */
	close(): void;
}

/** What a UDP socket calls (ECMA-419 callbacks). */
export interface UdpCallbacks {
	/** Datagrams arrived; `count` is all that are queued. Those left unread are not announced again. */
	onReadable(this: UdpSocket & { target?: unknown }, count: number): void;
}

/** What src/ needs from a host. */
export interface HostIo {
	/**
	 * Start listening on `address` (a vhost's iface; undefined: every interface). The listener
	 * holds new connections until they are accepted; `onPending` is called when new ones arrive,
	 * with the count of all held (not again for the same ones). A host that cannot bind one
	 * address throws rather than listen on every interface.
	 */
	listen(port: number, address: string | undefined, onPending: (listener: TcpListener, count: number) => void): TcpListener;
	/** Take the oldest held connection off the listener and wire its callbacks; undefined if none. */
	accept(listener: TcpListener, cb: TcpCallbacks, target: unknown): TcpSocket | undefined;
	/**
	 * Open a TCP connection to an IPv4 literal (ECMA-419 `new TCP({address, port})`). It returns at
	 * once: onWritable reports the connection made, onError a refusal, reset or timeout (the board
	 * reports every failure this way, later). Throws for an address that is not a literal, a port
	 * out of range, or no pcb left ("no socket").
	 */
	connect(address: string, port: number, cb: TcpCallbacks, target: unknown): TcpSocket;
	/** A UDP socket bound to `port` on every interface (0: any port). Throws "no socket" with no UDP pcb left. */
	udp(port: number, cb: UdpCallbacks, target: unknown): UdpSocket;
	/**
	 * Resolve a host name to an IPv4 address (Moddable `Net.resolve`, lwIP dns_gethostbyname):
	 * `onResolved` is called once, later (never on the caller's stack, even for a literal), with a
	 * dotted quad or undefined when the name does not resolve. Look-ups run one at a time, in order.
	 */
	resolve(host: string, onResolved: (host: string, address: string | undefined) => void): void;
	/** Fill `into` with random bytes (Moddable `rng`; the board seeds it from its hardware RNG): WebSocket keys and masks. */
	random(into: Uint8Array): void;
	/** Call fn once after `ms`, or every `ms` when repeat; returns a handle for clearTimer. */
	setTimer(fn: () => void, ms: number, repeat: boolean): unknown;
	/** Cancel a timer made by setTimer (Moddable `Timer.clear`). */
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

/** The XS heap, as the host's instrumentation counts it (Moddable `Instrumentation`). */
export interface HeapFigures {
	/** slots in use (16 bytes each on the ESP32) */
	slotsUsed: number;
	/** chunk bytes in use */
	chunksUsed: number;
	/** slots the heap may grow to */
	slotsLimit: number;
	/** chunk bytes the heap may grow to */
	chunksLimit: number;
	/** slots in use before the firmware ran (in flash on the board) */
	slotsBaseline: number;
	/** chunk bytes in use before the firmware ran */
	chunksBaseline: number;
}
