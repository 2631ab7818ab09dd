/** Mounts, role-neutral: which mount a path falls under, and what a mount says about caching and encodings. */
import type { Mount } from "../core/types.js";

/** The mount whose mountpoint is the longest prefix of `path` (on a segment boundary). */
export function matchMount(mounts: readonly Mount[], path: string): Mount | undefined {
	for (const m of mounts) {
		const mp = m.mountpoint;
		if (mp === "/" || path === mp || (path.startsWith(mp) && (mp.endsWith("/") || path[mp.length] === "/"))) return m;
	}
	return undefined;
}

/** Does an Accept-Encoding value allow gzip (RFC 9110 12.5.3: "gzip", "x-gzip" or "*", q > 0)? */
export function acceptsGzip(value: string | undefined): boolean {
	if (!value) return false;
	let star = false, gzip: boolean | undefined;
	for (const part of value.split(",")) {
		const [coding, ...params] = part.trim().toLowerCase().split(";");
		let q = 1;
		for (const p of params) {
			const eq = p.indexOf("=");
			if (eq > 0 && p.slice(0, eq).trim() === "q") q = Number(p.slice(eq + 1).trim()) || 0;
		}
		const c = coding.trim();
		if (c === "gzip" || c === "x-gzip") gzip = q > 0;
		else if (c === "*") star = q > 0;
	}
	return gzip ?? star;
}

/** The Cache-Control value a mount asks for, if any. */
export function cacheControl(m: Mount): string | undefined {
	if (m.cacheReusable === undefined && m.cacheMaxAge === undefined) return undefined;
	if (m.cacheReusable === false) return "no-store";
	let v = `max-age=${m.cacheMaxAge ?? 0}`;
	if (m.cacheRevalidate) v += ", must-revalidate";
	v += m.cacheIntermediaries ? ", public" : ", private";
	return v;
}
