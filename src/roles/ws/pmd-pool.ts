/**
 * A vhost's permessage-deflate windows: native inflaters and deflaters, each kind bounded
 * (maxInflaters, maxDeflaters), kept when given back, and the connections waiting for an
 * inflater; what /status.json shows of them.
 */
import type { Wsi } from "../../core/wsi.js";
import { WsiFlag } from "../../core/wsi.js";
import type { Vhost } from "../../core/vhost.js";
import type { ResolvedPmd } from "../../core/options.js";
import { pmdCompressors } from "../../ws/compressors.js";
import { MAX_HEADER_LENGTH } from "../../ws/frame.js";
import type { PmdDeflater, PmdInflater } from "../../ws/compressors.js";
import { P } from "./pmd-conn.js";
import type { PmdConn } from "./pmd-conn.js";

/** What a pool keeps: a native inflater or deflater. */
interface Window {
	readonly memory: number;
	reset(): void;
	close(): void;
}

/**
 * Windows of one kind, each of a size (bits): at most `max` exist, out or free. One of the size
 * asked for is taken from the free ones, else made, a free one of another size closing first to
 * make room; given back, it is reset and kept for the next.
 */
class Windows<T extends Window> {
	out = 0;
	/** of those out, kept by a connection for its life (context takeover) */
	owned = 0;
	/** native bytes of those out */
	outBytes = 0;
	private readonly free: T[] = [];
	private readonly freeBits: number[] = [];

	constructor(private readonly max: number) {}

	/** One of `bits`, or null when `max` are out; `make` throws when the host has no memory. */
	take(bits: number, make: () => T): T | null {
		const i = this.freeBits.indexOf(bits);
		let w: T;
		if (i >= 0) {
			w = this.free.splice(i, 1)[0];
			this.freeBits.splice(i, 1);
		}
		else {
			if (this.out + this.free.length >= this.max) {
				if (!this.free.length) return null;
				this.free.pop()!.close();
				this.freeBits.pop();
			}
			w = make();
		}
		this.out++;
		this.outBytes += w.memory;
		return w;
	}

	give(w: T, bits: number): void {
		this.out--;
		this.outBytes -= w.memory;
		w.reset();
		this.free.push(w);
		this.freeBits.push(bits);
	}

	/** native bytes of all, out and free */
	get bytes(): number {
		let n = this.outBytes;
		for (const w of this.free) n += w.memory;
		return n;
	}
}

/** A vhost's windows: what is out, what is free, who waits. One per vhost with the extension. */
export class PmdPool {
	readonly inflaters: Windows<PmdInflater>;
	readonly deflaters: Windows<PmdDeflater>;
	private readonly waiters: Wsi[] = [];
	private outBuf: Uint8Array | null = null;
	private txBuf: Uint8Array | null = null;
	/** counters for /status.json */
	compressedIn = 0;
	compressedOut = 0;
	uncompressedOut = 0;

	constructor(readonly cfg: ResolvedPmd) {
		this.inflaters = new Windows(cfg.maxInflaters);
		this.deflaters = new Windows(cfg.maxDeflaters);
	}

	/** inflated pieces are handed to RECEIVE from here (made when first needed) */
	get out(): Uint8Array {
		return (this.outBuf ??= new Uint8Array(this.cfg.rxBufSize));
	}

	/** compressed frames whose worst case fits are built here (made when first needed) */
	get tx(): Uint8Array {
		return (this.txBuf ??= new Uint8Array(this.cfg.txBufSize + MAX_HEADER_LENGTH));
	}

	/** Native bytes held by the pool's inflaters and deflaters, out and free. */
	get nativeBytes(): number {
		return this.inflaters.bytes + this.deflaters.bytes;
	}

	/** An inflater of `bits`, or null when all are out; throws when the host has no memory for one. */
	takeInflater(bits: number): PmdInflater | null {
		const c = pmdCompressors();
		return c ? this.inflaters.take(bits, () => c.inflater(bits)) : null;
	}

	giveInflater(inf: PmdInflater, bits: number): void {
		this.inflaters.give(inf, bits);
		this.wake();
	}

	/** A deflater of `bits` at `level`, or null when all are out; throws when the host has no memory for one. */
	takeDeflater(bits: number, level: number): PmdDeflater | null {
		const c = pmdCompressors();
		const d = c ? this.deflaters.take(bits, () => c.deflater(bits, level)) : null;
		d?.setLevel(level);
		return d;
	}

	giveDeflater(d: PmdDeflater, bits: number): void {
		this.deflaters.give(d, bits);
	}

	/** A connection waits (not read) for an inflater. */
	wait(wsi: Wsi): void {
		this.waiters.push(wsi);
		wsi.setRxPause(WsiFlag.RX_ROLE, true);
	}

	unwait(wsi: Wsi): void {
		const i = this.waiters.indexOf(wsi);
		if (i >= 0) this.waiters.splice(i, 1);
	}

	/**
	 * An inflater is free: every waiting connection reads again, and the first to start its
	 * message takes it (the others wait again). Waking only one could strand the rest, when that
	 * one closes or stays paused by its user without taking the inflater.
	 */
	wake(): void {
		if (!this.waiters.length) return;
		for (const w of this.waiters.splice(0)) {
			(w.rs as { pmd: PmdConn | null }).pmd!.bits &= ~P.WAITING;
			w.setRxPause(WsiFlag.RX_ROLE, false);
		}
	}
}

/** The pool of the vhost, made on first use. */
export function pmdPool(vhost: Vhost): PmdPool | null {
	const cfg = vhost.pmd;
	if (!cfg) return null;
	let pools = vhost.context.roleData.get("pmd") as Map<Vhost, PmdPool> | undefined;
	if (!pools) vhost.context.roleData.set("pmd", (pools = new Map()));
	let p = pools.get(vhost);
	if (!p) pools.set(vhost, (p = new PmdPool(cfg)));
	return p;
}

/** What /status.json shows of permessage-deflate, per vhost that has it (null when none does). */
export function pmdStatus(context: { vhosts: readonly Vhost[]; roleData: Map<string, object> }): object | null {
	let vhosts: Record<string, object> | null = null;
	const pools = context.roleData.get("pmd") as Map<Vhost, PmdPool> | undefined;
	for (const vh of context.vhosts) {
		if (!vh.pmd) continue;
		// a pool not made yet (no connection negotiated) is not made to be reported
		const p = pools?.get(vh);
		(vhosts ??= {})[vh.name] = {
			inflatersOut: p ? p.inflaters.out : 0, maxInflaters: vh.pmd.maxInflaters,
			deflatersOut: p ? p.deflaters.out : 0, maxDeflaters: vh.pmd.maxDeflaters,
			nativeBytes: p ? p.nativeBytes : 0,
			compressedBytesIn: p ? p.compressedIn : 0, framesCompressedOut: p ? p.compressedOut : 0, messagesUncompressedOut: p ? p.uncompressedOut : 0,
		};
	}
	return vhosts && { permessageDeflate: vhosts };
}
