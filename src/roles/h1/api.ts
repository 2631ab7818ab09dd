/**
 * The HTTP API for protocol authors, lws style: free functions on a wsi.
 * Headers are readable only while the request head is held: during
 * FILTER_HTTP_CONNECTION, HTTP_BIND_PROTOCOL and HTTP (and ESTABLISHED for
 * WebSockets); after those return they are gone.
 */
import type { Wsi } from "../../core/wsi.js";
import { WriteProtocol } from "../../core/reasons.js";
import { H1State, h1, isHttp, currentAh } from "./state.js";
import { headerJoined } from "../../http/headers.js";
import * as server from "./respond.js";
import type { ResponseHead } from "../../http/response.js";
import { queryArg, parseForm } from "../../http/path.js";
import { decodeLatin1 } from "../../util/utf8.js";

export type { ResponseHead } from "../../http/response.js";
export { parseForm } from "../../http/path.js";

function st(wsi: Wsi): H1State {
	if (isHttp(wsi)) return h1(wsi);
	// a WebSocket during ESTABLISHED still has its request
	const src = (wsi.rs as { headSource?: H1State | null } | null)?.headSource;
	if (src) return src;
	throw new Error(`wsi ${wsi.id} is not an HTTP connection (or its request is gone)`);
}

/** Request method ("GET", "POST", ...): lws `lws_hdr_copy` of `WSI_TOKEN_GET_URI`, `WSI_TOKEN_POST_URI`, ... tells which. */
export function method(wsi: Wsi): string {
	return st(wsi).method;
}

/** Decoded, normalized request path (lws: the `in` of LWS_CALLBACK_HTTP, under the mount). */
export function path(wsi: Wsi): string {
	return st(wsi).path;
}

/** Raw query string (after "?"), "" if none (lws `WSI_TOKEN_HTTP_URI_ARGS`). */
export function query(wsi: Wsi): string {
	return st(wsi).query;
}

/** lws_hdr_total_length(): length of a header's value(s), 0 if absent or headers are gone. */
export function hdrTotalLength(wsi: Wsi, name: string): number {
	return hdrCopy(wsi, name)?.length ?? 0;
}

/** lws_hdr_copy(): a header's value (repeats joined with ", "); undefined if absent or headers are gone. Case-insensitive. */
export function hdrCopy(wsi: Wsi, name: string): string | undefined {
	const ah = currentAh(wsi);
	return ah ? headerJoined(ah, name.toLowerCase()) : undefined;
}

/** All request headers as [name, value] pairs while the head is held (lws walks them with `lws_hdr_custom_name_foreach`). */
export function headers(wsi: Wsi): [string, string][] {
	const ah = currentAh(wsi);
	const out: [string, string][] = [];
	if (!ah) return out;
	for (let h = 0; h < ah.count; h++) {
		const ix = ah.index;
		out.push([decodeLatin1(ah.buf, ix[h * 4], ix[h * 4 + 1]), decodeLatin1(ah.buf, ix[h * 4 + 2], ix[h * 4 + 3])]);
	}
	return out;
}

/** lws_get_urlarg_by_name(): a decoded URI query argument. */
export function uriArg(wsi: Wsi, name: string): string | undefined {
	return queryArg(st(wsi).query, name);
}

/** Write the status line and headers (lws_add_http_common_headers + lws_finalize_write_http_header). */
export function writeHttpHeaders(wsi: Wsi, status: number, head: ResponseHead = {}): number {
	st(wsi);
	return server.writeHead(wsi, status, head) ? 0 : -1;
}

/** Write body bytes after the head; `final` ends the response, the last chunk on chunked responses (lws `lws_write` with `LWS_WRITE_HTTP` / `LWS_WRITE_HTTP_FINAL`). */
export function writeBody(wsi: Wsi, data: Uint8Array | string, final: boolean): number {
	return wsi.write(data, final ? WriteProtocol.HTTP_FINAL : WriteProtocol.HTTP);
}

/** A whole response in one write: head, then the body, string or bytes (lws: headers, then `lws_write` `LWS_WRITE_HTTP_FINAL`). */
export function respond(wsi: Wsi, status: number, head: ResponseHead & { body?: Uint8Array | string } = {}): number {
	st(wsi);
	return server.respond(wsi, status, head);
}

/** lws_return_http_status(): a status with the styled error page. */
export function returnHttpStatus(wsi: Wsi, status: number, detail?: string): number {
	st(wsi);
	return server.returnStatus(wsi, status, detail);
}

/** lws_http_redirect(): a redirect with `Location` and a short body. */
export function httpRedirect(wsi: Wsi, status: number, location: string): number {
	st(wsi);
	return server.redirect(wsi, status, location);
}
