/**
 * Request-target handling: split path and query, percent-decode, and
 * normalize dot segments, refusing anything that would climb out of a mount.
 */

export interface SplitTarget {
	path: string;
	query: string;
}

/** Split an origin-form (or absolute-form) request-target. Returns null if it is neither. */
export function splitTarget(target: string): SplitTarget | null {
	let t = target;
	if (t[0] !== "/") {
		// absolute-form: scheme "://" authority path
		const m = /^https?:\/\/[^/?#]*/i.exec(t);
		if (!m) return null;
		t = t.slice(m[0].length) || "/";
		if (t[0] === "?") t = "/" + t;
	}
	const q = t.indexOf("?");
	return q < 0 ? { path: t, query: "" } : { path: t.slice(0, q), query: t.slice(q + 1) };
}

function hex(c: number): number {
	if (c >= 48 && c <= 57) return c - 48;
	c |= 32;
	if (c >= 97 && c <= 102) return c - 87;
	return -1;
}

/**
 * Percent-decode to a string of octets then read it as UTF-8 where valid.
 * Returns null for a malformed escape or an encoded NUL.
 */
export function percentDecode(s: string, plusIsSpace = false): string | null {
	if (s.indexOf("%") < 0 && !(plusIsSpace && s.indexOf("+") >= 0)) return s;
	const bytes: number[] = [];
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c === 37) {
			const h = hex(s.charCodeAt(i + 1)), l = hex(s.charCodeAt(i + 2));
			if (h < 0 || l < 0) return null;
			const v = (h << 4) | l;
			if (v === 0) return null;
			bytes.push(v);
			i += 2;
		}
		else if (plusIsSpace && c === 43) bytes.push(32);
		else if (c < 128) bytes.push(c);
		else return null;	// a request-target is ASCII
	}
	return utf8OrLatin1(bytes);
}

function utf8OrLatin1(bytes: number[]): string {
	let s = "";
	for (let i = 0; i < bytes.length; i++) {
		const c = bytes[i];
		if (c < 0x80) { s += String.fromCharCode(c); continue; }
		const n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
		let cp = n === 3 ? c & 7 : n === 2 ? c & 15 : c & 31;
		let ok = n > 0;
		for (let k = 1; ok && k <= n; k++) {
			const d = bytes[i + k];
			if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
			else cp = (cp << 6) | (d & 63);
		}
		if (ok && cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000)) {
			s += String.fromCodePoint(cp);
			i += n;
		}
		else s += String.fromCharCode(c);
	}
	return s;
}

/**
 * Decode and normalize a URL path. Returns the HTTP status to refuse it
 * with: 400 when malformed, 403 when it tries to climb out of its root
 * ("/../", "%2e%2e", "..%2f", backslashes).
 */
export function normalizePath(raw: string): string | 400 | 403 {
	const decoded = percentDecode(raw);
	if (decoded === null || decoded[0] !== "/") return 400;
	if (decoded.indexOf("\\") >= 0) return 403;
	const out: string[] = [];
	const segs = decoded.split("/");
	for (let i = 1; i < segs.length; i++) {
		const seg = segs[i];
		if (seg === "..") return 403;	// refuse rather than resolve: no legitimate client sends it
		if (seg === "." ) continue;
		if (seg === "" && i < segs.length - 1) continue;	// collapse "//"
		out.push(seg);
	}
	return "/" + out.join("/");
}

/** Value of a query argument (URI args, lws_get_urlarg_by_name), decoded; undefined if absent. */
export function queryArg(query: string, name: string): string | undefined {
	if (!query) return undefined;
	for (const part of query.split("&")) {
		const eq = part.indexOf("=");
		const k = percentDecode(eq < 0 ? part : part.slice(0, eq), true);
		if (k === name) return percentDecode(eq < 0 ? "" : part.slice(eq + 1), true) ?? undefined;
	}
	return undefined;
}

/** application/x-www-form-urlencoded body to pairs. */
export function parseForm(body: string): [string, string][] {
	const out: [string, string][] = [];
	if (!body) return out;
	for (const part of body.split("&")) {
		if (!part) continue;
		const eq = part.indexOf("=");
		const k = percentDecode(eq < 0 ? part : part.slice(0, eq), true);
		const v = percentDecode(eq < 0 ? "" : part.slice(eq + 1), true);
		if (k !== null && v !== null) out.push([k, v]);
	}
	return out;
}
