/** RFC 6455 7.4 close codes, lws names. */
export enum CloseStatus {
	NORMAL = 1000,
	GOINGAWAY = 1001,
	PROTOCOL_ERR = 1002,
	UNACCEPTABLE_OPCODE = 1003,
	/** never on the wire: "no status code was present" */
	NO_STATUS = 1005,
	/** never on the wire: "closed abnormally" */
	ABNORMAL_CLOSE = 1006,
	INVALID_PAYLOAD = 1007,
	POLICY_VIOLATION = 1008,
	MESSAGE_TOO_LARGE = 1009,
	EXTENSION_REQUIRED = 1010,
	UNEXPECTED_CONDITION = 1011,
	TLS_FAILURE = 1015,
}

/** May a peer send this code in a close frame? */
export function isValidWireCloseCode(code: number): boolean {
	if (code >= 1000 && code <= 1003) return true;
	if (code >= 1007 && code <= 1014) return true;
	return code >= 3000 && code <= 4999;
}
