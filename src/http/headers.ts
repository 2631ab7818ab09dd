/** Reading a request or response head held in a header block (role-neutral: server and client alike). */
import type { Ah } from "./header-pool.js";
import { decodeLatin1 } from "../util/utf8.js";

/** Header value of the first `lname` header, or undefined. */
export function header(ah: Ah, lname: string): string | undefined {
	const h = ah.find(lname);
	if (h < 0) return undefined;
	return decodeLatin1(ah.buf, ah.index[h * 4 + 2], ah.index[h * 4 + 3]);
}

export function countHeader(ah: Ah, lname: string): number {
	let n = 0;
	for (let h = ah.find(lname); h >= 0; h = ah.find(lname, h + 1)) n++;
	return n;
}

/** All values of `lname` joined with ", " (RFC 9110 5.3). */
export function headerJoined(ah: Ah, lname: string): string | undefined {
	let out: string | undefined;
	for (let h = ah.find(lname); h >= 0; h = ah.find(lname, h + 1)) {
		const v = decodeLatin1(ah.buf, ah.index[h * 4 + 2], ah.index[h * 4 + 3]);
		out = out === undefined ? v : out + ", " + v;
	}
	return out;
}
