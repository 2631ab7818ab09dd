/**
 * The host's native compressors for permessage-deflate (xsws/zlib: hosts/common/zlib, on the
 * board and the simulator alike), registered by the host (src/host/moddable.ts). Without them no
 * vhost negotiates the extension: there is no JavaScript deflater to fall back on, and a
 * window-sized JavaScript inflater per connection would cost the XS heap what the native one
 * keeps outside it.
 */

/** A raw-deflate inflater with a 2^windowBits window, pull style (xsws/zlib `Inflater`). */
export interface PmdInflater {
	/** At most output.length bytes produced; `consumed` tells the input taken. Throws on corrupt data. */
	inflate(input: Uint8Array, output: Uint8Array): number;
	readonly consumed: number;
	/** Output is waiting that needs no more input. */
	readonly pending: boolean;
	/** The stream's final block ended (a peer may end a message with BFINAL set). */
	readonly done: boolean;
	/** A new stream: the window cleared. */
	reset(): void;
	/** Bytes it holds outside the XS heap. */
	readonly memory: number;
	close(): void;
}

/** A raw-deflate deflater with a 2^windowBits window (xsws/zlib `Deflater`). */
export interface PmdDeflater {
	/** All of input into output (which holds bound(input.length)), ending in a sync flush: the bytes written. */
	deflate(input: Uint8Array, output: Uint8Array): number;
	/** The output deflate() needs for `length` input bytes. */
	bound(length: number): number;
	/** The search effort from now on, 0..9. */
	setLevel(level: number): void;
	/** A new stream: the history forgotten. */
	reset(): void;
	/** Bytes it holds outside the XS heap. */
	readonly memory: number;
	close(): void;
}

/** What a host provides. */
export interface PmdCompressors {
	inflater(windowBits: number): PmdInflater;
	deflater(windowBits: number, level: number): PmdDeflater;
}

// Starts undefined: on the board a preloaded module's `let` holding an object at link time
// becomes constant, and the hook could never be set.
let compressors: PmdCompressors | undefined;

/** A host registers its native compressors here. */
export function setPmdCompressors(c: PmdCompressors): void {
	compressors = c;
}

/** The host's compressors, or undefined when it has none (permessage-deflate is then declined). */
export function pmdCompressors(): PmdCompressors | undefined {
	return compressors;
}
