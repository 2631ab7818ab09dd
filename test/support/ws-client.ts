/** Client-side WebSocket framing for tests: masked frames out, frames parsed back. */
import { createHash } from "node:crypto";

export function handshake(path = "/", protocol?: string, extra = ""): string {
	return `GET ${path} HTTP/1.1\r\nHost: dev\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
		`Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
		(protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : "") + extra + "\r\n";
}

export const ACCEPT = createHash("sha1").update("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");

/** A masked client frame (key: the masking key as a 32-bit number, first byte first). */
export function clientFrame(opcode: number, payload: Uint8Array | string, fin = true, opts: { rsv?: number; mask?: boolean; len?: number; key?: number } = {}): Buffer {
	const data = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
	const masked = opts.mask !== false;
	const len = opts.len ?? data.length;
	const head: number[] = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode];
	const m = masked ? 0x80 : 0;
	if (len < 126) head.push(m | len);
	else if (len < 65536) head.push(m | 126, len >> 8, len & 255);
	else {
		head.push(m | 127);
		const hi = Math.floor(len / 2 ** 32), lo = len >>> 0;
		head.push(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
	}
	const k = opts.key ?? 0x12345678;
	const key = [k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255];
	if (masked) head.push(...key);
	const body = Buffer.from(data);
	if (masked) for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
	return Buffer.concat([Buffer.from(head), body]);
}

export interface ServerFrame { fin: boolean; opcode: number; rsv: number; payload: Buffer }

/** Parse server frames from bytes after the handshake response. */
export function parseFrames(bytes: Buffer): ServerFrame[] {
	const out: ServerFrame[] = [];
	let i = 0;
	while (i + 2 <= bytes.length) {
		const b0 = bytes[i], b1 = bytes[i + 1];
		let len = b1 & 0x7f;
		let at = i + 2;
		if (len === 126) { len = bytes.readUInt16BE(at); at += 2; }
		else if (len === 127) { len = Number(bytes.readBigUInt64BE(at)); at += 8; }
		if (at + len > bytes.length) break;
		out.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 15, rsv: (b0 >> 4) & 7, payload: bytes.subarray(at, at + len) });
		i = at + len;
	}
	return out;
}

/** Split socket output into the HTTP response head and the frames after it. */
export function splitResponse(raw: Buffer): { head: string; frames: ServerFrame[] } {
	const end = raw.indexOf("\r\n\r\n");
	if (end < 0) return { head: raw.toString("latin1"), frames: [] };
	return { head: raw.subarray(0, end).toString("latin1"), frames: parseFrames(raw.subarray(end + 4)) };
}
