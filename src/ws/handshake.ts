/** RFC 6455 handshake pieces both ends use: the accept key and header token lists. */
import { encodeAscii } from "../util/utf8.js";
import { sha1 } from "../util/sha1.js";
import { encodeBase64 } from "../util/base64.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The comma-separated tokens of a header value (RFC 9110 5.6.1), trimmed, empty ones dropped. */
export function tokens(v: string | undefined): string[] {
	return v ? v.split(",").map((t) => t.trim()).filter((t) => t.length > 0) : [];
}

/** Sec-WebSocket-Accept for a key. */
export function acceptKey(key: string): string {
	return encodeBase64(sha1(encodeAscii(key + GUID)));
}
