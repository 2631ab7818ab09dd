/**
 * The one table of xsws's limits: every context option with its default, bounds and reason
 * (as uWebSockets' WebSocketBehavior lists its own), checked when the context is made, and the
 * fixed timings the core uses, named in one place. README's "Options and limits" table is made
 * from this file (tools/options-table.mjs; a test keeps them the same).
 */
import type { ContextOptions, PmdOptions, VhostOptions } from "./types.js";

/** A numeric option: its default, bounds and reason (the README's options table is made from these). */
export interface NumberOption {
	/** The default; "host" is the host's socket limit (HostIo.maxSockets). */
	readonly default: number | "host";
	/** the smallest value accepted */
	readonly min: number;
	/** the largest value accepted */
	readonly max: number;
	/** what the number counts (bytes, ms, connections, ...) */
	readonly unit: string;
	/** lws's name for it, where lws has one. */
	readonly lws?: string;
	/** Why this default, and what happens at the limit. */
	readonly reason: string;
}

/** The names of the numeric context options. */
export type NumericOption = Exclude<keyof ContextOptions, "vhosts" | "fops" | "serverString">;

const MIB = 1024 * 1024;
const INT_MAX = 0x7fffffff;

/** The numeric context options (all whole numbers). */
export const CONTEXT_OPTIONS: { readonly [K in NumericOption]-?: NumberOption } = {
	maxConnections: {
		default: "host", min: 1, max: 1000000, unit: "connections",
		reason: "lwIP's TCP pcbs less one on the board (7 on the ESP32), so that a newcomer can arrive; at the limit new peers wait in the listener and the connection that has held its slot longest without a whole request head, else the oldest idle keep-alive one, is closed for them (reapedSlow, reapedIdle)",
	},
	maxHttpHeaderPool: {
		default: 4, min: 1, max: 1024, unit: "header blocks", lws: "max_http_header_pool",
		reason: "a request head is parsed in a block of the pool; a request waits (not read) for one, and while one waits the connection that has held a block longest without completing its head gets 408 and gives it up (ahStolen)",
	},
	maxHttpHeaderData: {
		default: 2048, min: 256, max: 65535, unit: "bytes", lws: "max_http_header_data",
		reason: "the whole request head must fit one block: 431 (414 when the request line alone is too long); header offsets are 16-bit",
	},
	maxHttpHeaders: {
		default: 32, min: 1, max: 1024, unit: "header lines",
		reason: "431 past it; bounds the per-block index of header lines",
	},
	maxUriLength: {
		default: 1024, min: 16, max: 65535, unit: "bytes",
		reason: "414 past it",
	},
	maxHttpBodySize: {
		default: MIB, min: 0, max: INT_MAX, unit: "bytes",
		reason: "413 past it (a body streams through in rxBufferSize pieces; this bounds what a peer may send)",
	},
	rxBufferSize: {
		default: 2048, min: 128, max: 65536, unit: "bytes", lws: "rx_buffer_size",
		reason: "the one receive buffer all connections share (single-threaded), and the most one read takes",
	},
	txChunkSize: {
		default: 4096, min: 256, max: 65536, unit: "bytes",
		reason: "the largest file piece sent per WRITEABLE: half lwIP's send buffer, so a piece and its framing fit",
	},
	timeoutSecs: {
		default: 5, min: 1, max: 3600, unit: "s", lws: "timeout_secs",
		reason: "a request head (or a stalled body) not received in time: 408 and close; a peer that takes none of our queued bytes for as long is closed",
	},
	keepaliveTimeout: {
		default: 5, min: 1, max: 3600, unit: "s", lws: "keepalive_timeout",
		reason: "an idle keep-alive connection is closed",
	},
	ipLimitAh: {
		default: 0, min: 0, max: 1024, unit: "header blocks (0: off)", lws: "ip_limit_ah",
		reason: "a peer holding this many header blocks waits for more",
	},
	ipLimitWsi: {
		default: 0, min: 0, max: 1000000, unit: "connections (0: off)", lws: "ip_limit_wsi",
		reason: "more connections from one peer get 503 (refusedPeerLimit)",
	},
	maxWsMessageSize: {
		default: MIB, min: 125, max: INT_MAX, unit: "bytes",
		reason: "a WebSocket message (all its fragments) past it: close 1009",
	},
	maxBackpressure: {
		default: 16384, min: 1024, max: INT_MAX, unit: "bytes",
		reason: "two lwIP send buffers: more would wait to be sent: WebSocket close 1008, HTTP response aborted (backpressureClosed)",
	},
	silentGraceMs: {
		default: 100, min: 0, max: 60000, unit: "ms",
		reason: "a new connection that has sent nothing yet is not reaped for this long (its first bytes are a round trip away)",
	},
};

/** An option that is a name or text: its default, what it may be, and why. */
export interface StringOption {
	/** the default */
	readonly default: string;
	/** what values it takes, where that is narrower than any string */
	readonly bounds?: string;
	/** lws's name for it, where lws has one */
	readonly lws?: string;
	/** what it does, and why this default */
	readonly reason: string;
}

/** The context options that are text. */
export const CONTEXT_STRING_OPTIONS: { readonly [K in "serverString"]: StringOption } = {
	serverString: { default: "xsws", reason: "the Server header; \"\" leaves it out" },
};

/** Vhost options with bounds. */
export const VHOST_OPTIONS: { readonly [K in "port"]: NumberOption } = {
	port: { default: 0, min: 0, max: 65535, unit: "", reason: "the TCP port; 0 lets the host choose" },
};

/** Vhost options that are names; what they name is checked when the context is made. */
export const VHOST_STRING_OPTIONS: { readonly [K in "listenAcceptRole" | "iface"]: StringOption } = {
	listenAcceptRole: { default: "h1", bounds: "a role a listener can start", lws: "listen_accept_role", reason: "the role the vhost's listener starts connections in; vhosts sharing a listener name the same one" },
	iface: { default: "", bounds: "an IPv4 address", lws: "iface", reason: "the IPv4 address the listener binds (\"\": every interface); Moddable's lwIP listener binds every interface, so there (board and simulator) a vhost with an iface is refused at start rather than exposed" },
};

/** The numeric permessage-deflate settings of a vhost (`permessageDeflate: {...}`). */
export const PMD_OPTIONS: { readonly [K in Exclude<keyof PmdOptions, "serverNoContextTakeover" | "clientNoContextTakeover">]-?: NumberOption } = {
	serverMaxWindowBits: {
		default: 10, min: 8, max: 15, unit: "bits", lws: "server_max_window_bits",
		reason: "our deflater's window: 2^bits of history, and its memory outside the XS heap (on the board, 32-bit: 8,276 bytes per deflater at 10 bits, 166,996 at 15); a client offering a smaller server_max_window_bits gets that",
	},
	clientMaxWindowBits: {
		default: 10, min: 9, max: 15, unit: "bits", lws: "client_max_window_bits",
		reason: "asked of a client whose offer has client_max_window_bits: our inflater's window (on the board: 12,048 bytes per inflater at 10 bits); a client offering none keeps 15 bits (43,792 bytes); never under 9, which zlib's clients use when told 8",
	},
	threshold: {
		default: 0, min: 0, max: INT_MAX, unit: "bytes",
		reason: "shorter messages go uncompressed (RSV1 clear, as RFC 7692 6 allows); 0 compresses every one, because libwebsockets clients (4.x, warmcat/libwebsockets#2794) loop forever on an uncompressed message once the extension is on",
	},
	compressionLevel: {
		default: 3, min: 0, max: 9, unit: "", lws: "compression_level",
		reason: "how long the deflater searches for matches (hash candidates per byte: 0 stores, 3 tries 12, 9 tries 1,024): time on the board's core against bytes on the air",
	},
	maxInflaters: {
		default: 2, min: 1, max: 1024, unit: "inflaters",
		reason: "inflaters at once on the vhost: without client context takeover one is held only while a compressed message arrives, and a connection starting one more waits (not read) until one is free; with takeover each connection keeps one, and once all but one are kept a client is told client_no_context_takeover (one stays for the others)",
	},
	maxDeflaters: {
		default: 2, min: 1, max: 1024, unit: "deflaters",
		reason: "deflaters at once on the vhost: without server context takeover one serves a whole message in one write and is free again at once, and only a fragmented message keeps one until its last fragment; a message that finds none goes uncompressed; with takeover each connection keeps one, and once all but one are kept a connection gets server_no_context_takeover",
	},
	rxBufSize: {
		default: 1024, min: 128, max: 65536, unit: "bytes", lws: "rx_buf_size",
		reason: "inflated bytes are handed to RECEIVE in pieces of at most this (and of the protocol's rxBufferSize) from one buffer the vhost's connections share, so a compression bomb costs no memory",
	},
	txBufSize: {
		default: 4096, min: 256, max: 65536, unit: "bytes", lws: "tx_buf_size",
		reason: "a compressed frame whose worst case fits is built in one buffer the vhost's connections share; a larger write gets a buffer of its own for that frame",
	},
};

/** A setting that is on or off: its default, lws's name and why. */
export interface FlagOption {
	/** the default */
	readonly default: boolean;
	/** lws's (or the RFC's) name for it */
	readonly lws: string;
	/** what it does, and why this default */
	readonly reason: string;
}

/** The permessage-deflate settings that are flags. */
export const PMD_FLAGS: { readonly [K in "serverNoContextTakeover" | "clientNoContextTakeover"]: FlagOption } = {
	serverNoContextTakeover: { default: true, lws: "server_no_context_takeover", reason: "our deflater forgets each message, so that between messages a connection holds no window; with false each connection keeps a deflater (its window) for life, for better compression of similar messages" },
	clientNoContextTakeover: { default: true, lws: "client_no_context_takeover", reason: "asked of every client: between messages no inflater (10,992 bytes of tables and the window, outside the XS heap) is held for it" },
};

/** A vhost's permessage-deflate settings with every default filled in. */
export type ResolvedPmd = Required<PmdOptions>;

/** The permessage-deflate settings of a vhost, checked, or null when it has none. */
export function resolvePmd(vhost: VhostOptions): ResolvedPmd | null {
	const given = vhost.permessageDeflate;
	const name = vhost.name ?? "default";
	if (given === undefined || given === false) return null;
	if (given !== true && (typeof given !== "object" || given === null)) throw new RangeError(`option permessageDeflate of vhost ${name} must be true, false or an object, got ${String(given)}`);
	const g = (given === true ? {} : given) as Record<string, unknown>;
	for (const key of Object.keys(g)) {
		if (!(key in PMD_OPTIONS) && !(key in PMD_FLAGS) && g[key] !== undefined) throw new RangeError(`unknown option permessageDeflate.${key} of vhost ${name}`);
	}
	const out: Record<string, unknown> = {};
	for (const [key, spec] of Object.entries(PMD_OPTIONS) as [string, NumberOption][])
		out[key] = checkNumber(`permessageDeflate.${key} of vhost ${name}`, g[key] ?? spec.default, spec);
	for (const [key, spec] of Object.entries(PMD_FLAGS)) {
		const v = g[key] ?? spec.default;
		if (typeof v !== "boolean") throw new RangeError(`option permessageDeflate.${key} of vhost ${name} must be true or false, got ${String(v)}`);
		out[key] = v;
	}
	return out as ResolvedPmd;
}

/** A fixed timing or limit of the core: not an option, but listed with its reason. */
export interface FixedValue {
	/** the value */
	readonly value: number;
	/** what the number counts */
	readonly unit: string;
	/** why it has this value */
	readonly reason: string;
}

/** Fixed timings of the core, in one place (not options: they follow from the protocols). */
export const TIMINGS: { readonly [K in "LINGER_MS" | "PROBE_MS" | "CLOSE_ACK_MS" | "SERVICE_IDLE_MS"]: FixedValue } = {
	LINGER_MS: { value: 2000, unit: "ms", reason: "a lingering close (after an error page) keeps reading this long, so the peer sees the page rather than a reset" },
	PROBE_MS: { value: 1000, unit: "ms", reason: "connections that keep bytes unread (rx paused) are probed this often for a peer that went away" },
	CLOSE_ACK_MS: { value: 2000, unit: "ms", reason: "a WebSocket close waits this long for the peer's close frame (RFC 6455 7.1.1), then closes the connection" },
	SERVICE_IDLE_MS: { value: 0x3fffffff, unit: "ms", reason: "the service timer's repeat when nothing re-arms it (a pass then finds nothing to do)" },
};

/** Fixed values of permessage-deflate. */
export const PMD_LIMITS: { readonly [K in "MIN_RX_BUFFER"]: FixedValue } = {
	MIN_RX_BUFFER: { value: 128, unit: "bytes", reason: "a protocol whose rxBufferSize is under this gets no permessage-deflate, as in lws (whose clients, for such a protocol, take the answer yet cannot inflate)" },
};

/** Fixed bounds of the HTTP parser (RFC 9112 leaves them to the server). */
export const PARSER_LIMITS: { readonly [K in "CHUNK_SIZE_DIGITS" | "TRAILER_BYTES"]: FixedValue } = {
	CHUNK_SIZE_DIGITS: { value: 8, unit: "hex digits", reason: "a chunk size of more digits (4 GiB and over) gets 413" },
	TRAILER_BYTES: { value: 1024, unit: "bytes", reason: "a chunked body's trailer section longer than this gets 431" },
};

/** The context's options once checked: every default filled in. */
export type ResolvedOptions = Required<Omit<ContextOptions, "vhosts" | "fops">> & Pick<ContextOptions, "fops">;

function checkNumber(name: string, value: unknown, spec: { min: number; max: number; unit: string }): number {
	if (typeof value !== "number" || !Number.isInteger(value) || value < spec.min || value > spec.max)
		throw new RangeError(`option ${name} must be a whole number from ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ""}, got ${String(value)}`);
	return value;
}

/** A dotted-quad IPv4 literal: what lwIP's ipaddr_aton takes for a bind address. */
function isIpv4(s: string): boolean {
	const parts = s.split(".");
	return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && Number(p) <= 255 && /^[0-9]+$/.test(p));
}

/** Every option given, checked against the table, with the defaults for the rest. */
export function resolveOptions(options: ContextOptions, hostSockets: number): ResolvedOptions {
	const given = options as unknown as Record<string, unknown>;
	const known = new Set<string>(["vhosts", "fops", ...Object.keys(CONTEXT_OPTIONS), ...Object.keys(CONTEXT_STRING_OPTIONS)]);
	for (const key of Object.keys(given)) {
		if (!known.has(key) && given[key] !== undefined) throw new RangeError(`unknown option ${key}`);
	}
	const resolved: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(CONTEXT_OPTIONS) as [string, NumberOption][]) {
		const value = given[name] ?? (spec.default === "host" ? Math.min(Math.max(hostSockets, spec.min), spec.max) : spec.default);
		resolved[name] = checkNumber(name, value, spec);
	}
	for (const [name, spec] of Object.entries(CONTEXT_STRING_OPTIONS)) {
		const value = given[name] ?? spec.default;
		if (typeof value !== "string") throw new RangeError(`option ${name} must be a string, got ${String(value)}`);
		resolved[name] = value;
	}
	if (given.fops !== undefined) resolved.fops = given.fops;
	for (const vhost of options.vhosts ?? []) {
		const v = vhost as unknown as Record<string, unknown>;
		const name = vhost.name ?? "default";
		checkNumber(`port of vhost ${name}`, vhost.port, VHOST_OPTIONS.port);
		for (const key of Object.keys(VHOST_STRING_OPTIONS)) {
			if (v[key] !== undefined && typeof v[key] !== "string") throw new RangeError(`option ${key} of vhost ${name} must be a string, got ${String(v[key])}`);
		}
		if (vhost.iface && !isIpv4(vhost.iface)) throw new RangeError(`option iface of vhost ${name} must be an IPv4 address (a.b.c.d), got ${vhost.iface}`);
		resolvePmd(vhost);
	}
	return resolved as ResolvedOptions;
}
