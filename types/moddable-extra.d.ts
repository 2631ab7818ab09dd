// Moddable modules @moddable/typings does not declare, and what xsws relies on.

declare module "logical" {
	export default class Logical {
		/** dst[i] ^= src[i % src.length], in place, natively. */
		static xor(dst: ArrayBufferLike | ArrayBufferView, src: ArrayBufferLike | ArrayBufferView | number | string): void;
		static and(dst: ArrayBufferLike | ArrayBufferView, src: ArrayBufferLike | ArrayBufferView | number | string): void;
		static or(dst: ArrayBufferLike | ArrayBufferView, src: ArrayBufferLike | ArrayBufferView | number | string): void;
	}
}

declare module "inflate" {
	export default class Inflate {
		constructor(options?: { windowBits?: number; chunkSize?: number });
		push(buffer: ArrayBufferLike | ArrayBufferView, end?: boolean): void;
		close(): void;
		onData: (chunk: ArrayBuffer) => void;
		onEnd: (err: number) => void;
		result?: ArrayBuffer;
		err?: number;
	}
}

declare module "rng" {
	/** Random bytes (Moddable modules/crypt/etc/rng: an RC4 stream seeded from the hardware RNG on the ESP32). */
	const RNG: {
		get(n: number): ArrayBuffer;
		init(seed?: ArrayBufferLike): void;
	};
	export default RNG;
}
