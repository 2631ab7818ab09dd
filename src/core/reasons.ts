/**
 * Callback reasons, named as in libwebsockets (LWS_CALLBACK_*), so lws users
 * find their way. The payload each reason carries in `data` is noted beside it.
 */
export enum Reason {
	/** once per protocol per vhost at start-up; data: undefined (lws `LWS_CALLBACK_PROTOCOL_INIT`) */
	PROTOCOL_INIT = 27,
	/** once per protocol per vhost at context destroy (lws `LWS_CALLBACK_PROTOCOL_DESTROY`) */
	PROTOCOL_DESTROY = 28,
	/** WebSocket connection established; headers still readable during this callback (lws `LWS_CALLBACK_ESTABLISHED`) */
	ESTABLISHED = 0,
	/** WebSocket data; data: Uint8Array (a view valid only during the callback) (lws `LWS_CALLBACK_RECEIVE`) */
	RECEIVE = 6,
	/** the connection may write once; data: undefined (lws `LWS_CALLBACK_SERVER_WRITEABLE`) */
	SERVER_WRITEABLE = 11,
	/** a connection bound to this protocol has closed (lws `LWS_CALLBACK_CLOSED`) */
	CLOSED = 4,
	/** an HTTP request head is complete; data: the URI path (string) (lws `LWS_CALLBACK_HTTP`) */
	HTTP = 12,
	/** a piece of request body; data: Uint8Array (lws `LWS_CALLBACK_HTTP_BODY`) */
	HTTP_BODY = 13,
	/** the request body is complete (lws `LWS_CALLBACK_HTTP_BODY_COMPLETION`) */
	HTTP_BODY_COMPLETION = 14,
	/** a file transfer completed (lws `LWS_CALLBACK_HTTP_FILE_COMPLETION`) */
	HTTP_FILE_COMPLETION = 15,
	/** an HTTP connection may write once (lws `LWS_CALLBACK_HTTP_WRITEABLE`) */
	HTTP_WRITEABLE = 16,
	/** a CALLBACK mount bound this protocol to the connection (lws `LWS_CALLBACK_HTTP_BIND_PROTOCOL`) */
	HTTP_BIND_PROTOCOL = 49,
	/** the connection leaves the protocol a CALLBACK mount bound (lws `LWS_CALLBACK_HTTP_DROP_PROTOCOL`) */
	HTTP_DROP_PROTOCOL = 50,
	/** an HTTP connection closed (lws `LWS_CALLBACK_CLOSED_HTTP`) */
	CLOSED_HTTP = 5,
	/** return nonzero to refuse a WebSocket upgrade to this protocol; data: the requested protocol name (lws `LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION`) */
	FILTER_PROTOCOL_CONNECTION = 20,
	/** return nonzero to refuse an HTTP connection before its head is parsed (lws `LWS_CALLBACK_FILTER_NETWORK_CONNECTION`) */
	FILTER_NETWORK_CONNECTION = 17,
	/** return nonzero to refuse an HTTP request; data: the URI path (lws `LWS_CALLBACK_FILTER_HTTP_CONNECTION`) */
	FILTER_HTTP_CONNECTION = 18,
	/** a new TCP connection was accepted (before any protocol is bound) (lws `LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED`) */
	SERVER_NEW_CLIENT_INSTANTIATED = 19,
	/** cancelService() was called: delivered to every protocol once, wsi is the vhost's (lws `LWS_CALLBACK_EVENT_WAIT_CANCELLED`) */
	EVENT_WAIT_CANCELLED = 71,
	/** a wsi was created (before ESTABLISHED / HTTP) (lws `LWS_CALLBACK_WSI_CREATE`) */
	WSI_CREATE = 29,
	/** a wsi is being destroyed (lws `LWS_CALLBACK_WSI_DESTROY`) */
	WSI_DESTROY = 30,
	/** a timer set with setTimer() fired (lws `LWS_CALLBACK_TIMER`) */
	TIMER = 73,
	/** WebSocket peer sent a close frame; data: Uint8Array of code + reason (lws `LWS_CALLBACK_WS_PEER_INITIATED_CLOSE`) */
	WS_PEER_INITIATED_CLOSE = 38,
	/** a pong arrived (lws `LWS_CALLBACK_RECEIVE_PONG`) */
	RECEIVE_PONG = 7,
	// RAW_* (lws 59-62) and CLIENT_* (1, 3, 8, 10) come with the raw and client roles: a reason is
	// declared only where something raises it
}

/** How wsi.write() frames its bytes (lws `enum lws_write_protocol`). */
export enum WriteProtocol {
	/** a WebSocket text message or its first fragment (lws `LWS_WRITE_TEXT`) */
	TEXT = 0,
	/** a WebSocket binary message or its first fragment (lws `LWS_WRITE_BINARY`) */
	BINARY = 1,
	/** a later fragment of a WebSocket message (lws `LWS_WRITE_CONTINUATION`) */
	CONTINUATION = 2,
	/** HTTP body bytes, more to come (lws `LWS_WRITE_HTTP`) */
	HTTP = 3,
	/** a WebSocket ping (lws `LWS_WRITE_PING`) */
	PING = 5,
	/** a WebSocket pong (lws `LWS_WRITE_PONG`) */
	PONG = 6,
	/** the last HTTP body bytes: ends the response (lws `LWS_WRITE_HTTP_FINAL`) */
	HTTP_FINAL = 7,
	/** an HTTP response head (lws `LWS_WRITE_HTTP_HEADERS`) */
	HTTP_HEADERS = 8,
	/** more of an HTTP response head (lws `LWS_WRITE_HTTP_HEADERS_CONTINUATION`) */
	HTTP_HEADERS_CONTINUATION = 9,
	/** or'd in: this fragment is not the last of its message */
	NO_FIN = 0x40,
}

/** Verdict of a role handler: only the service code acts on it (never free a wsi mid-dispatch). */
export const enum Handled {
	/** go on */
	OK = 0,
	/** close the connection once the dispatch unwinds */
	PLEASE_CLOSE = 1,
}
