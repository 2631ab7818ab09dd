/**
 * The chunked transfer coding (RFC 9112 7.1), decoding side, role-neutral: a server reads
 * request bodies with it and a client response bodies. Any split of the input gives the same
 * result; nothing is copied (data pieces are views of the input).
 */
import { PARSER_LIMITS } from "../core/options.js";

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

const enum Phase { SIZE = 0, EXT = 1, DATA = 2, DATA_CRLF = 3, TRAILER = 4, DONE = 5 }

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
	/** size digits, or bytes of the current trailer line */
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

	/** Decode from src[pos, end) until data, the end of the body, an error, or the end of the input; returns the position reached. */
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
					this.phase = Phase.EXT;
					break;
				}
				case Phase.EXT:
					// chunk extensions are ignored up to the LF
					pos++;
					if (c === 10) {
						this.count = 0;
						if (this.total + this.left > this.maxBody) return this.fail(pos, 413, `body larger than maxHttpBodySize (${this.maxBody})`);
						this.phase = this.left ? Phase.DATA : Phase.TRAILER;
					}
					else if (c < 32 && c !== 9 && c !== 13) return this.fail(pos, 400, "malformed chunk line");
					break;
				case Phase.DATA: {
					const n = this.left < end - pos ? this.left : end - pos;
					this.left -= n;
					this.total += n;
					if (!this.left) this.phase = Phase.DATA_CRLF;
					this.dataStart = pos;
					this.dataEnd = pos + n;
					this.result = ChunkedResult.DATA;
					return pos + n;
				}
				case Phase.DATA_CRLF:
					pos++;
					if (c === 10) this.phase = Phase.SIZE;
					else if (c !== 13) return this.fail(pos, 400, "chunk data not followed by CRLF");
					break;
				case Phase.TRAILER:
					// trailer fields are skipped; an empty line ends the body
					pos++;
					if (c === 10) {
						if (this.count === 0) {
							this.phase = Phase.DONE;
							this.result = ChunkedResult.DONE;
							return pos;
						}
						this.count = 0;
					}
					else if (c !== 13) {
						if (++this.count > PARSER_LIMITS.TRAILER_BYTES.value) return this.fail(pos, 431, "trailer section too large");
					}
					break;
				case Phase.DONE:
					// bytes after the body are the next message's: not ours
					this.result = ChunkedResult.DONE;
					return pos;
			}
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
