/**
 * HTTP/1.1 per-connection and context-wide state, and the request's header block while it is
 * held: what the h1 role (server.ts), its response writer (respond.ts) and its mount serving
 * (serve.ts) share, below all three (no runtime import cycle).
 */
import type { Wsi } from "../../core/wsi.js";
import { WsiFlag } from "../../core/wsi.js";
import type { Context } from "../../core/context.js";
import type { Protocol } from "../../core/types.js";
import { HeaderPool } from "../../http/header-pool.js";
import type { Ah } from "../../http/header-pool.js";
import { HeadParser } from "../../http/parser.js";
import { BodyFraming } from "../../http/response.js";
import type { ChunkedDecoder } from "../../http/chunked.js";
import type { FopsFile } from "../../fs/fops.js";

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
	/** made for the connection's first chunked request, reused after */
	chunked: ChunkedDecoder | null = null;
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

export function wakeForAh(w: Wsi): void {
	// Its stashed bytes are parsed in the next service pass, where it takes the block.
	w.setRxPause(WsiFlag.RX_AH, false);
	w.context.scheduleService(w);
}

/** The request's headers, while the header block is held (until HTTP or ESTABLISHED returns). */
export function currentAh(wsi: Wsi): Ah | null {
	if (wsi.rs instanceof H1State) return wsi.rs.ah;
	// an upgraded connection keeps its request head readable during ESTABLISHED
	const src = (wsi.rs as { headSource?: H1State | null } | null)?.headSource;
	return src ? src.ah : null;
}
