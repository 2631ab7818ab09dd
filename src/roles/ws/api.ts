/** The WebSocket API for protocol authors (lws names). */
import type { Wsi } from "../../core/wsi.js";
import { WsState, remainingPayload } from "./server.js";
import { encodeUtf8 } from "../../util/utf8.js";
import { isValidWireCloseCode } from "../../ws/close-codes.js";
import { setOption } from "./pmd.js";

function st(wsi: Wsi): WsState {
	if (!(wsi.rs instanceof WsState)) throw new Error(`wsi ${wsi.id} is not a WebSocket`);
	return wsi.rs;
}

/** lws_is_first_fragment(): this RECEIVE piece starts a message. */
export function isFirstFragment(wsi: Wsi): boolean {
	return st(wsi).pieceFirst;
}

/** lws_is_final_fragment(): this RECEIVE piece ends a message. */
export function isFinalFragment(wsi: Wsi): boolean {
	return st(wsi).pieceFinal;
}

/** lws_remaining_packet_payload(): bytes of the current frame still to come after this piece. */
export function remainingPacketPayload(wsi: Wsi): number {
	st(wsi);
	return remainingPayload(wsi);
}

/** lws_frame_is_binary(): the message being received is binary. */
export function frameIsBinary(wsi: Wsi): boolean {
	return st(wsi).pieceBinary;
}

/** lws_close_reason(): the code and reason sent when the callback next returns -1. */
export function closeReason(wsi: Wsi, code: number, reason = ""): void {
	const s = st(wsi);
	// what we send must be what our own parser accepts from a peer (RFC 6455 7.4.1/7.4.2)
	if (!Number.isInteger(code) || !isValidWireCloseCode(code)) throw new RangeError(`close code ${code} may not be sent (1000-1003, 1007-1014, 3000-4999)`);
	const r = encodeUtf8(reason);
	if (r.length > 123) throw new RangeError("close reason longer than 123 bytes");
	s.closeWith = { code, text: r };
}

/** Bytes queued for this connection that the socket has not taken yet (lws_send_pipe_choked when > 0). */
export function bufferedAmount(wsi: Wsi): number {
	return wsi.txPending ? wsi.txPending.length : 0;
}

/** The extensions this library negotiates (lws's `lws_extension` names). */
export type ExtensionName = "permessage-deflate";

/** Whether `extension` was negotiated on this connection (lws: the extension is active on the wsi). */
export function extensionActive(wsi: Wsi, extension: ExtensionName | string): boolean {
	return extension === "permessage-deflate" && st(wsi).pmd !== null;
}

/**
 * lws_set_extension_option(): change one of permessage-deflate's settings for this connection:
 * `rx_buf_size` (largest inflated RECEIVE piece), `tx_buf_size`, `compression_level` (0..9) or
 * `threshold` (bytes under which messages go uncompressed). The value is clamped to what the
 * vhost's settings allow. Returns 0, or -1 when the extension is not active here or the option
 * is unknown.
 */
export function setExtensionOption(wsi: Wsi, extension: ExtensionName | string, name: string, value: number | string): number {
	const s = st(wsi);
	if (extension !== "permessage-deflate" || !s.pmd) return -1;
	const n = typeof value === "number" ? value : Number(value);
	if (!Number.isFinite(n)) return -1;
	return setOption(s.pmd, name, n) ? 0 : -1;
}
