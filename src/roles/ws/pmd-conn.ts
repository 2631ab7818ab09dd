/** What one connection with permessage-deflate keeps (PmdConn), and its flags. */
import type { PmdAgreed } from "../../ws/pmd.js";
import type { PmdDeflater, PmdInflater } from "../../ws/compressors.js";
import type { PmdPool } from "./pmd-pool.js";

/** Bits of PmdConn.bits. */
export const enum P {
	/** the message being received has RSV1: it is inflated */
	RX_COMPRESSED = 1,
	/** RSV1 was seen on the frame header just parsed (the codec's rsv hook comes before dataStart) */
	RSV1_SEEN = 2,
	/** paused with output waiting in the inflater and no input left to hand back: handleRx drains it first */
	RESUME = 4,
	/** ... and that was in the message's last piece */
	RESUME_LAST = 8,
	/** the message being sent is compressed */
	TX_COMPRESSED = 16,
	/** this connection holds a reservation for an inflater / a deflater of its own (context takeover) */
	OWN_INFLATER = 32,
	OWN_DEFLATER = 64,
	/** it waits in the pool's queue for an inflater */
	WAITING = 128,
	/** the message being received is text (the codec forgets its opcode when the last frame ends, and a pause may leave output after that) */
	RX_TEXT = 256,
	/** some of the message's payload went into the inflater (an empty message needs none) */
	RX_FED = 512,
	/** the connection failed or closed during the message: the rest of it is not inflated */
	RX_DROPPED = 1024,
	/** the flags that describe a message in progress or a reservation, not the agreement */
	STATE = 2047,
	/** what was agreed, packed: no context takeover on each side, the two windows */
	SERVER_NCT = 2048,
	CLIENT_NCT = 4096,
	SERVER_BITS_SHIFT = 13,
	CLIENT_BITS_SHIFT = 17,
	/** bytes of TAIL the inflater has taken for the message being received (0..4) */
	TAIL_SHIFT = 21,
	TAIL_MASK = 7 << 21,
}

/** lws_set_extension_option() values of one connection, made only when one is set. */
export interface PmdConnOptions {
	rxBufSize: number;
	txBufSize: number;
	level: number;
	threshold: number;
}

/**
 * What one connection with the extension keeps: every field is a slot on XS, so the agreement,
 * the flags and the tail count share `bits`, and settings changed by setExtensionOption() live
 * in an object made only then.
 */
export class PmdConn {
	bits: number;
	inflater: PmdInflater | null = null;
	deflater: PmdDeflater | null = null;
	/** bytes the message being received has inflated to so far */
	inflated = 0;
	opts: PmdConnOptions | null = null;

	constructor(readonly pool: PmdPool, agreed: PmdAgreed) {
		this.bits = (agreed.serverNoContextTakeover ? P.SERVER_NCT : 0) | (agreed.clientNoContextTakeover ? P.CLIENT_NCT : 0) |
			(agreed.serverWindowBits << P.SERVER_BITS_SHIFT) | (agreed.clientWindowBits << P.CLIENT_BITS_SHIFT);
	}

	/** the window of what we send */
	get serverWindowBits(): number { return (this.bits >> P.SERVER_BITS_SHIFT) & 15; }
	/** the window of what the peer sends (our inflater's) */
	get clientWindowBits(): number { return (this.bits >> P.CLIENT_BITS_SHIFT) & 15; }
	get serverNoContextTakeover(): boolean { return (this.bits & P.SERVER_NCT) !== 0; }
	get clientNoContextTakeover(): boolean { return (this.bits & P.CLIENT_NCT) !== 0; }
	get tail(): number { return (this.bits & P.TAIL_MASK) >> P.TAIL_SHIFT; }
	set tail(v: number) { this.bits = (this.bits & ~P.TAIL_MASK) | (v << P.TAIL_SHIFT); }
	get rxBufSize(): number { return this.opts ? this.opts.rxBufSize : this.pool.cfg.rxBufSize; }
	get txBufSize(): number { return this.opts ? this.opts.txBufSize : this.pool.cfg.txBufSize; }
	get level(): number { return this.opts ? this.opts.level : this.pool.cfg.compressionLevel; }
	get threshold(): number { return this.opts ? this.opts.threshold : this.pool.cfg.threshold; }

	/** the settings of this connection, to change */
	options(): PmdConnOptions {
		const c = this.pool.cfg;
		return (this.opts ??= { rxBufSize: c.rxBufSize, txBufSize: c.txBufSize, level: c.compressionLevel, threshold: c.threshold });
	}
}
