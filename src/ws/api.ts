/** The WebSocket API for protocol authors (lws names). */
import type { Wsi } from "../core/wsi.js";
import { WsState, remainingPayload } from "./server.js";
import { encodeUtf8 } from "../util/utf8.js";

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
	if (code < 1000 || code > 4999 || code === 1005 || code === 1006 || code === 1015) throw new RangeError(`close code ${code} may not be sent`);
	const r = encodeUtf8(reason);
	if (r.length > 123) throw new RangeError("close reason longer than 123 bytes");
	s.closeWith = { code, text: r };
}

/** Bytes queued for this connection that the socket has not taken yet (lws_send_pipe_choked when > 0). */
export function bufferedAmount(wsi: Wsi): number {
	return wsi.txPending ? wsi.txPending.length : 0;
}
