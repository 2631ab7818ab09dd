import { statusText, statusHasNoBody } from "./status.js";

/** What a response head says; the library adds framing headers itself. */
export interface ResponseHead {
	/** The Content-Type header's value; leave out for none. */
	contentType?: string;
	/** Known body length; leave out to stream (chunked on HTTP/1.1, close-delimited on 1.0). */
	contentLength?: number;
	/** Extra header lines as [name, value] pairs. */
	headers?: [string, string][];
}

/** Framing the library chose for a response body. */
export const enum BodyFraming {
	NONE = 0,
	LENGTH = 1,
	CHUNKED = 2,
	CLOSE = 3,
}

export interface HeadDecision {
	text: string;
	framing: BodyFraming;
	keepAlive: boolean;
}

/** Build the status line and headers; decides body framing and persistence. */
export function buildHead(status: number, head: ResponseHead, version: number, keepAlive: boolean, server: string): HeadDecision {
	let t = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
	if (server) t += `Server: ${server}\r\n`;
	let framing: BodyFraming;
	if (statusHasNoBody(status)) framing = BodyFraming.NONE;
	else if (head.contentLength !== undefined) framing = BodyFraming.LENGTH;
	else if (version >= 11) framing = BodyFraming.CHUNKED;
	else { framing = BodyFraming.CLOSE; keepAlive = false; }
	if (head.contentType && status !== 304) t += `Content-Type: ${head.contentType}\r\n`;
	if (framing === BodyFraming.LENGTH) t += `Content-Length: ${head.contentLength}\r\n`;
	else if (framing === BodyFraming.CHUNKED) t += "Transfer-Encoding: chunked\r\n";
	if (head.headers) {
		for (const [k, v] of head.headers) {
			if (hasCrLf(k) || hasCrLf(v)) throw new Error(`header ${k}: CR or LF in a header name or value`);
			t += `${k}: ${v}\r\n`;
		}
	}
	if (!keepAlive) t += "Connection: close\r\n";
	else if (version < 11) t += "Connection: keep-alive\r\n";
	return { text: t + "\r\n", framing, keepAlive };
}

/** Wrap body bytes as one chunk, plus the last-chunk when final. */
export function chunkFrame(data: Uint8Array, final: boolean): Uint8Array {
	const size = data.length ? `${data.length.toString(16)}\r\n` : "";
	const tail = final ? (data.length ? "\r\n0\r\n\r\n" : "0\r\n\r\n") : (data.length ? "\r\n" : "");
	const out = new Uint8Array(size.length + data.length + tail.length);
	let o = 0;
	for (let i = 0; i < size.length; i++) out[o++] = size.charCodeAt(i);
	out.set(data, o);
	o += data.length;
	for (let i = 0; i < tail.length; i++) out[o++] = tail.charCodeAt(i);
	return out;
}

function hasCrLf(s: string): boolean {
	return s.indexOf("\r") >= 0 || s.indexOf("\n") >= 0;
}
