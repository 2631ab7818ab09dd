/**
 * The HTTP/1.1 response writer: the head, body framing (Content-Length, chunked, close), whole
 * responses, status pages and redirects, file streaming under the writeable discipline, and
 * handing a request to its protocol (HTTP). Used by the h1 role and the mounts.
 */
import { Handled, Reason, WriteProtocol } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import type { Mount, Protocol } from "../../core/types.js";
import { lwsl } from "../../core/log.js";
import { buildHead, chunkFrame, BodyFraming } from "../../http/response.js";
import type { ResponseHead } from "../../http/response.js";
import { errorPage, statusText } from "../../http/status.js";
import { encodeAscii } from "../../util/utf8.js";
import type { FopsFile } from "../../fs/fops.js";
import { H1Phase, h1, releaseAh, shared } from "./state.js";
import type { H1State } from "./state.js";

/** Raise HTTP on a protocol, binding it first for a CALLBACK mount. */
export function raiseHttp(wsi: Wsi, st: H1State, protocol: Protocol, path: string, bind: Mount | null): Handled {
	st.handler = protocol;
	if (bind) {
		wsi.bindProtocol(protocol);
		st.bound = true;
		if (wsi.callback(Reason.HTTP_BIND_PROTOCOL, path) !== 0) return Handled.PLEASE_CLOSE;
	}
	else if (wsi.protocol !== protocol) wsi.bindProtocol(protocol);
	const r = wsi.callback(Reason.HTTP, path);
	if (r !== 0) return st.status ? Handled.PLEASE_CLOSE : failRequest(wsi, 500, `protocol ${protocol.name} failed the request`, true);
	return Handled.OK;
}

export function streamFile(wsi: Wsi, st: H1State): Handled {
	const buf = shared(wsi.context).fileBuf;
	const want = Math.min(buf.length, wsi.writable, st.file!.length - st.filePos);
	let n = 0;
	try {
		n = want > 0 ? st.file!.read(want === buf.length ? buf : buf.subarray(0, want), st.filePos) : 0;
	}
	catch (e) {
		// e.g. a zip entry whose CRC-32 does not match: abort rather than end a wrong body cleanly
		lwsl.err(`wsi ${wsi.id}: ${st.path}: read failed at ${st.filePos}: ${e instanceof Error ? e.message : e}; connection aborted`);
		return Handled.PLEASE_CLOSE;
	}
	if (want > 0 && n <= 0) {
		lwsl.err(`wsi ${wsi.id}: file ended early at ${st.filePos} of ${st.file!.length}`);
		return Handled.PLEASE_CLOSE;
	}
	st.filePos += n;
	const last = st.filePos >= st.file!.length;
	if (n > 0) writeBody(wsi, st, buf.subarray(0, n), last);
	if (last) {
		st.file!.close();
		st.file = null;
		if (!st.respDone) endBody(wsi, st);
		fileCompleted(wsi, st);
	}
	else wsi.callOnWritable();
	return Handled.OK;
}

/** The whole file is sent (lws HTTP_FILE_COMPLETION): a nonzero return closes the connection after it. */
export function fileCompleted(wsi: Wsi, st: H1State): void {
	// as in lws, a file a mount serves is the vhost's protocols[0]'s when no protocol is bound
	const p = st.handler ?? wsi.protocol ?? wsi.vhost.protocols[0] ?? null;
	if (p && wsi.callback(Reason.HTTP_FILE_COMPLETION, undefined, p) !== 0) st.keepAlive = false;
}

/**
 * Answer with a file: the head and the file's first piece go out in one write (a small file
 * is one write in all); the rest streams, a piece per WRITEABLE.
 */
export function sendFile(wsi: Wsi, status: number, head: ResponseHead, file: FopsFile): boolean {
	const st = h1(wsi);
	if (st.method === "HEAD" || file.length === 0) {
		if (!writeHead(wsi, status, head)) { file.close(); return false; }
		startFile(wsi, file);
		return true;
	}
	const buf = shared(wsi.context).fileBuf;
	const want = Math.min(buf.length, file.length);
	let n: number;
	try {
		n = file.read(want === buf.length ? buf : buf.subarray(0, want), 0);
	}
	catch (e) {
		file.close();
		lwsl.err(`wsi ${wsi.id}: ${st.path}: read failed: ${e instanceof Error ? e.message : e}`);
		return false;
	}
	const all = n >= file.length;
	if (!writeHead(wsi, status, head, buf.subarray(0, n), all) || all) {
		file.close();
		if (all && !wsi.closing) fileCompleted(wsi, st);
		return !wsi.closing;
	}
	st.file = file;
	st.filePos = n;
	wsi.callOnWritable();
	return true;
}

/** Start streaming a file as the body; the head must be written already. */
export function startFile(wsi: Wsi, file: FopsFile): void {
	const st = h1(wsi);
	if (st.method === "HEAD" || file.length === 0) {
		file.close();
		endBody(wsi, st);
		fileCompleted(wsi, st);
		return;
	}
	st.file = file;
	st.filePos = 0;
	wsi.callOnWritable();
}

/** Put body bytes on the wire with the chosen framing (the library's own writes: no one-write rule). */
export function writeBody(wsi: Wsi, st: H1State, data: Uint8Array, final: boolean): void {
	const framed = frameBody(wsi, st, data, final);
	if (framed) wsi.sendRaw(framed);
}

export function endBody(wsi: Wsi, st: H1State): void {
	if (!st.respDone) {
		const framed = frameBody(wsi, st, new Uint8Array(0), true);
		if (framed && framed.length) wsi.sendRaw(framed);
	}
}

/** Frame body bytes; null when nothing goes on the wire (HEAD, 304). Marks the response done. */
export function frameBody(wsi: Wsi, st: H1State, data: Uint8Array, final: boolean): Uint8Array | null {
	if (st.respDone) return null;
	const noBody = st.method === "HEAD" || st.framing === BodyFraming.NONE;
	let out: Uint8Array | null = noBody ? null : data;
	if (!noBody && st.framing === BodyFraming.LENGTH) {
		if (data.length > st.respLeft) {
			lwsl.warn(`wsi ${wsi.id}: body longer than its Content-Length; cut`);
			out = data.subarray(0, st.respLeft);
		}
		st.respLeft -= out!.length;
		if (st.respLeft === 0) final = true;
	}
	else if (!noBody && st.framing === BodyFraming.CHUNKED) out = chunkFrame(data, final);
	if (noBody && st.framing === BodyFraming.LENGTH) {
		st.respLeft = Math.max(0, st.respLeft - data.length);
		if (st.respLeft === 0) final = true;
	}
	if (final) {
		st.respDone = true;
		if (st.framing === BodyFraming.CLOSE) st.keepAlive = false;
		wsi.context.scheduleService(wsi);
	}
	return out;
}

/** The role's framing for user writes (wsi.write with HTTP / HTTP_FINAL / HTTP_HEADERS). */
export function writeRoleProtocol(wsi: Wsi, data: Uint8Array, mode: number): Uint8Array | null {
	const st = h1(wsi);
	const m = mode & ~WriteProtocol.NO_FIN;
	if (m === WriteProtocol.HTTP_HEADERS || m === WriteProtocol.HTTP_HEADERS_CONTINUATION) return data;
	if (!st.status) throw new Error("HTTP body written before the response head (use writeHttpHeaders or respond)");
	return frameBody(wsi, st, data, m === WriteProtocol.HTTP_FINAL);
}

/** Write the response head. Returns false if it was already written. */
export function writeHead(wsi: Wsi, status: number, head: ResponseHead, body?: Uint8Array, bodyIsAll = true): boolean {
	const st = h1(wsi);
	if (st.status) return false;
	const d = buildHead(status, head, st.version, st.keepAlive, wsi.context.options.serverString);
	st.status = status;
	st.keepAlive = d.keepAlive;
	st.framing = d.framing;
	st.respLeft = head.contentLength ?? 0;
	const text = encodeAscii(d.text);
	let out: Uint8Array = text;
	let final = d.framing === BodyFraming.NONE || (d.framing === BodyFraming.LENGTH && st.respLeft === 0);
	if (body && body.length) {
		const framed = frameBody(wsi, st, body, bodyIsAll);
		final = false;
		if (framed) {
			out = new Uint8Array(text.length + framed.length);
			out.set(text);
			out.set(framed, text.length);
		}
	}
	if (final) {
		st.respDone = true;
		wsi.context.scheduleService(wsi);
	}
	return wsi.write(out, WriteProtocol.HTTP_HEADERS) >= 0;
}

/** Answer with a complete response in one write. */
export function respond(wsi: Wsi, status: number, head: ResponseHead & { body?: Uint8Array | string }): number {
	const body = typeof head.body === "string" ? wsi.context.encode(head.body) : head.body;
	const h: ResponseHead = { contentType: head.contentType, headers: head.headers, contentLength: body ? body.length : 0 };
	if (!writeHead(wsi, status, h, body)) return -1;
	const st = h1(wsi);
	if (!st.respDone) endBody(wsi, st);
	return 0;
}

/** lws_return_http_status(): the error page (or errorDocument404 redirect). Returns -1 when the connection must close. */
export function returnStatus(wsi: Wsi, status: number, detail: string | undefined, close = false): number {
	const st = h1(wsi);
	if (st.status) return -1;	// too late for a status: the head is out
	if (close) st.keepAlive = false;
	const doc = wsi.vhost.errorDocument404;
	if (status === 404 && doc && st.path !== doc) return redirect(wsi, 302, doc);
	// HEAD gets the same Content-Length as GET; the body itself is never sent for HEAD
	return respond(wsi, status, { contentType: "text/html; charset=utf-8", body: errorPage(status, detail) });
}

/** lws_http_redirect(). */
export function redirect(wsi: Wsi, status: number, location: string): number {
	const body = `<!doctype html><html><body><a href="${location.replace(/"/g, "%22")}">${statusText(status)}</a></body></html>\n`;
	return respond(wsi, status, { contentType: "text/html; charset=utf-8", headers: [["Location", location]], body });
}

/**
 * A request the server refuses: error page, then close, lingering so the
 * peer reads the page instead of a reset (its unread bytes are drained).
 */
export function failRequest(wsi: Wsi, status: number, why: string, internal = false): Handled {
	const st = h1(wsi);
	releaseAh(wsi);
	if (internal) lwsl.err(`wsi ${wsi.id}: ${status} ${why}`);
	st.phase = H1Phase.RESPONDING;
	st.reqDone = true;
	st.keepAlive = false;
	if (!st.status) {
		if (!st.method) st.method = "GET";
		st.version = st.version || 11;
		returnStatus(wsi, status, status >= 500 ? undefined : why, true);
	}
	wsi.closeAfterFlush(true);
	return Handled.OK;
}
