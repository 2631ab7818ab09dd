/** The ws role's answer to an HTTP Upgrade: websocket (RFC 6455 4.2): 101, or 400/403/426. */
import { Handled, Reason } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import type { Protocol } from "../../core/types.js";
import type { Role, UpgradeRequest } from "../../core/role.js";
import { lwsl, logEnabled, LogLevel } from "../../core/log.js";
import { encodeAscii } from "../../util/utf8.js";
import { base64DecodedLength } from "../../util/base64.js";
import { acceptKey, tokens } from "../../ws/handshake.js";
import { WsState } from "./server.js";
import { negotiatePmd, release } from "./pmd.js";

/** The request asks for a WebSocket: answer the handshake and make the wsi a WebSocket of `role`, or refuse it. */
export function upgradeToWs(wsi: Wsi, req: UpgradeRequest, role: Role): Handled {
	if (req.method !== "GET" || req.version < 11) return req.fail(400, "a WebSocket upgrade must be an HTTP/1.1 GET");
	if (!tokens(req.header("connection")).some((t) => t.toLowerCase() === "upgrade"))
		return req.fail(400, "WebSocket upgrade without Connection: Upgrade");
	if (req.hasBody) return req.fail(400, "a WebSocket upgrade request has no body");
	if (req.header("sec-websocket-version")?.trim() !== "13")
		return req.refuse(426, [["Sec-WebSocket-Version", "13"]], "Only WebSocket version 13 is served\n");
	const key = req.header("sec-websocket-key")?.trim();
	if (!key || key.indexOf(",") >= 0 || base64DecodedLength(key) !== 16) return req.fail(400, "missing or malformed Sec-WebSocket-Key");

	const vh = wsi.vhost;
	const asked = tokens(req.header("sec-websocket-protocol"));
	let protocol: Protocol | undefined;
	let named = "";
	if (asked.length) {
		for (const name of asked) {
			protocol = vh.protocolByName(name);
			if (protocol) { named = name; break; }
		}
		if (!protocol) return req.fail(400, `none of the WebSocket subprotocols "${asked.join(", ")}" is served here`);
	}
	else {
		protocol = vh.defaultProtocol ?? undefined;
		if (!protocol) return req.fail(400, "no subprotocol asked and no default protocol on this vhost");
	}
	if (wsi.callback(Reason.FILTER_PROTOCOL_CONNECTION, protocol.name, protocol) !== 0)
		return req.fail(403, `refused by ${protocol.name} (FILTER_PROTOCOL_CONNECTION)`);

	let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		`Sec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
	if (named) head += `Sec-WebSocket-Protocol: ${named}\r\n`;
	const pmd = negotiatePmd(wsi, req.header("sec-websocket-extensions"), protocol);
	if (pmd) head += `Sec-WebSocket-Extensions: ${pmd.line}\r\n`;
	const ws = new WsState(wsi.context);
	ws.pmd = pmd?.conn ?? null;
	if (!req.sendRaw(encodeAscii(head + "\r\n"))) {
		if (pmd) release(pmd.conn);
		return Handled.PLEASE_CLOSE;
	}

	// The connection leaves HTTP: the head it holds stays readable through ESTABLISHED.
	wsi.role = role;
	wsi.rs = ws;
	wsi.setTimeout(0, 0);
	wsi.bindProtocol(protocol);
	if (logEnabled(LogLevel.INFO)) lwsl.info(`wsi ${wsi.id}: WebSocket ${protocol.name} established${pmd ? ` (${pmd.line})` : ""}`);
	ws.headSource = req.head;
	const r = wsi.callback(Reason.ESTABLISHED);
	ws.headSource = null;
	ws.established = true;
	req.release();
	return r !== 0 ? Handled.PLEASE_CLOSE : Handled.OK;
}
