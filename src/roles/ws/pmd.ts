/**
 * permessage-deflate (RFC 7692) on the WebSocket server role: the handshake's answer, inflating
 * received messages as they stream and deflating sent ones, with every window in pools a vhost
 * bounds (PMD_OPTIONS). Memory:
 * - a connection with the extension holds a PmdConn (XS slots) and, between messages, no window
 *   unless context takeover was agreed;
 * - an inflater (tables and its window, outside the XS heap) is taken when a compressed message
 *   starts and given back when it ends; a connection that finds none waits, not read;
 * - a deflater serves one write and is given back at once (a fragmented message keeps one until
 *   its last fragment); a message that finds none goes uncompressed.
 * Inflated bytes go to RECEIVE in pieces from one buffer per vhost, so the size of what a
 * message inflates to costs time (bounded by maxWsMessageSize: 1009 past it), never memory.
 */
import type { Wsi } from "../../core/wsi.js";
import type { Protocol } from "../../core/types.js";
import { PMD_LIMITS, PMD_OPTIONS } from "../../core/options.js";
import { lwsl } from "../../core/log.js";
import { acceptPmd, parseExtensions } from "../../ws/pmd.js";
import { pmdCompressors } from "../../ws/compressors.js";
import { MAX_HEADER_LENGTH as HEAD, headerLength, writeHeader } from "../../ws/frame.js";
import { P, PmdConn } from "./pmd-conn.js";
import { pmdPool } from "./pmd-pool.js";

export { PmdConn } from "./pmd-conn.js";
export { pmdStatus } from "./pmd-pool.js";
export { inflatePiece, mustResume, resumeRx, rxCompressed, rxText, startRx, takeRsv } from "./pmd-rx.js";
export type { PmdDeliver } from "./pmd-rx.js";

const PMD_MIN_RX_BUFFER = PMD_LIMITS.MIN_RX_BUFFER.value;

/**
 * The handshake: the first permessage-deflate offer we can take, and the answer's header line
 * (or null: none offered, none acceptable, or no native compressors on this host).
 */
export function negotiatePmd(wsi: Wsi, header: string | undefined, protocol: Protocol): { conn: PmdConn; line: string } | null {
	if (!header) return null;
	const pool = pmdPool(wsi.vhost);
	if (!pool) return null;
	// lws's rule, which its clients rely on: a protocol that reads in pieces under 128 bytes gets no
	// permessage-deflate (an lws client whose protocol is so gets none either, yet goes on)
	if (protocol.rxBufferSize && protocol.rxBufferSize < PMD_MIN_RX_BUFFER) {
		lwsl.info(`wsi ${wsi.id}: permessage-deflate declined: ${protocol.name}'s rxBufferSize ${protocol.rxBufferSize} is under ${PMD_MIN_RX_BUFFER}`);
		return null;
	}
	if (!pmdCompressors()) {
		lwsl.notice(`vhost ${wsi.vhost.name}: permessage-deflate declined: this host has no native deflater (xsws/zlib)`);
		return null;
	}
	const offers = parseExtensions(header);
	if (typeof offers === "string") {
		lwsl.info(`wsi ${wsi.id}: Sec-WebSocket-Extensions not understood (${offers}): no extension`);
		return null;
	}
	const cfg = pool.cfg;
	// context takeover needs a window per connection for its whole life: only while the pool can
	// give one now and still keep one for the connections that take one per message
	const ownInflater = !cfg.clientNoContextTakeover && pool.inflaters.owned + 1 < cfg.maxInflaters && pool.inflaters.out < cfg.maxInflaters;
	const ownDeflater = !cfg.serverNoContextTakeover && pool.deflaters.owned + 1 < cfg.maxDeflaters && pool.deflaters.out < cfg.maxDeflaters;
	const r = acceptPmd(offers, {
		serverMaxWindowBits: cfg.serverMaxWindowBits,
		clientMaxWindowBits: cfg.clientMaxWindowBits,
		serverNoContextTakeover: !ownDeflater,
		clientNoContextTakeover: !ownInflater,
	});
	for (const why of r.declined) lwsl.info(`wsi ${wsi.id}: a permessage-deflate offer declined: ${why}`);
	if (!("agreed" in r)) return null;
	const conn = new PmdConn(pool, r.agreed);
	try {
		if (!r.agreed.clientNoContextTakeover) {
			conn.inflater = pool.takeInflater(conn.clientWindowBits);
			if (!conn.inflater) return null;
			conn.bits |= P.OWN_INFLATER;
			pool.inflaters.owned++;
		}
		if (!r.agreed.serverNoContextTakeover) {
			conn.deflater = pool.takeDeflater(conn.serverWindowBits, conn.level);
			if (!conn.deflater) {
				release(conn);
				return null;
			}
			conn.bits |= P.OWN_DEFLATER;
			pool.deflaters.owned++;
		}
	}
	catch (e) {
		lwsl.warn(`wsi ${wsi.id}: permessage-deflate declined: ${(e as Error).message}`);
		release(conn);
		return null;
	}
	return { conn, line: r.response };
}

/** The connection ends: its windows go back to the pool. */
export function release(conn: PmdConn, wsi?: Wsi): void {
	const pool = conn.pool;
	if (wsi && conn.bits & P.WAITING) pool.unwait(wsi);
	if (conn.bits & P.OWN_INFLATER) pool.inflaters.owned--;
	if (conn.bits & P.OWN_DEFLATER) pool.deflaters.owned--;
	if (conn.inflater) pool.giveInflater(conn.inflater, conn.clientWindowBits);
	if (conn.deflater) pool.giveDeflater(conn.deflater, conn.serverWindowBits);
	conn.inflater = null;
	conn.deflater = null;
	conn.bits &= ~P.STATE;
	// what this connection leaves is free for others (a woken waiter that closed took nothing)
	pool.wake();
}

/**
 * A data frame to send (opcode 1 or 2 starts a message, 0 continues it): compressed, framed and
 * returned, or null when it goes uncompressed (a short message, or no deflater free at its first
 * frame). RSV1 is set on the first frame only (RFC 7692 6.1).
 */
export function deflateFrame(conn: PmdConn, data: Uint8Array, opcode: number, fin: boolean): Uint8Array | null {
	const first = opcode !== 0;
	if (first) {
		conn.bits &= ~P.TX_COMPRESSED;
		if (fin && data.length < conn.threshold) {
			conn.pool.uncompressedOut++;
			return null;
		}
		if (!conn.deflater) {
			try {
				conn.deflater = conn.pool.takeDeflater(conn.serverWindowBits, conn.level);
			}
			catch (e) {
				lwsl.warn(`permessage-deflate: a message goes uncompressed: ${(e as Error).message}`);
			}
		}
		if (!conn.deflater) {
			conn.pool.uncompressedOut++;
			return null;
		}
		conn.bits |= P.TX_COMPRESSED;
	}
	else if (!(conn.bits & P.TX_COMPRESSED)) return null;
	const d = conn.deflater!;
	const bound = d.bound(data.length);
	const pool = conn.pool;
	// compressed after room for the longest header, which is written once the length is known
	const out = bound <= conn.txBufSize ? pool.tx : new Uint8Array(bound + HEAD);
	let n = d.deflate(data, out.subarray(HEAD, HEAD + bound));
	// RFC 7692 7.2.1: the message's last frame leaves off the sync flush's 00 00 FF FF
	if (fin) n -= 4;
	const start = HEAD - headerLength(n);
	writeHeader(out, start, opcode, fin, n, undefined, first ? 4 : 0);
	pool.compressedOut++;
	if (fin) {
		conn.bits &= ~P.TX_COMPRESSED;
		if (!(conn.bits & P.OWN_DEFLATER)) {
			pool.giveDeflater(d, conn.serverWindowBits);
			conn.deflater = null;
		}
	}
	return out.subarray(start, HEAD + n);
}

/**
 * lws_set_extension_option() for permessage-deflate: the value clamped to the option's bounds in
 * PMD_OPTIONS, and the buffer sizes to the vhost's (its shared buffers are that big); false for an
 * unknown name.
 */
export function setOption(conn: PmdConn, name: string, value: number): boolean {
	const c = conn.pool.cfg;
	const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.floor(v)));
	switch (name) {
		case "rx_buf_size": conn.options().rxBufSize = clamp(value, PMD_OPTIONS.rxBufSize.min, c.rxBufSize); return true;
		case "tx_buf_size": conn.options().txBufSize = clamp(value, PMD_OPTIONS.txBufSize.min, c.txBufSize); return true;
		case "compression_level":
			conn.options().level = clamp(value, PMD_OPTIONS.compressionLevel.min, PMD_OPTIONS.compressionLevel.max);
			conn.deflater?.setLevel(conn.level);
			return true;
		case "threshold": conn.options().threshold = clamp(value, PMD_OPTIONS.threshold.min, PMD_OPTIONS.threshold.max); return true;
	}
	return false;
}
