/** The RFC 6455 opening handshake on an HTTP/1.1 request head. */
import { Handled, Reason } from "../core/reasons.js";
import type { Wsi } from "../core/wsi.js";
import type { Protocol } from "../core/types.js";
import type { Role } from "../core/role.js";
import { lwsl, logEnabled, LogLevel } from "../core/log.js";
import * as h1 from "../http/server.js";
import { encodeAscii } from "../util/utf8.js";
import { sha1 } from "../util/sha1.js";
import { encodeBase64, base64DecodedLength } from "../util/base64.js";
import { WsState } from "./server.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function tokens(v: string | undefined): string[] {
	return v ? v.split(",").map((t) => t.trim()).filter((t) => t.length > 0) : [];
}

/** Sec-WebSocket-Accept for a key. */
export function acceptKey(key: string): string {
	return encodeBase64(sha1(encodeAscii(key + GUID)));
}

/**
 * Offered each complete request head. Not a WebSocket upgrade: undefined
 * (HTTP goes on). Otherwise the handshake is answered (101, or 400/403/426)
 * and the wsi becomes a WebSocket of the chosen protocol.
 */
export function tryUpgrade(wsi: Wsi, role: Role): Handled | undefined {
	const st = h1.h1(wsi);
	const ah = st.ah!;
	const upgrade = h1.headerJoined(ah, "upgrade");
	if (!tokens(upgrade).some((t) => t.toLowerCase() === "websocket")) return undefined;
	if (st.method !== "GET" || st.version < 11) return h1.failRequest(wsi, 400, "a WebSocket upgrade must be an HTTP/1.1 GET");
	if (!tokens(h1.headerJoined(ah, "connection")).some((t) => t.toLowerCase() === "upgrade"))
		return h1.failRequest(wsi, 400, "WebSocket upgrade without Connection: Upgrade");
	if (st.hasBody) return h1.failRequest(wsi, 400, "a WebSocket upgrade request has no body");
	const version = h1.headerJoined(ah, "sec-websocket-version");
	if (version?.trim() !== "13") {
		h1.writeHead(wsi, 426, { contentType: "text/plain", contentLength: 36, headers: [["Sec-WebSocket-Version", "13"]] },
			encodeAscii("Only WebSocket version 13 is served\n"));
		st.keepAlive = false;
		return finishRefusal(wsi);
	}
	const keys = h1.headerJoined(ah, "sec-websocket-key");
	const key = keys?.trim();
	if (!key || key.indexOf(",") >= 0 || base64DecodedLength(key) !== 16) return h1.failRequest(wsi, 400, "missing or malformed Sec-WebSocket-Key");

	const vh = wsi.vhost;
	const asked = tokens(h1.headerJoined(ah, "sec-websocket-protocol"));
	let protocol: Protocol | undefined;
	let named = "";
	if (asked.length) {
		for (const name of asked) {
			protocol = vh.protocolByName(name);
			if (protocol) { named = name; break; }
		}
		if (!protocol) return h1.failRequest(wsi, 400, `none of the WebSocket subprotocols "${asked.join(", ")}" is served here`);
	}
	else {
		protocol = vh.defaultProtocol ?? undefined;
		if (!protocol) return h1.failRequest(wsi, 400, "no subprotocol asked and no default protocol on this vhost");
	}
	if (wsi.callback(Reason.FILTER_PROTOCOL_CONNECTION, protocol.name, protocol) !== 0)
		return h1.failRequest(wsi, 403, `refused by ${protocol.name} (FILTER_PROTOCOL_CONNECTION)`);

	let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		`Sec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
	if (named) head += `Sec-WebSocket-Protocol: ${named}\r\n`;
	if (wsi.sendRaw(encodeAscii(head + "\r\n")) < 0) return Handled.PLEASE_CLOSE;

	// The connection leaves HTTP: the head it holds stays readable through ESTABLISHED.
	const ws = new WsState(wsi.context);
	const ahHeld = st;
	wsi.role = role;
	wsi.rs = ws;
	wsi.setTimeout(0, 0);
	wsi.bindProtocol(protocol);
	if (logEnabled(LogLevel.INFO)) lwsl.info(`wsi ${wsi.id}: WebSocket ${protocol.name} established`);
	ws.headSource = ahHeld;
	const r = wsi.callback(Reason.ESTABLISHED);
	ws.headSource = null;
	ws.established = true;
	h1.releaseAhOf(wsi, ahHeld);
	return r !== 0 ? Handled.PLEASE_CLOSE : Handled.OK;
}

function finishRefusal(wsi: Wsi): Handled {
	const st = h1.h1(wsi);
	st.reqDone = true;
	wsi.closeAfterFlush(true);
	return Handled.OK;
}
