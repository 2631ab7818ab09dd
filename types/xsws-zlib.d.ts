// xsws/zlib: xsws's own native module (hosts/common/zlib, miniz), on hosts/lin and the ESP32.

declare module "xsws/zlib" {
	/** CRC-32 (IEEE, as zip and gzip) of `data`, continuing `crc` (start with 0). */
	export function crc32(data: ArrayBufferLike | ArrayBufferView, crc?: number): number;
	/** Raw deflate (RFC 1951), pull style: 32 KiB dictionary outside the XS heap. */
	export class Inflater {
		constructor();
		/** Produces at most output.byteLength bytes; `consumed` tells the input taken. Throws on corrupt data. */
		inflate(input: ArrayBufferLike | ArrayBufferView, output: ArrayBufferLike | ArrayBufferView): number;
		readonly consumed: number;
		readonly done: boolean;
		close(): void;
	}
}
