/** RFC 6455 7.4 close codes, lws names. */
export enum CloseStatus {
	/** normal closure (lws `LWS_CLOSE_STATUS_NORMAL`) */
	NORMAL = 1000,
	/** the endpoint is going away (lws `LWS_CLOSE_STATUS_GOINGAWAY`) */
	GOINGAWAY = 1001,
	/** a protocol error (lws `LWS_CLOSE_STATUS_PROTOCOL_ERR`) */
	PROTOCOL_ERR = 1002,
	/** a kind of data it cannot take (lws `LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE`) */
	UNACCEPTABLE_OPCODE = 1003,
	/** never on the wire: "no status code was present" */
	NO_STATUS = 1005,
	/** never on the wire: "closed abnormally" */
	ABNORMAL_CLOSE = 1006,
	/** data not consistent with the message type, e.g. bad UTF-8 (lws `LWS_CLOSE_STATUS_INVALID_PAYLOAD`) */
	INVALID_PAYLOAD = 1007,
	/** a policy was broken, e.g. maxBackpressure (lws `LWS_CLOSE_STATUS_POLICY_VIOLATION`) */
	POLICY_VIOLATION = 1008,
	/** a message over maxWsMessageSize (lws `LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE`) */
	MESSAGE_TOO_LARGE = 1009,
	/** a client's extension the server did not negotiate (lws `LWS_CLOSE_STATUS_EXTENSION_REQUIRED`) */
	EXTENSION_REQUIRED = 1010,
	/** the server met an unexpected condition (lws `LWS_CLOSE_STATUS_UNEXPECTED_CONDITION`) */
	UNEXPECTED_CONDITION = 1011,
	/** never on the wire: the TLS handshake failed (lws `LWS_CLOSE_STATUS_TLS_FAILURE`) */
	TLS_FAILURE = 1015,
}

/** May a peer send this code in a close frame? */
export function isValidWireCloseCode(code: number): boolean {
	if (code >= 1000 && code <= 1003) return true;
	if (code >= 1007 && code <= 1014) return true;
	return code >= 3000 && code <= 4999;
}
