import { Handled, Reason, WriteProtocol } from "../core/reasons.js";
import { Wsi, WsiFlag, Timeout } from "../core/wsi.js";
import { RoomClass } from "../core/role.js";
import type { Context } from "../core/context.js";
import type { Mount, Protocol } from "../core/types.js";
import { MountProtocol } from "../core/types.js";
import { lwsl, logEnabled, LogLevel } from "../core/log.js";
import { PARSER_LIMITS } from "../core/options.js";
import { HeaderPool } from "./header-pool.js";
import type { Ah } from "./header-pool.js";
import { HeadParser, HeadState } from "./parser.js";
import { splitTarget, normalizePath } from "./path.js";
import { buildHead, chunkFrame, BodyFraming } from "./response.js";
import type { ResponseHead } from "./response.js";
import { errorPage, statusText } from "./status.js";
import { decodeLatin1, encodeAscii } from "../util/utf8.js";
import type { FopsFile } from "../fs/fops.js";
import { serveMount } from "./mounts.js";

/** Where an HTTP/1.1 connection is in its request/response cycle. */
export const enum H1Phase {
	/** between requests (or before the first): no header block held */
	IDLE = 0,
	/** reading the request head into a header block */
	HEAD = 1,
	/** reading a Content-Length body */
	BODY_LENGTH = 2,
	/** reading a chunked body */
	BODY_CHUNKED = 3,
	/** the request is read; the response is being made */
	RESPONDING = 4,
}

const enum Chunk { SIZE = 0, EXT = 1, DATA = 2, DATA_CRLF = 3, TRAILER = 4 }

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/** Per-connection HTTP state; one object per connection, reused across requests. */
export class H1State {
	phase = H1Phase.IDLE;
	ah: Ah | null = null;
	/** a request has completed on this connection (idle, not slow, when reaped) */
	served = false;
	method = "";
	path = "";
	query = "";
	version = 11;
	keepAlive = true;
	/** body bytes still to come (Content-Length), or of the current chunk */
	bodyLeft = 0;
	bodyTotal = 0;
	hasBody = false;
	/** the request body is chunked (else Content-Length) */
	chunkedReq = false;
	chunk = Chunk.SIZE;
	chunkDigits = 0;
	/** the protocol HTTP callbacks go to (a CALLBACK mount's, or the vhost default) */
	handler: Protocol | null = null;
	/** a CALLBACK mount bound `handler` (drop it at the end) */
	bound = false;
	/** response: 0 until the head is written */
	status = 0;
	framing = BodyFraming.NONE;
	/** Content-Length bytes still owed */
	respLeft = 0;
	/** the response is complete (final write queued) */
	respDone = false;
	file: FopsFile | null = null;
	filePos = 0;
	/** the whole request has been read (body included) */
	reqDone = false;
}

/** Context-wide HTTP state: the header pool, one parser, and a file buffer. */
export interface HttpShared {
	pool: HeaderPool;
	parser: HeadParser;
	fileBuf: Uint8Array;
}

export function shared(context: Context): HttpShared {
	let s = context.roleData.get("h1") as HttpShared | undefined;
	if (!s) {
		const o = context.options;
		s = {
			pool: new HeaderPool(o.maxHttpHeaderPool, o.maxHttpHeaderData, o.maxHttpHeaders, o.ipLimitAh),
			parser: new HeadParser(o.maxUriLength),
			fileBuf: new Uint8Array(o.txChunkSize),
		};
		context.roleData.set("h1", s);
	}
	return s;
}

export function h1(wsi: Wsi): H1State {
	return wsi.rs as H1State;
}

export function isHttp(wsi: Wsi): boolean {
	return wsi.rs instanceof H1State;
}

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

/** Decode chunked framing from buf[pos...]; returns the new position, or -1 to close. */
function chunked(wsi: Wsi, st: H1State, buf: Uint8Array, pos: number): number {
	const end = buf.length;
	while (pos < end && st.phase === H1Phase.BODY_CHUNKED) {
		const c = buf[pos];
		switch (st.chunk) {
			case Chunk.SIZE: {
				const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
				if (d >= 0) {
					if (++st.chunkDigits > PARSER_LIMITS.CHUNK_SIZE_DIGITS.value) return failRequest(wsi, 413, "chunk size too large") === Handled.PLEASE_CLOSE ? -1 : end;
					st.bodyLeft = st.bodyLeft * 16 + d;
					pos++;
					break;
				}
				if (!st.chunkDigits) return failRequest(wsi, 400, "malformed chunk size") === Handled.PLEASE_CLOSE ? -1 : end;
				st.chunk = Chunk.EXT;
				break;
			}
			case Chunk.EXT:
				// chunk extensions are ignored up to the LF
				pos++;
				if (c === 10) {
					st.chunkDigits = 0;
					if (st.bodyTotal + st.bodyLeft > wsi.context.options.maxHttpBodySize)
						return failRequest(wsi, 413, `body larger than maxHttpBodySize (${wsi.context.options.maxHttpBodySize})`) === Handled.PLEASE_CLOSE ? -1 : end;
					st.chunk = st.bodyLeft ? Chunk.DATA : Chunk.TRAILER;
				}
				else if (c < 32 && c !== 9 && c !== 13) return failRequest(wsi, 400, "malformed chunk line") === Handled.PLEASE_CLOSE ? -1 : end;
				break;
			case Chunk.DATA: {
				const n = Math.min(st.bodyLeft, end - pos);
				st.bodyLeft -= n;
				st.bodyTotal += n;
				if (deliverBody(wsi, buf.subarray(pos, pos + n)) === Handled.PLEASE_CLOSE) return -1;
				pos += n;
				if (!st.bodyLeft) st.chunk = Chunk.DATA_CRLF;
				break;
			}
			case Chunk.DATA_CRLF:
				pos++;
				if (c === 10) st.chunk = Chunk.SIZE;
				else if (c !== 13) return failRequest(wsi, 400, "chunk data not followed by CRLF") === Handled.PLEASE_CLOSE ? -1 : end;
				break;
			case Chunk.TRAILER:
				// trailer fields are skipped; an empty line ends the body
				pos++;
				if (c === 10) {
					if (st.chunkDigits === 0) {
						if (bodyComplete(wsi) === Handled.PLEASE_CLOSE) return -1;
					}
					st.chunkDigits = 0;
				}
				else if (c !== 13) {
					if (++st.chunkDigits > PARSER_LIMITS.TRAILER_BYTES.value) return failRequest(wsi, 431, "trailer section too large") === Handled.PLEASE_CLOSE ? -1 : end;
				}
				break;
		}
	}
	return pos;
}

/** Header value of the first `lname` header, or undefined. */
export function header(ah: Ah, lname: string): string | undefined {
	const h = ah.find(lname);
	if (h < 0) return undefined;
	return decodeLatin1(ah.buf, ah.index[h * 4 + 2], ah.index[h * 4 + 3]);
}

function countHeader(ah: Ah, lname: string): number {
	let n = 0;
	for (let h = ah.find(lname); h >= 0; h = ah.find(lname, h + 1)) n++;
	return n;
}

/** All values of `lname` joined with ", " (RFC 9110 5.3). */
export function headerJoined(ah: Ah, lname: string): string | undefined {
	let out: string | undefined;
	for (let h = ah.find(lname); h >= 0; h = ah.find(lname, h + 1)) {
		const v = decodeLatin1(ah.buf, ah.index[h * 4 + 2], ah.index[h * 4 + 3]);
		out = out === undefined ? v : out + ", " + v;
	}
	return out;
}

// Small character checks instead of RegExps: XS compiles a RegExp literal each time it runs.

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
		st.chunk = Chunk.SIZE;
		st.chunkDigits = 0;
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

	// A WebSocket (or other) upgrade leaves this role here.
	const up = wsi.context.roles.upgrade;
	if (up) {
		const r = up(wsi);
		if (r !== undefined) return r;
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

export function releaseAh(wsi: Wsi): void {
	if (wsi.rs instanceof H1State) releaseAhOf(wsi, wsi.rs);
}

/** Give back the header block an HTTP state holds (also after the wsi left HTTP, e.g. upgraded). */
export function releaseAhOf(wsi: Wsi, st: H1State): void {
	const ah = st.ah;
	if (!ah) return;
	st.ah = null;
	shared(wsi.context).pool.release(ah, wakeForAh);
}

function wakeForAh(w: Wsi): void {
	// Its stashed bytes are parsed in the next service pass, where it takes the block.
	w.setRxPause(WsiFlag.RX_AH, false);
	w.context.scheduleService(w);
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

function streamFile(wsi: Wsi, st: H1State): Handled {
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
function fileCompleted(wsi: Wsi, st: H1State): void {
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
function writeBody(wsi: Wsi, st: H1State, data: Uint8Array, final: boolean): void {
	const framed = frameBody(wsi, st, data, final);
	if (framed) wsi.sendRaw(framed);
}

function endBody(wsi: Wsi, st: H1State): void {
	if (!st.respDone) {
		const framed = frameBody(wsi, st, new Uint8Array(0), true);
		if (framed && framed.length) wsi.sendRaw(framed);
	}
}

/** Frame body bytes; null when nothing goes on the wire (HEAD, 304). Marks the response done. */
function frameBody(wsi: Wsi, st: H1State, data: Uint8Array, final: boolean): Uint8Array | null {
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

/** The request's headers, while the header block is held (until HTTP or ESTABLISHED returns). */
export function currentAh(wsi: Wsi): Ah | null {
	if (wsi.rs instanceof H1State) return wsi.rs.ah;
	// an upgraded connection keeps its request head readable during ESTABLISHED
	const src = (wsi.rs as { headSource?: H1State | null } | null)?.headSource;
	return src ? src.ah : null;
}
