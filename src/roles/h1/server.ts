/**
 * The HTTP/1.1 role (lws roles/h1): the request cycle over whatever reads bring. The head is
 * parsed in a header block from the pool, the request checked (400/413/414/417/431/501/505),
 * bodies read (Content-Length and chunked) and handed on, the request routed to its mount,
 * keep-alive, pipelining and timeouts. The response writer is respond.ts, the state state.ts,
 * the mounts serve.ts, upgrades upgrade.ts.
 */
import { Handled, Reason } from "../../core/reasons.js";
import { Wsi, WsiFlag, Timeout } from "../../core/wsi.js";
import { RoomClass } from "../../core/role.js";
import type { Context } from "../../core/context.js";
import { lwsl, logEnabled, LogLevel } from "../../core/log.js";
import { HeadState } from "../../http/parser.js";
import { splitTarget, normalizePath } from "../../http/path.js";
import { decodeLatin1, encodeAscii } from "../../util/utf8.js";
import { serveMount } from "./serve.js";
import { H1Phase, H1State, shared, h1, releaseAh } from "./state.js";
import { header, countHeader, headerJoined } from "../../http/headers.js";
import { ChunkedDecoder, ChunkedResult } from "../../http/chunked.js";
import { streamFile, failRequest, respond, returnStatus } from "./respond.js";
import { H1Upgrade } from "./upgrade.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

export function adopt(wsi: Wsi): Handled {
	wsi.rs = new H1State();
	shared(wsi.context);
	wsi.setTimeout(Timeout.HEADER, wsi.context.options.timeoutSecs * 1000);
	return Handled.OK;
}

/** Keep the unread rest for later and stop reading until then. */
function stash(wsi: Wsi, buf: Uint8Array, pos: number, bit: WsiFlag): Handled {
	wsi.stashRx(buf, pos);
	wsi.setRxPause(bit, true);
	return Handled.OK;
}

export function handleRx(wsi: Wsi, buf: Uint8Array): Handled {
	const st = h1(wsi);
	let pos = 0;
	while (pos < buf.length) {
		if (wsi.closing || wsi.rs !== st) {
			// upgraded to another role mid-buffer: hand it the rest
			if (wsi.rs !== st && !wsi.closing) return wsi.role.handleRx(wsi, buf.subarray(pos));
			return Handled.OK;
		}
		switch (st.phase) {
			case H1Phase.IDLE: {
				const sh = shared(wsi.context);
				const ah = sh.pool.acquire(wsi);
				if (!ah) {
					wsi.context.stats.ahWaits++;
					stash(wsi, buf, pos, WsiFlag.RX_AH);
					stealAh(wsi.context, null);
					return Handled.OK;
				}
				st.ah = ah;
				st.phase = H1Phase.HEAD;
				// A keep-alive connection starts its head clock with its first byte.
				if (wsi.timeoutReason !== Timeout.HEADER) wsi.setTimeout(Timeout.HEADER, wsi.context.options.timeoutSecs * 1000);
				break;
			}
			case H1Phase.HEAD: {
				const sh = shared(wsi.context);
				const r = sh.parser.feed(st.ah!, buf, pos, buf.length);
				pos += sh.parser.consumed;
				if (r === HeadState.MORE) {
					// still incomplete while requests wait for a block: the longest holder gives its up
					if (sh.pool.waiters && !sh.pool.available) stealAh(wsi.context, wsi);
					return Handled.OK;
				}
				if (r === HeadState.ERROR) {
					lwsl.info(`wsi ${wsi.id} (${wsi.peer}): ${sh.parser.status} ${sh.parser.why}`);
					return failRequest(wsi, sh.parser.status, sh.parser.why);
				}
				if (headComplete(wsi) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
				break;
			}
			case H1Phase.BODY_LENGTH: {
				const n = Math.min(st.bodyLeft, buf.length - pos);
				st.bodyLeft -= n;
				if (n && deliverBody(wsi, buf.subarray(pos, pos + n)) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
				pos += n;
				if (st.bodyLeft === 0 && st.phase === H1Phase.BODY_LENGTH && bodyComplete(wsi) === Handled.PLEASE_CLOSE) return Handled.PLEASE_CLOSE;
				break;
			}
			case H1Phase.BODY_CHUNKED: {
				const used = chunked(wsi, st, buf, pos);
				if (used < 0) return Handled.PLEASE_CLOSE;
				pos = used;
				break;
			}
			case H1Phase.RESPONDING:
				// Pipelined: the next request waits (in the kernel, too) until this response is done.
				return stash(wsi, buf, pos, WsiFlag.RX_ROLE);
		}
	}
	return Handled.OK;
}

/**
 * The header pool is a limit like maxConnections: while requests wait for a block, the
 * connection that has held one longest without completing its head loses it (408), whatever its
 * age, so slow senders cannot starve complete requests. `except` is the holder now parsing.
 */
function stealAh(context: Context, except: Wsi | null): void {
	const pool = shared(context).pool;
	if (!pool.waiters || pool.available) return;
	const victim = pool.oldestHolder(except);
	if (!victim) return;
	context.stats.ahStolen++;
	lwsl.info(`wsi ${victim.id} (${victim.peer}): request head not complete while others wait for a header block: 408`);
	failRequest(victim, 408, "request head not complete while other requests waited for a header block");
}

/** Decode a chunked body from buf[pos...]; returns the new position, or -1 to close. */
function chunked(wsi: Wsi, st: H1State, buf: Uint8Array, pos: number): number {
	const d = st.chunked!, end = buf.length;
	while (pos < end && st.phase === H1Phase.BODY_CHUNKED) {
		pos = d.feed(buf, pos, end);
		switch (d.result) {
			case ChunkedResult.DATA:
				st.bodyTotal = d.total;
				if (deliverBody(wsi, buf.subarray(d.dataStart, d.dataEnd)) === Handled.PLEASE_CLOSE) return -1;
				break;
			case ChunkedResult.DONE:
				if (bodyComplete(wsi) === Handled.PLEASE_CLOSE) return -1;
				break;
			case ChunkedResult.ERROR:
				return failRequest(wsi, d.status, d.why) === Handled.PLEASE_CLOSE ? -1 : end;
		}
	}
	return pos;
}

/** 1 to `max` ASCII digits. */
function isDigits(v: string, max: number): boolean {
	if (!v.length || v.length > max) return false;
	for (let i = 0; i < v.length; i++) {
		const c = v.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/** RFC 3986 host [":" port]: reg-name, IPv4 or [IPv6] characters only. */
function isHostValue(v: string): boolean {
	for (let i = 0; i < v.length; i++) {
		const c = v.charCodeAt(i);
		if ((c >= 48 && c <= 58) || (c >= 65 && c <= 93 && c !== 92) || (c >= 97 && c <= 122)) continue;	// 0-9 : A-Z [ ] a-z
		if ("-._~!$&'()*+;=%".indexOf(v[i]) < 0) return false;
	}
	return true;
}

function hasToken(list: string | undefined, token: string): boolean {
	if (!list) return false;
	for (const t of list.split(",")) if (t.trim().toLowerCase() === token) return true;
	return false;
}

/** The request head is parsed: check it (RFC 9112), pick the vhost and mount, raise HTTP. */
function headComplete(wsi: Wsi): Handled {
	const st = h1(wsi);
	const ah = st.ah!;
	const o = wsi.context.options;
	wsi.setTimeout(Timeout.NONE, 0);
	st.method = decodeLatin1(ah.buf, ah.methodStart, ah.methodEnd);
	const target = decodeLatin1(ah.buf, ah.targetStart, ah.targetEnd);
	st.version = ah.version;
	st.status = 0;
	st.respDone = false;
	st.reqDone = false;
	st.handler = null;
	st.bound = false;
	st.file = null;
	st.bodyTotal = 0;
	st.bodyLeft = 0;
	st.hasBody = false;
	st.chunkedReq = false;
	st.phase = H1Phase.RESPONDING;

	const conn = headerJoined(ah, "connection");
	st.keepAlive = st.version >= 11 ? !hasToken(conn, "close") : hasToken(conn, "keep-alive");

	const hosts = countHeader(ah, "host");
	if (hosts > 1) return failRequest(wsi, 400, "more than one Host header");
	if (st.version >= 11 && hosts === 0) return failRequest(wsi, 400, "HTTP/1.1 request without Host");
	const host = header(ah, "host");
	if (host !== undefined && !isHostValue(host)) return failRequest(wsi, 400, "malformed Host header");

	// Body framing (RFC 9112 6): Transfer-Encoding wins, and with Content-Length it is refused.
	const te = headerJoined(ah, "transfer-encoding");
	const cls = countHeader(ah, "content-length");
	if (te !== undefined) {
		if (cls) return failRequest(wsi, 400, "both Transfer-Encoding and Content-Length");
		if (st.version < 11) return failRequest(wsi, 400, "Transfer-Encoding in an HTTP/1.0 request");
		if (te.trim().toLowerCase() !== "chunked") return failRequest(wsi, 501, `transfer coding "${te}" is not supported`);
		st.hasBody = true;
		st.chunkedReq = true;
		(st.chunked ??= new ChunkedDecoder(o.maxHttpBodySize)).reset();
	}
	else if (cls) {
		if (cls > 1) return failRequest(wsi, 400, "more than one Content-Length");
		const v = header(ah, "content-length")!;
		if (!isDigits(v, 15)) return failRequest(wsi, 400, "malformed Content-Length");
		const n = Number(v);
		if (n > o.maxHttpBodySize) return failRequest(wsi, 413, `body larger than maxHttpBodySize (${o.maxHttpBodySize})`);
		st.hasBody = true;
		st.bodyLeft = n;
	}

	if (METHODS.indexOf(st.method) < 0) return failRequest(wsi, 501, `method ${st.method} is not implemented`);

	const expect = header(ah, "expect");
	if (expect !== undefined) {
		if (expect.toLowerCase() !== "100-continue") return failRequest(wsi, 417, `expectation "${expect}" is not supported`);
	}

	if (target === "*") {
		if (st.method !== "OPTIONS") return failRequest(wsi, 400, "asterisk-form only goes with OPTIONS");
		return finishHead(wsi, () => { respond(wsi, 204, { headers: [["Allow", METHODS.join(", ")]] }); return Handled.OK; });
	}
	const split = splitTarget(target);
	if (!split) return failRequest(wsi, 400, "malformed request-target");
	const path = normalizePath(split.path);
	if (typeof path === "number") return failRequest(wsi, path, path === 403 ? "path traversal refused" : "malformed path");
	st.path = path;
	st.query = split.query;
	if (host) wsi.vhost = wsi.context.vhostByName(wsi.vhost, host);

	if (logEnabled(LogLevel.INFO)) lwsl.info(`wsi ${wsi.id}: ${st.method} ${target}`);

	// A WebSocket (or other) upgrade leaves this role here, for the role that answers its token.
	const upgrade = headerJoined(ah, "upgrade");
	if (upgrade !== undefined) {
		for (const token of upgrade.split(",")) {
			const role = wsi.context.roles.byUpgrade(token.trim());
			if (role) return role.upgrade!(wsi, new H1Upgrade(wsi, st));
		}
	}

	const def = wsi.vhost.defaultProtocol;
	if (def && wsi.callback(Reason.FILTER_HTTP_CONNECTION, st.path, def) !== 0) return failRequest(wsi, 403, "refused by FILTER_HTTP_CONNECTION");

	if (expect !== undefined && st.hasBody) wsi.sendRaw(encodeAscii("HTTP/1.1 100 Continue\r\n\r\n"));
	return finishHead(wsi, () => serveMount(wsi, st));
}

/** Run the request's handler, then give the header block back: headers are gone after HTTP returns. */
function finishHead(wsi: Wsi, run: () => Handled): Handled {
	const st = h1(wsi);
	const r = run();
	releaseAh(wsi);
	if (r === Handled.PLEASE_CLOSE || wsi.closing) return Handled.PLEASE_CLOSE;
	if (st.reqDone) return afterRequest(wsi);
	if (st.hasBody && !st.chunkedReq && st.bodyLeft === 0) return bodyComplete(wsi);
	if (st.hasBody) {
		st.phase = st.chunkedReq ? H1Phase.BODY_CHUNKED : H1Phase.BODY_LENGTH;
		wsi.setTimeout(Timeout.BODY, wsi.context.options.timeoutSecs * 1000);
		return Handled.OK;
	}
	st.reqDone = true;
	return afterRequest(wsi);
}

function deliverBody(wsi: Wsi, data: Uint8Array): Handled {
	const st = h1(wsi);
	if (!st.chunkedReq) st.bodyTotal += data.length;
	wsi.setTimeout(Timeout.BODY, wsi.context.options.timeoutSecs * 1000);
	// A handler that already answered (or a FILE mount) doesn't see the body: it is read and dropped.
	if (!st.handler || st.respDone) return Handled.OK;
	const max = st.handler.rxBufferSize || data.length;
	for (let i = 0; i < data.length; i += max) {
		if (wsi.callback(Reason.HTTP_BODY, data.subarray(i, Math.min(i + max, data.length))) !== 0)
			return st.status ? Handled.PLEASE_CLOSE : failRequest(wsi, 500, "HTTP_BODY handler failed", true);
	}
	return Handled.OK;
}

function bodyComplete(wsi: Wsi): Handled {
	const st = h1(wsi);
	st.phase = H1Phase.RESPONDING;
	st.reqDone = true;
	wsi.setTimeout(Timeout.NONE, 0);
	if (st.handler && !st.respDone && wsi.callback(Reason.HTTP_BODY_COMPLETION) !== 0)
		return st.status ? Handled.PLEASE_CLOSE : failRequest(wsi, 500, "HTTP_BODY_COMPLETION handler failed", true);
	return afterRequest(wsi);
}

/**
 * The request is read. A handler that neither answered nor asked for
 * WRITEABLE gets the 404 page; a finished response completes the transaction.
 */
function afterRequest(wsi: Wsi): Handled {
	const st = h1(wsi);
	if (wsi.closing) return Handled.PLEASE_CLOSE;
	if (!st.status && !(wsi.flags & WsiFlag.WANT_WRITEABLE) && !st.file)
		return returnStatus(wsi, 404, undefined) === -1 ? Handled.PLEASE_CLOSE : Handled.OK;
	if (st.respDone) wsi.context.scheduleService(wsi);
	return Handled.OK;
}

/** Every byte queued so far is on the socket: finish the transaction if the response is done. */
export function handleTxDrained(wsi: Wsi): Handled {
	const st = h1(wsi);
	if (st.phase !== H1Phase.RESPONDING || !st.respDone || !st.reqDone) return Handled.OK;
	return transactionCompleted(wsi);
}

/** lws_http_transaction_completed(): keep-alive goes back to IDLE (pipelined bytes next), else close. */
export function transactionCompleted(wsi: Wsi): Handled {
	const st = h1(wsi);
	if (st.bound && st.handler) wsi.callback(Reason.HTTP_DROP_PROTOCOL);
	if (st.file) { st.file.close(); st.file = null; }
	st.bound = false;
	st.handler = null;
	if (!st.keepAlive) return Handled.PLEASE_CLOSE;
	st.phase = H1Phase.IDLE;
	st.served = true;
	wsi.context.roomMayHaveChanged();
	st.status = 0;
	st.respDone = false;
	wsi.since = wsi.context.now();
	wsi.setTimeout(Timeout.KEEPALIVE, wsi.context.options.keepaliveTimeout * 1000);
	wsi.setRxPause(WsiFlag.RX_ROLE, false);
	if (wsi.rxStash) wsi.context.scheduleService(wsi);
	return Handled.OK;
}

export function handleWriteable(wsi: Wsi): Handled {
	const st = h1(wsi);
	if (st.file) return streamFile(wsi, st);
	const p = st.handler ?? wsi.protocol;
	if (p && wsi.callback(Reason.HTTP_WRITEABLE, undefined, p) !== 0) return Handled.PLEASE_CLOSE;
	return Handled.OK;
}

export function handleTimeout(wsi: Wsi, reason: number): Handled {
	const st = h1(wsi);
	switch (reason) {
		case Timeout.HEADER:
			if (st.ah && st.ah.len > 0) {
				lwsl.info(`wsi ${wsi.id} (${wsi.peer}): request head not complete in ${wsi.context.options.timeoutSecs}s: 408`);
				wsi.context.stats.timeouts++;
				failRequest(wsi, 408, "request head not received in time");
				return Handled.OK;
			}
			return Handled.PLEASE_CLOSE;
		case Timeout.BODY:
			if (!st.status) {
				wsi.context.stats.timeouts++;
				failRequest(wsi, 408, "request body stalled");
				return Handled.OK;
			}
			return Handled.PLEASE_CLOSE;
		default:
			return Handled.PLEASE_CLOSE;
	}
}

export function roomClass(wsi: Wsi): RoomClass {
	const st = h1(wsi);
	if (st.phase === H1Phase.HEAD) return RoomClass.SLOW;
	if (st.phase !== H1Phase.IDLE) return RoomClass.BUSY;
	// waiting for a header block: slow unless a whole head is already here
	if (wsi.rxStash) return hasWholeHead(wsi.rxStash) ? RoomClass.BUSY : RoomClass.SLOW;
	if (wsi.rxAvail > 0) return RoomClass.BUSY;	// bytes to look at
	return st.served ? RoomClass.IDLE : RoomClass.SLOW;
}

/** An empty line (LF LF or LF CR LF) ends a request head. */
function hasWholeHead(b: Uint8Array): boolean {
	for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) {
		if (b[i + 1] === 10 || (b[i + 1] === 13 && b[i + 2] === 10)) return true;
	}
	return false;
}

export function closeRole(wsi: Wsi): void {
	const st = wsi.rs instanceof H1State ? wsi.rs : null;
	if (!st) return;
	shared(wsi.context).pool.forget(wsi);
	releaseAh(wsi);
	if (st.file) { st.file.close(); st.file = null; }
	if (st.bound && st.handler) wsi.callback(Reason.HTTP_DROP_PROTOCOL);
	const p = st.handler ?? wsi.protocol;
	if (p) wsi.callback(Reason.CLOSED_HTTP, undefined, p);
}
