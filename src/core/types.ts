import type { Reason } from "./reasons.js";
import type { Wsi } from "./wsi.js";
import type { Fops } from "../fs/fops.js";

/** What a protocol callback is handed in `data`, by reason (see Reason). */
export type CallbackData = Uint8Array | string | undefined;

/**
 * A protocol callback, lws style. Return -1 (or any nonzero) to close the
 * connection; for FILTER_* reasons nonzero refuses. `user` is the
 * per-session object made by `newSession`, undefined for vhost-wide reasons.
 */
export type ProtocolCallback<PSS extends object = object> =
	(wsi: Wsi, reason: Reason, user: PSS | undefined, data: CallbackData) => number | void;

/** A protocol (lws `struct lws_protocols`): a name, a callback for every reason, and per-session state. `PSS` is the type of that state (lws `per_session_data_size`). */
export interface Protocol<PSS extends object = object> {
	/** Protocol name: the WebSocket subprotocol, and the name mounts bind by. */
	name: string;
	/** Method syntax on purpose: a Protocol<MyState> is usable where a Protocol is expected. */
	callback(wsi: Wsi, reason: Reason, user: PSS | undefined, data: CallbackData): number | void;
	/** Makes the per-session state (lws `per_session_data_size`); called once per connection bound. */
	newSession?(): PSS;
	/** Largest piece of received data handed to RECEIVE / HTTP_BODY at once. */
	rxBufferSize?: number;
}

/** How a mount serves (lws `enum lws_mount_protocols`). */
export enum MountProtocol {
	/** serve files from `origin` through the fops (lws `LWSMPRO_FILE`) */
	FILE = 0,
	/** hand the request to the protocol named `protocol` (lws `LWSMPRO_CALLBACK`) */
	CALLBACK = 1,
	/** redirect to `origin` over http (lws `LWSMPRO_REDIR_HTTP`) */
	REDIR_HTTP = 2,
	/** redirect to `origin` over https (lws `LWSMPRO_REDIR_HTTPS`) */
	REDIR_HTTPS = 3,
}

/** A mount (lws `struct lws_http_mount`): a URL prefix and what serves it. */
export interface Mount {
	/** URL prefix, e.g. "/" or "/api". */
	mountpoint: string;
	/** FILE: a directory (or, later, a zip) path the fops understand; REDIR: the target URL; CALLBACK: unused. */
	origin: string;
	/** How the mount serves (lws `origin_protocol`). */
	originProtocol: MountProtocol;
	/** FILE: file served for a directory URL (lws `def`). */
	defaultIndex?: string;
	/** CALLBACK: the protocol to bind. */
	protocol?: string;
	/** Cache-Control max-age in seconds; used when cacheReusable. */
	cacheMaxAge?: number;
	/** false: `no-store`; true: `max-age=cacheMaxAge`. Unset: no Cache-Control header. */
	cacheReusable?: boolean;
	/** adds `must-revalidate`. */
	cacheRevalidate?: boolean;
	/** `public` when true, else `private`. */
	cacheIntermediaries?: boolean;
	/** Extra MIME types for this mount: { ".ext": "type/subtype" }. */
	extraMimetypes?: Record<string, string>;
	/** FILE: fops to use instead of the context's. */
	fops?: Fops;
}

/** A vhost to make (lws `struct lws_context_creation_info` for `lws_create_vhost`). */
export interface VhostOptions {
	/** Its name (lws `vhost_name`); default "default". */
	name?: string;
	/** The TCP port it listens on (lws `port`); vhosts on one port share its listener. */
	port: number;
	/** IPv4 address the listener binds (lws `iface`); default every interface. Vhosts on one port and iface share a listener. */
	iface?: string;
	/** The role this vhost's listener starts connections in (lws `listen_accept_role`); default "h1". */
	listenAcceptRole?: string;
	/** Its protocols (lws `protocols`); the first is the default unless `default` names another. */
	protocols: Protocol[];
	/** Its mounts (lws `mounts`). */
	mounts?: Mount[];
	/** Name of the protocol used for WebSockets asking none, and for HTTP no mount claims (lws pvo "default"). */
	default?: string;
	/** URL to redirect 404s to (lws `error_document_404`). */
	errorDocument404?: string;
	/**
	 * permessage-deflate (RFC 7692) for its WebSockets (lws's `lws_extension` list with
	 * `lws_extension_callback_pm_deflate`): `true` for the defaults of PMD_OPTIONS, an object to
	 * change some, absent or `false` for none. Needs the host's native deflater (xsws/zlib).
	 */
	permessageDeflate?: boolean | PmdOptions;
}

/** permessage-deflate settings of a vhost: each is checked against PMD_OPTIONS (numbers) and PMD_FLAGS when the context is made. */
export interface PmdOptions {
	/** The window our deflater keeps (bits), and the most we send with (server_max_window_bits). Default 10. */
	serverMaxWindowBits?: number;
	/** The window we ask a client's deflater to keep when its offer allows (client_max_window_bits). Default 10. */
	clientMaxWindowBits?: number;
	/** Reset our deflater after every message (server_no_context_takeover). Default true. */
	serverNoContextTakeover?: boolean;
	/** Ask clients to reset theirs after every message (client_no_context_takeover). Default true. */
	clientNoContextTakeover?: boolean;
	/** Messages shorter than this many bytes go uncompressed. Default 0 (every message compressed: lws clients need that). */
	threshold?: number;
	/** 0 (store only) to 9 (longest search). Default 3. */
	compressionLevel?: number;
	/** Inflaters at once on this vhost (each holds its window while a compressed message arrives). Default 2. */
	maxInflaters?: number;
	/** Deflaters at once on this vhost. Default 2. */
	maxDeflaters?: number;
	/** Largest RECEIVE piece of an inflated message (lws `rx_buf_size`). Default 1024. */
	rxBufSize?: number;
	/** Compressed frames up to this size are built in one shared buffer (lws `tx_buf_size`). Default 4096. */
	txBufSize?: number;
}

/** What `createContext` takes (lws `struct lws_context_creation_info`); every number is checked against CONTEXT_OPTIONS when the context is made. */
export interface ContextOptions {
	/** The vhosts to make (lws makes one per `lws_create_vhost`). */
	vhosts: VhostOptions[];
	/** Max live connections; default: the host's socket limit. At the limit peers wait in the listener while none can be reaped. */
	maxConnections?: number;
	/** Header blocks in the pool (lws `max_http_header_pool`). Default 4. */
	maxHttpHeaderPool?: number;
	/** Bytes per header block: the whole request head must fit (lws `max_http_header_data`). Default 2048. */
	maxHttpHeaderData?: number;
	/** Most header lines in one request. Default 32. */
	maxHttpHeaders?: number;
	/** Longest request-target in bytes before 414. Default 1024. */
	maxUriLength?: number;
	/** Largest request body accepted before 413. Default 1 MiB. */
	maxHttpBodySize?: number;
	/** Shared receive buffer, and the largest piece one read takes. Default 2048. */
	rxBufferSize?: number;
	/** Largest piece of a file sent per WRITEABLE. Default 4096. */
	txChunkSize?: number;
	/** Seconds to receive a whole request head (slow senders are cut off with 408). Default 5. */
	timeoutSecs?: number;
	/** Seconds an idle keep-alive connection is kept. Default 5. */
	keepaliveTimeout?: number;
	/** Soft per-peer limit of header blocks held at once (lws `ip_limit_ah`). Default 0 = none. */
	ipLimitAh?: number;
	/** Hard per-peer limit of connections (lws `ip_limit_wsi`); over it the peer gets 503. Default 0 = none. */
	ipLimitWsi?: number;
	/** Largest WebSocket message (all its fragments) before closing with 1009. Default 1 MiB. */
	maxWsMessageSize?: number;
	/** While peers wait for a slot, a new connection that has sent nothing is not reaped for this long (ms). Default 100. */
	silentGraceMs?: number;
	/** Most bytes a connection may have waiting to be sent; over it a WebSocket is closed with 1008, an HTTP response aborted. Default 16384, at least 1024. */
	maxBackpressure?: number;
	/** File access for FILE mounts. */
	fops?: Fops;
	/** Value of the Server header; "" leaves it out. Default "xsws". */
	serverString?: string;
}
