// xsws/zlib: xsws's own native module (hosts/common/zlib, miniz), on hosts/lin and the ESP32.

declare module "xsws/zlib" {
	/** CRC-32 (IEEE, as zip and gzip) of `data`, continuing `crc` (start with 0). */
	export function crc32(data: ArrayBufferLike | ArrayBufferView, crc?: number): number;
	/** Raw deflate (RFC 1951), pull style: a 2^windowBits dictionary (default 15: 32 KiB) outside the XS heap. */
	export class Inflater {
		constructor(windowBits?: number);
		/** A new stream in the same memory, the window cleared. */
		reset(): void;
		/** Output is waiting that needs no more input. */
		readonly pending: boolean;
		/** Bytes held outside the XS heap. */
		readonly memory: number;
		/** Produces at most output.byteLength bytes; `consumed` tells the input taken. Throws on corrupt data. */
		inflate(input: ArrayBufferLike | ArrayBufferView, output: ArrayBufferLike | ArrayBufferView): number;
		readonly consumed: number;
		readonly done: boolean;
		close(): void;
	}
	/** Raw deflate with a 2^windowBits window (8..15) and a sync flush per call; memory fixed at construction, outside the XS heap. */
	export class Deflater {
		constructor(windowBits: number, level: number);
		/** All of input into output (which must hold bound(input.byteLength)); returns the bytes written, ending in 00 00 FF FF. */
		deflate(input: ArrayBufferLike | ArrayBufferView, output: ArrayBufferLike | ArrayBufferView): number;
		bound(length: number): number;
		setLevel(level: number): void;
		reset(): void;
		readonly memory: number;
		close(): void;
	}
}
