/**
 * permessage-deflate negotiation (RFC 7692 5 and 7.1), for both ends: parsing
 * `Sec-WebSocket-Extensions`, the server choosing an offer and writing its answer, and a client
 * checking the answer it got. It knows nothing of wsi or sockets.
 */
import { isTchar } from "../http/parser.js";

/** What one side of a negotiation wants (a vhost's `permessageDeflate` settings). */
export interface PmdWish {
	/** The window our deflater may use (8..15): we send at most this (server_max_window_bits). */
	serverMaxWindowBits: number;
	/** The window we ask the peer's compressor to keep to (9..15), where the offer lets us (client_max_window_bits). */
	clientMaxWindowBits: number;
	/** We reset our compressor after every message (server_no_context_takeover). */
	serverNoContextTakeover: boolean;
	/** We ask the peer to reset its compressor after every message (client_no_context_takeover). */
	clientNoContextTakeover: boolean;
}

/** What was agreed: the windows and context rules of both directions. */
export interface PmdAgreed {
	/** The window of what the server sends (the server's deflater, the client's inflater). */
	serverWindowBits: number;
	/** The window of what the client sends (the client's deflater; the server's inflater keeps at least 9 bits). */
	clientWindowBits: number;
	serverNoContextTakeover: boolean;
	clientNoContextTakeover: boolean;
}

/** One extension of the header: its name and parameters (name, value or true) in order. */
export interface ExtensionOffer {
	name: string;
	params: [string, string | true][];
}

/*
 * No RegExp here: a module-level one is preloaded into flash on the board, where exec() writing
 * its state faults (Moddable's mcsim segfaulted on it), and a new one per call allocates.
 */
function isToken(s: string): boolean {
	if (!s.length) return false;
	for (let i = 0; i < s.length; i++) if (!isTchar(s.charCodeAt(i))) return false;
	return true;
}

/** The extensions of one or more `Sec-WebSocket-Extensions` values (RFC 6455 9.1), or a string saying why they do not parse. */
export function parseExtensions(header: string): ExtensionOffer[] | string {
	const out: ExtensionOffer[] = [];
	let i = 0;
	const n = header.length;
	const skipWs = (): void => { while (i < n && (header[i] === " " || header[i] === "\t")) i++; };
	const token = (): string => {
		const start = i;
		while (i < n && isTchar(header.charCodeAt(i))) i++;
		return header.slice(start, i);
	};
	for (;;) {
		skipWs();
		if (i >= n) break;
		if (header[i] === ",") { i++; continue; }	// empty list elements are allowed (RFC 9110 5.6.1)
		const name = token();
		if (!name) return `extension name expected at ${i}`;
		const ext: ExtensionOffer = { name: name.toLowerCase(), params: [] };
		skipWs();
		while (i < n && header[i] === ";") {
			i++;
			skipWs();
			const key = token();
			if (!key) return `parameter name expected at ${i}`;
			skipWs();
			let value: string | true = true;
			if (header[i] === "=") {
				i++;
				skipWs();
				if (header[i] === "\"") {
					// a quoted value must still be a token (RFC 6455 9.1)
					const end = header.indexOf("\"", i + 1);
					if (end < 0) return "unterminated quoted parameter value";
					value = header.slice(i + 1, end);
					i = end + 1;
					if (!isToken(value)) return `parameter ${key}: quoted value is not a token`;
				}
				else {
					value = token();
					if (!value) return `parameter ${key}: value expected`;
				}
				skipWs();
			}
			ext.params.push([key.toLowerCase(), value]);
		}
		out.push(ext);
		skipWs();
		if (i < n && header[i] !== ",") return `"," expected at ${i}`;
	}
	return out;
}

function windowBits(v: string | true, min: number): number {
	// RFC 7692 7.1.2: a decimal integer with no leading zeroes
	if (v === true || v.length > 2 || v[0] === "0") return -1;
	for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 48 || v.charCodeAt(i) > 57) return -1;
	const b = Number(v);
	return b >= min && b <= 15 ? b : -1;
}

/** The offer's parameters, checked (RFC 7692 7: a parameter it does not define, an invalid value or a repeated name declines it). */
interface Offer {
	serverNoContextTakeover: boolean;
	clientNoContextTakeover: boolean;
	/** 0 when absent */
	serverMaxWindowBits: number;
	/** 0 when absent, true when offered without a value */
	clientMaxWindowBits: number | true;
}

function readOffer(ext: ExtensionOffer): Offer | string {
	const o: Offer = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 0, clientMaxWindowBits: 0 };
	const seen = new Set<string>();
	for (const [key, value] of ext.params) {
		if (seen.has(key)) return `${key} given twice`;
		seen.add(key);
		switch (key) {
			case "server_no_context_takeover":
			case "client_no_context_takeover":
				if (value !== true) return `${key} takes no value`;
				if (key === "server_no_context_takeover") o.serverNoContextTakeover = true;
				else o.clientNoContextTakeover = true;
				break;
			case "server_max_window_bits": {
				const b = windowBits(value, 8);
				if (b < 0) return `server_max_window_bits must be 8 to 15, got ${String(value)}`;
				o.serverMaxWindowBits = b;
				break;
			}
			case "client_max_window_bits": {
				if (value === true) { o.clientMaxWindowBits = true; break; }
				const b = windowBits(value, 8);
				if (b < 0) return `client_max_window_bits must be 8 to 15, got ${value}`;
				o.clientMaxWindowBits = b;
				break;
			}
			default:
				return `unknown parameter ${key}`;
		}
	}
	return o;
}

/** The server's choice: the first permessage-deflate offer it can take, what was agreed and the answer's text. */
export interface PmdAccept {
	agreed: PmdAgreed;
	/** The `Sec-WebSocket-Extensions` value to answer with. */
	response: string;
	/** Offers declined before it, and why (for the log). */
	declined: string[];
}

/**
 * The server side of RFC 7692 5.1: take the first permessage-deflate offer that is well formed
 * (7: otherwise it is declined, and the next is tried), answering within what the offer allows:
 * - our window is `serverMaxWindowBits`, or less when the offer asks (server_max_window_bits);
 * - the peer's window is what we ask (`clientMaxWindowBits`) only when it offered
 *   client_max_window_bits (with a value, at most that); else it keeps 15 bits;
 * - no context takeover on our side when we or the offer want it, on the peer's side when we
 *   want it (7.1.1.1-2: a server may answer with either unasked).
 * When nothing was accepted, only `declined` is returned (why each offer was declined).
 */
export function acceptPmd(extensions: ExtensionOffer[], wish: PmdWish): PmdAccept | { declined: string[] } {
	const declined: string[] = [];
	for (const ext of extensions) {
		if (ext.name !== "permessage-deflate") continue;
		const o = readOffer(ext);
		if (typeof o === "string") {
			declined.push(o);
			continue;
		}
		const serverWindowBits = o.serverMaxWindowBits ? Math.min(o.serverMaxWindowBits, wish.serverMaxWindowBits) : wish.serverMaxWindowBits;
		let clientWindowBits = 15;
		const parts = ["permessage-deflate"];
		const serverNoContextTakeover = wish.serverNoContextTakeover || o.serverNoContextTakeover;
		const clientNoContextTakeover = wish.clientNoContextTakeover || o.clientNoContextTakeover;
		if (serverNoContextTakeover) parts.push("server_no_context_takeover");
		if (clientNoContextTakeover) parts.push("client_no_context_takeover");
		// server_max_window_bits is answered only when offered: a smaller window than the peer
		// expects is always decodable, so ours needs no saying
		if (o.serverMaxWindowBits) parts.push(`server_max_window_bits=${serverWindowBits}`);
		if (o.clientMaxWindowBits) {
			const limit = o.clientMaxWindowBits === true ? 15 : o.clientMaxWindowBits;
			const asked = Math.min(limit, wish.clientMaxWindowBits);
			if (asked < 15 || o.clientMaxWindowBits !== true) parts.push(`client_max_window_bits=${asked}`);
			// zlib takes a raw 8-bit window as 9, so a peer told 8 may still reach 512 back: our
			// inflater's window is never under 9 bits
			clientWindowBits = Math.max(9, asked);
		}
		return {
			agreed: { serverWindowBits, clientWindowBits, serverNoContextTakeover, clientNoContextTakeover },
			response: parts.join("; "),
			declined,
		};
	}
	return { declined };
}

/** The client's offer for `wish` (RFC 7692 5.1): what a client of ours sends. */
export function offerPmd(wish: PmdWish): string {
	const parts = ["permessage-deflate"];
	if (wish.serverNoContextTakeover) parts.push("server_no_context_takeover");
	if (wish.clientNoContextTakeover) parts.push("client_no_context_takeover");
	if (wish.serverMaxWindowBits < 15) parts.push(`server_max_window_bits=${wish.serverMaxWindowBits}`);
	parts.push(wish.clientMaxWindowBits < 15 ? `client_max_window_bits=${wish.clientMaxWindowBits}` : "client_max_window_bits");
	return parts.join("; ");
}

/**
 * The client side (RFC 7692 5.1, 7.1): the server's answer to `offerPmd(wish)`, checked. A
 * client must fail the connection on an answer it did not allow: more than one, an unknown or
 * repeated parameter, a server window larger than offered, a client window it did not offer.
 */
export function checkPmdResponse(extensions: ExtensionOffer[], wish: PmdWish): PmdAgreed | string {
	const pmd = extensions.filter((e) => e.name === "permessage-deflate");
	if (extensions.length !== pmd.length) return `extension not offered: ${extensions.find((e) => e.name !== "permessage-deflate")!.name}`;
	if (pmd.length !== 1) return "permessage-deflate accepted more than once";
	const o = readOffer(pmd[0]);
	if (typeof o === "string") return o;
	if (o.clientMaxWindowBits === true) return "client_max_window_bits in an answer needs a value";
	if (o.serverMaxWindowBits > wish.serverMaxWindowBits && wish.serverMaxWindowBits < 15) return `server_max_window_bits=${o.serverMaxWindowBits} over the ${wish.serverMaxWindowBits} offered`;
	if (o.clientMaxWindowBits && o.clientMaxWindowBits > wish.clientMaxWindowBits) return `client_max_window_bits=${o.clientMaxWindowBits} over the ${wish.clientMaxWindowBits} offered`;
	return {
		serverWindowBits: o.serverMaxWindowBits || 15,
		clientWindowBits: o.clientMaxWindowBits || 15,
		serverNoContextTakeover: o.serverNoContextTakeover,
		clientNoContextTakeover: o.clientNoContextTakeover || wish.clientNoContextTakeover,
	};
}
