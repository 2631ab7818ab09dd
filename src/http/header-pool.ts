import type { Wsi } from "../core/wsi.js";

/**
 * One header block ("ah"): the raw request head plus an index of where each
 * part sits, so no header becomes a string until someone asks for it.
 */
export class Ah {
	readonly buf: Uint8Array;
	/** bytes of the head stored so far */
	len = 0;
	/** per header line: name start, name end, value start, value end */
	readonly index: Uint16Array;
	count = 0;
	/** request: the method; status line: unused */
	methodStart = 0;
	methodEnd = 0;
	/** request: the request-target; status line: the reason phrase */
	targetStart = 0;
	targetEnd = 0;
	/** status line: the status code (100-999) */
	status = 0;
	/** 10 * major + minor, e.g. 11 */
	version = 0;
	/** parser position: start of the line being read, and lines read */
	lineStart = 0;
	lines = 0;
	owner: Wsi | null = null;
	/** when the owner took it (ms) */
	since = 0;

	constructor(size: number, maxHeaders: number) {
		this.buf = new Uint8Array(size);
		this.index = new Uint16Array(maxHeaders * 4);
	}

	reset(): void {
		this.len = 0;
		this.count = 0;
		this.methodStart = this.methodEnd = this.targetStart = this.targetEnd = this.status = this.version = this.lineStart = this.lines = 0;
	}

	/** Index of the first header named `lname` (lowercase ASCII) at or after `from`, or -1. */
	find(lname: string, from = 0): number {
		const b = this.buf, ix = this.index, n = lname.length;
		for (let h = from; h < this.count; h++) {
			const s = ix[h * 4];
			if (ix[h * 4 + 1] - s !== n) continue;
			let i = 0;
			for (; i < n; i++) {
				let c = b[s + i];
				if (c >= 65 && c <= 90) c += 32;
				if (c !== lname.charCodeAt(i)) break;
			}
			if (i === n) return h;
		}
		return -1;
	}
}

/**
 * The pool of header blocks (lws `ah` pool): fixed count and size, lent to
 * a connection only while it parses a request head. Connections that find
 * it empty wait in order, with their socket reads paused.
 */
export class HeaderPool {
	private readonly all: Ah[] = [];
	private readonly free: Ah[] = [];
	private readonly waiting: Wsi[] = [];
	/** header blocks held per peer (ipLimitAh) */
	private readonly perPeer = new Map<string, number>();
	readonly size: number;

	constructor(readonly count: number, size: number, maxHeaders: number, private readonly ipLimitAh: number) {
		this.size = size;
		for (let i = 0; i < count; i++) this.all.push(new Ah(size, maxHeaders));
		this.free.push(...this.all);
	}

	get available(): number {
		return this.free.length;
	}

	get waiters(): number {
		return this.waiting.length;
	}

	/** Lend a block now, or queue the wsi and return null. */
	acquire(wsi: Wsi): Ah | null {
		const held = this.perPeer.get(wsi.peer) ?? 0;
		const overPeer = this.ipLimitAh > 0 && held >= this.ipLimitAh;
		if (this.free.length && !overPeer && (!this.waiting.length || this.waiting[0] === wsi)) {
			if (this.waiting[0] === wsi) this.waiting.shift();
			const ah = this.free.pop()!;
			ah.reset();
			ah.owner = wsi;
			ah.since = wsi.context.now();
			this.perPeer.set(wsi.peer, held + 1);
			return ah;
		}
		if (!this.waiting.includes(wsi)) this.waiting.push(wsi);
		return null;
	}

	/** Give a block back; the first waiter that may take one is told through `wake`. */
	release(ah: Ah, wake: (wsi: Wsi) => void): void {
		const wsi = ah.owner;
		if (wsi) {
			const n = (this.perPeer.get(wsi.peer) ?? 1) - 1;
			if (n > 0) this.perPeer.set(wsi.peer, n);
			else this.perPeer.delete(wsi.peer);
		}
		ah.owner = null;
		this.free.push(ah);
		this.wakeNext(wake);
	}

	private wakeNext(wake: (wsi: Wsi) => void): void {
		for (let i = 0; i < this.waiting.length && this.free.length; i++) {
			const w = this.waiting[i];
			if (this.ipLimitAh > 0 && (this.perPeer.get(w.peer) ?? 0) >= this.ipLimitAh) continue;
			// Move it to the front so acquire() lets it through.
			this.waiting.splice(i, 1);
			this.waiting.unshift(w);
			wake(w);
			return;
		}
	}

	/** The connection that has held a block longest (every holder is still reading its head), other than `except`. */
	oldestHolder(except: Wsi | null): Wsi | null {
		let oldest: Ah | null = null;
		for (const ah of this.all) {
			const w = ah.owner;
			if (!w || w === except || w.closing) continue;
			if (!oldest || ah.since < oldest.since) oldest = ah;
		}
		return oldest ? oldest.owner : null;
	}

	/** A waiting wsi went away. */
	forget(wsi: Wsi): void {
		const i = this.waiting.indexOf(wsi);
		if (i >= 0) this.waiting.splice(i, 1);
	}
}
