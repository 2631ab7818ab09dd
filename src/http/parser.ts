import type { Ah } from "./header-pool.js";

/** Result of feeding bytes to the head parser. */
export const enum HeadState {
	/** the head is not complete yet */
	MORE = 0,
	/** the head is complete */
	DONE = 1,
	/** the head is bad: see HeadParser.status */
	ERROR = 2,
}

const LF = 10, CR = 13, SP = 32, HT = 9, COLON = 58;

/** RFC 9110 tchar, for methods and field names. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) { TCHAR[c] = 1; TCHAR[c + 32] = 1; }

/** An RFC 9110 tchar (methods, field names, chunk extensions). */
export function isTchar(c: number): boolean {
	return c < 128 && TCHAR[c] === 1;
}

/** VCHAR, SP, HTAB and obs-text (RFC 9110 5.5): a field value, a reason phrase, a quoted string. The head's own loops write it inline: a call per byte costs on XS. */
export function isFieldText(c: number): boolean {
	return c === HT || (c >= SP && c !== 127);
}

/** Which head a parser reads: a server reads requests, a client responses. */
export const enum HeadKind {
	/** request-line, then fields */
	REQUEST = 0,
	/** status-line, then fields */
	RESPONSE = 1,
}

/**
 * Incremental HTTP/1.1 head parser (RFC 9112), for request heads (a server) or response heads
 * (a client). It copies the head into the connection's header block line by line (any split of
 * the input gives the same result) and indexes it; strings are made only on request.
 */
export class HeadParser {
	/** for ERROR: the HTTP status a server answers a bad request with (400, 414, 431, 505); for a bad response, 502 or the same codes */
	status = 0;
	/** why, for the log and the error page */
	why = "";
	/** bytes the last feed() took; after DONE the rest is body or the next request */
	consumed = 0;

	/** One parser serves every connection: its per-request state lives in the header block. */
	constructor(private readonly maxUri: number, private readonly kind = HeadKind.REQUEST) {}

	/** Feed src[start, end) into the head held by `ah`. */

	feed(ah: Ah, src: Uint8Array, start: number, end: number): HeadState {
		let pos = start;
		while (pos < end) {
			// TypedArray indexOf is native: no byte loop in JS, no view to allocate
			let lf = src.indexOf(LF, pos);
			if (lf >= end) lf = -1;
			const take = lf < 0 ? end - pos : lf - pos + 1;
			if (ah.len + take > ah.buf.length) {
				this.consumed = pos - start;
				const overInLine = ah.lines === 0;
				if (this.kind === HeadKind.RESPONSE)
					return this.fail(overInLine ? 502 : 431, overInLine ? "status line longer than the header block" : `response head larger than maxHttpHeaderData (${ah.buf.length})`);
				return this.fail(overInLine ? 414 : 431, overInLine ? "request line longer than the header block" : `request head larger than maxHttpHeaderData (${ah.buf.length})`);
			}
			ah.buf.set(src.subarray(pos, pos + take), ah.len);
			ah.len += take;
			pos += take;
			if (lf < 0) break;
			// A complete line: [lineStart, ah.len - 2) without its CRLF. A bare LF is refused, as
			// Node's llhttp does (except for an empty line before the start line): RFC 9112 2.2
			// lets a recipient take one, and two parsers that disagree on where a line ends are
			// how requests get smuggled past a proxy.
			let lineEnd = ah.len - 1;
			if (lineEnd > ah.lineStart && ah.buf[lineEnd - 1] === CR) lineEnd--;
			else if (ah.lines > 0 || lineEnd > ah.lineStart) {
				this.consumed = pos - start;
				return this.fail(400, this.kind === HeadKind.RESPONSE ? "bare LF in response head" : "bare LF in request head");
			}
			const r = this.line(ah, ah.lineStart, lineEnd);
			ah.lineStart = ah.len;
			if (r !== HeadState.MORE) {
				this.consumed = pos - start;
				return r;
			}
		}
		this.consumed = pos - start;
		// A request line can't outgrow the URI limit by much before it ends.
		if (this.kind === HeadKind.REQUEST && ah.lines === 0 && ah.len - ah.lineStart > this.maxUri + 32)
			return this.fail(414, `request-target longer than maxUriLength (${this.maxUri})`);
		return HeadState.MORE;
	}

	/** A partial head is in the block (slow sender vs. idle peer). */
	static started(ah: Ah): boolean {
		return ah.len > 0;
	}

	private fail(status: number, why: string): HeadState {
		this.status = status;
		this.why = why;
		return HeadState.ERROR;
	}

	private line(ah: Ah, s: number, e: number): HeadState {
		const b = ah.buf;
		const cr = b.indexOf(CR, s);
		const response = this.kind === HeadKind.RESPONSE;
		if (cr >= 0 && cr < e) return this.fail(400, response ? "bare CR in response head" : "bare CR in request head");
		if (ah.lines === 0) {
			if (s === e) {
				// RFC 9112 2.2: ignore at least one empty line before the request-line.
				if (s > 4 || response) return this.fail(400, response ? "empty line before the status line" : "empty lines before the request line");
				return HeadState.MORE;
			}
			ah.lines = 1;
			return response ? this.statusLine(ah, s, e) : this.requestLine(ah, s, e);
		}
		if (s === e) return HeadState.DONE;
		ah.lines++;
		return this.headerLine(ah, s, e);
	}

	private requestLine(ah: Ah, s: number, e: number): HeadState {
		const b = ah.buf;
		let i = s;
		while (i < e && b[i] < 128 && TCHAR[b[i]]) i++;
		if (i === s || i >= e || b[i] !== SP) return this.fail(400, "malformed request line (method)");
		ah.methodStart = s;
		ah.methodEnd = i;
		const ts = ++i;
		// visible ASCII only (RFC 3986): bytes over 127 are not in any URI
		while (i < e && b[i] > SP && b[i] < 127) i++;
		if (i === ts || i >= e || b[i] !== SP) return this.fail(400, "malformed request line (request-target)");
		ah.targetStart = ts;
		ah.targetEnd = i;
		if (i - ts > this.maxUri) return this.fail(414, `request-target longer than maxUriLength (${this.maxUri})`);
		i++;
		if (e - i !== 8 || this.version(b, i, e) < 0) return this.fail(400, "malformed HTTP-version");
		const major = b[i + 5] - 48, minor = b[i + 7] - 48;
		if (major !== 1) return this.fail(505, `HTTP/${major}.${minor} is not supported`);
		// A later 1.x minor is served as 1.1 (RFC 9110 6.2).
		ah.version = minor >= 1 ? 11 : 10;
		return HeadState.MORE;
	}

	/** HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4); a missing last SP is taken, as clients do. */
	private statusLine(ah: Ah, s: number, e: number): HeadState {
		const b = ah.buf;
		const major = this.version(b, s, e);
		if (major < 0 || s + 8 >= e || b[s + 8] !== SP) return this.fail(502, "malformed status line (HTTP-version)");
		if (major !== 1) return this.fail(505, `HTTP/${major}.${b[s + 7] - 48} is not supported`);
		const c = s + 9;
		if (c + 3 > e || !isDigit(b[c]) || !isDigit(b[c + 1]) || !isDigit(b[c + 2]) || b[c] === 48 || (c + 3 < e && b[c + 3] !== SP))
			return this.fail(502, "malformed status line (status-code)");
		ah.status = (b[c] - 48) * 100 + (b[c + 1] - 48) * 10 + (b[c + 2] - 48);
		ah.targetStart = c + 3 < e ? c + 4 : e;
		ah.targetEnd = e;
		for (let j = ah.targetStart; j < e; j++) {
			const ch = b[j];
			if ((ch < SP && ch !== HT) || ch === 127) return this.fail(502, "control character in the reason phrase");
		}
		ah.version = b[s + 7] >= 49 ? 11 : 10;
		return HeadState.MORE;
	}

	/** "HTTP/" DIGIT "." DIGIT at b[i...]: its major digit, or -1. */
	private version(b: Uint8Array, i: number, e: number): number {
		if (e - i < 8 || b[i] !== 72 || b[i + 1] !== 84 || b[i + 2] !== 84 || b[i + 3] !== 80 || b[i + 4] !== 47 ||
			!isDigit(b[i + 5]) || b[i + 6] !== 46 || !isDigit(b[i + 7]))
			return -1;
		return b[i + 5] - 48;
	}

	private headerLine(ah: Ah, s: number, e: number): HeadState {
		const b = ah.buf;
		if (b[s] === SP || b[s] === HT) return this.fail(400, "obsolete line folding or whitespace before a field name");
		let i = s;
		while (i < e && b[i] < 128 && TCHAR[b[i]]) i++;
		if (i === s || i >= e || b[i] !== COLON) return this.fail(400, i < e && (b[i] === SP || b[i] === HT) ? "whitespace between field name and colon" : "malformed header line");
		const nameEnd = i++;
		while (i < e && (b[i] === SP || b[i] === HT)) i++;
		let ve = e;
		while (ve > i && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
		for (let j = i; j < ve; j++) {
			const c = b[j];
			if ((c < SP && c !== HT) || c === 127) return this.fail(400, "control character in a field value");
		}
		const h = ah.count;
		if (h * 4 >= ah.index.length) return this.fail(431, `more than maxHttpHeaders (${ah.index.length / 4}) header lines`);
		ah.index[h * 4] = s;
		ah.index[h * 4 + 1] = nameEnd;
		ah.index[h * 4 + 2] = i;
		ah.index[h * 4 + 3] = ve;
		ah.count = h + 1;
		return HeadState.MORE;
	}
}

function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}
