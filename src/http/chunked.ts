/**
 * The chunked transfer coding (RFC 9112 7.1), decoding side, role-neutral: a server reads
 * request bodies with it and a client response bodies. Any split of the input gives the same
 * result; nothing is copied (data pieces are views of the input).
 */
import { PARSER_LIMITS } from "../core/options.js";
import { isFieldText, isTchar } from "./parser.js";

/** What the last feed() stopped at. */
export const enum ChunkedResult {
	/** the input is used up; more is needed */
	MORE = 0,
	/** body bytes: src[dataStart, dataEnd) */
	DATA = 1,
	/** the last chunk and its trailer section are read: the body is complete */
	DONE = 2,
	/** malformed or over a limit: see status and why */
	ERROR = 3,
}

const enum Phase {
	SIZE = 0, EXT = 1, EXT_QUOTED = 2, EXT_ESCAPE = 3, SIZE_LF = 4,
	DATA = 5, DATA_CR = 6, DATA_LF = 7,
	TRAILER = 8, TRAILER_NAME = 9, TRAILER_VALUE = 10, TRAILER_LF = 11, END_LF = 12, DONE = 13,
}

const CR = 13, LF = 10, DQUOTE = 34, BACKSLASH = 92, SEMICOLON = 59, EQUALS = 61, COLON = 58;


export class ChunkedDecoder {
	result = ChunkedResult.MORE;
	dataStart = 0;
	dataEnd = 0;
	/** body bytes decoded so far */
	total = 0;
	/** for ERROR: the HTTP status a server answers with (400, 413, 431), and why */
	status = 0;
	why = "";
	private phase = Phase.SIZE;
	/** size digits, or bytes of the trailer section */
	private count = 0;
	/** bytes of the current chunk still to come */
	private left = 0;

	/** `maxBody`: the largest body taken; a chunk that would pass it is an ERROR (413). */
	constructor(private readonly maxBody: number) {}

	/** Ready for the next body. */
	reset(): void {
		this.phase = Phase.SIZE;
		this.result = ChunkedResult.MORE;
		this.count = this.left = this.total = 0;
	}

	/**
	 * Decode from src[pos, end) until data, the end of the body, an error, or the end of the input;
	 * returns the position reached. The grammar is RFC 9112 7.1's, as strictly as Node's llhttp
	 * takes it: CRLF line ends, no space after the size, extensions of tokens and quoted strings
	 * (ignored), trailer fields well formed (skipped).
	 */
	feed(src: Uint8Array, pos: number, end: number): number {
		while (pos < end) {
			const c = src[pos];
			switch (this.phase) {
				case Phase.SIZE: {
					const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
					if (d >= 0) {
						if (++this.count > PARSER_LIMITS.CHUNK_SIZE_DIGITS.value) return this.fail(pos, 413, "chunk size too large");
						this.left = this.left * 16 + d;
						pos++;
						break;
					}
					if (!this.count) return this.fail(pos, 400, "malformed chunk size");
					if (c === SEMICOLON) this.phase = Phase.EXT;
					else if (c === CR) this.phase = Phase.SIZE_LF;
					else return this.fail(pos, 400, "malformed chunk line");
					pos++;
					break;
				}
				case Phase.EXT:
					// chunk-ext: ";" name ["=" (token / quoted-string)], ignored
					if (c === CR) this.phase = Phase.SIZE_LF;
					else if (c === DQUOTE) this.phase = Phase.EXT_QUOTED;
					else if (!isTchar(c) && c !== EQUALS && c !== SEMICOLON) return this.fail(pos, 400, "malformed chunk line");
					pos++;
					break;
				case Phase.EXT_QUOTED:
					if (c === DQUOTE) this.phase = Phase.EXT;
					else if (c === BACKSLASH) this.phase = Phase.EXT_ESCAPE;
					else if (!isFieldText(c)) return this.fail(pos, 400, "malformed chunk line");
					pos++;
					break;
				case Phase.EXT_ESCAPE:
					if (!isFieldText(c)) return this.fail(pos, 400, "malformed chunk line");
					this.phase = Phase.EXT_QUOTED;
					pos++;
					break;
				case Phase.SIZE_LF:
					if (c !== LF) return this.fail(pos, 400, "malformed chunk line");
					pos++;
					this.count = 0;
					if (this.total + this.left > this.maxBody) return this.fail(pos, 413, `body larger than maxHttpBodySize (${this.maxBody})`);
					this.phase = this.left ? Phase.DATA : Phase.TRAILER;
					break;
				case Phase.DATA: {
					const n = this.left < end - pos ? this.left : end - pos;
					this.left -= n;
					this.total += n;
					if (!this.left) this.phase = Phase.DATA_CR;
					this.dataStart = pos;
					this.dataEnd = pos + n;
					this.result = ChunkedResult.DATA;
					return pos + n;
				}
				case Phase.DATA_CR:
				case Phase.DATA_LF:
					if (c !== (this.phase === Phase.DATA_CR ? CR : LF)) return this.fail(pos, 400, "chunk data not followed by CRLF");
					this.phase = this.phase === Phase.DATA_CR ? Phase.DATA_LF : Phase.SIZE;
					pos++;
					break;
				case Phase.TRAILER:
					// a trailer field line, or the empty line that ends the body
					if (c === CR) this.phase = Phase.END_LF;
					else if (isTchar(c)) this.phase = Phase.TRAILER_NAME;
					else return this.fail(pos, 400, "malformed trailer field");
					pos++;
					break;
				case Phase.TRAILER_NAME:
					if (c === COLON) this.phase = Phase.TRAILER_VALUE;
					else if (!isTchar(c)) return this.fail(pos, 400, "malformed trailer field");
					pos++;
					break;
				case Phase.TRAILER_VALUE:
					if (c === CR) this.phase = Phase.TRAILER_LF;
					else if (!isFieldText(c)) return this.fail(pos, 400, "malformed trailer field");
					pos++;
					break;
				case Phase.TRAILER_LF:
				case Phase.END_LF:
					if (c !== LF) return this.fail(pos, 400, "malformed trailer field");
					pos++;
					if (this.phase === Phase.END_LF) {
						this.phase = Phase.DONE;
						this.result = ChunkedResult.DONE;
						return pos;
					}
					this.phase = Phase.TRAILER;
					break;
				case Phase.DONE:
					// bytes after the body are the next message's: not ours
					this.result = ChunkedResult.DONE;
					return pos;
			}
			// trailer fields are skipped, but not without end
			if (this.phase >= Phase.TRAILER && this.phase <= Phase.TRAILER_LF && ++this.count > PARSER_LIMITS.TRAILER_BYTES.value)
				return this.fail(pos, 431, "trailer section too large");
		}
		this.result = ChunkedResult.MORE;
		return pos;
	}

	private fail(pos: number, status: number, why: string): number {
		this.status = status;
		this.why = why;
		this.result = ChunkedResult.ERROR;
		return pos;
	}
}
