/**
 * lws-mirror-protocol, wire compatible with the libwebsockets test server:
 * every message a client sends goes to all clients of the same mirror
 * instance (?mirror=name, at most 10), the sender included.
 *
 * Memory is bounded: messages wait in a ring of RING_ENTRIES pieces and
 * RING_BYTES bytes. When it is full, senders are flow-controlled (their
 * sockets stop being read, so TCP pushes back) until the slowest client
 * catches up; a client that holds the ring full for STALL_MS without taking
 * anything is closed. A message is passed on in the pieces it was read in,
 * and pieces of two senders never interleave.
 */
import { Reason, WriteProtocol, http, ws } from "../src/index.js";
import type { Context, Protocol, Wsi } from "../src/index.js";

export const RING_ENTRIES = 128;
export const RING_BYTES = 8192;
export const STALL_MS = 5000;
const MAX_INSTANCES = 10;

interface Entry { data: Uint8Array; first: boolean; final: boolean; binary: boolean }

interface Pss {
	inst: Instance | null;
	/** sequence number of the next entry to send */
	tail: number;
	/** skip pieces until a message starts (joined mid-message) */
	skipping: boolean;
	lastProgress: number;
	/** a piece that could not go in the ring yet (this sender is paused) */
	held: Entry | null;
}

class Instance {
	readonly ring: (Entry | undefined)[] = new Array<Entry | undefined>(RING_ENTRIES);
	/** sequence number of the next entry written */
	head = 0;
	/** oldest entry still in the ring */
	oldest = 0;
	bytes = 0;
	readonly clients = new Set<Wsi>();
	/** the sender whose message is in progress (its pieces must not interleave with others') */
	sender: Wsi | null = null;
	readonly waiting: Wsi[] = [];
	timer: unknown = null;
	constructor(readonly name: string, readonly context: Context, readonly registry: Map<string, Instance>) {}
}

function pssOf(wsi: Wsi): Pss {
	return wsi.user as Pss;
}

function tryAppend(inst: Instance, wsi: Wsi, e: Entry): boolean {
	if (inst.sender && inst.sender !== wsi) return false;
	if (e.first && inst.sender === null && inst.waiting.length && inst.waiting[0] !== wsi) return false;	// keep arrival order
	if (inst.head - inst.oldest >= RING_ENTRIES || inst.bytes + e.data.length > RING_BYTES) return false;
	inst.ring[inst.head % RING_ENTRIES] = e;
	inst.head++;
	inst.bytes += e.data.length;
	inst.sender = e.final ? null : wsi;
	for (const c of inst.clients) c.callOnWritable();
	return true;
}

/** Free entries every client has sent; then let waiting senders in. */
function advance(inst: Instance): void {
	let oldest = inst.head;
	for (const c of inst.clients) oldest = Math.min(oldest, pssOf(c).tail);
	for (; inst.oldest < oldest; inst.oldest++) {
		const i = inst.oldest % RING_ENTRIES;
		inst.bytes -= inst.ring[i]!.data.length;
		inst.ring[i] = undefined;
	}
	while (inst.waiting.length) {
		const w = inst.waiting[0];
		const p = pssOf(w);
		if (!p.held || !tryAppend(inst, w, p.held)) break;
		p.held = null;
		inst.waiting.shift();
		w.rxFlowControl(true);
	}
	if (!inst.waiting.length && inst.timer !== null) {
		inst.context.io.clearTimer(inst.timer);
		inst.timer = null;
	}
}

/** While senders wait, close a client that has taken nothing for STALL_MS and holds the ring. */
function checkStalled(inst: Instance): void {
	const now = inst.context.now();
	for (const c of [...inst.clients]) {
		const p = pssOf(c);
		if (p.tail === inst.oldest && inst.head > p.tail && now - p.lastProgress >= STALL_MS) c.close();
	}
}

function leave(wsi: Wsi): void {
	const p = pssOf(wsi);
	const inst = p.inst;
	if (!inst) return;
	p.inst = null;
	inst.clients.delete(wsi);
	const wi = inst.waiting.indexOf(wsi);
	if (wi >= 0) inst.waiting.splice(wi, 1);
	if (inst.sender === wsi) {
		// its message will never end: tell receivers by ending it with an empty final piece
		inst.sender = null;
		const e: Entry = { data: new Uint8Array(0), first: false, final: true, binary: false };
		if (inst.head - inst.oldest < RING_ENTRIES) {
			inst.ring[inst.head % RING_ENTRIES] = e;
			inst.head++;
			for (const c of inst.clients) c.callOnWritable();
		}
	}
	advance(inst);
	if (!inst.clients.size) {
		if (inst.timer !== null) inst.context.io.clearTimer(inst.timer);
		inst.registry.delete(inst.name);
	}
}

export const lwsMirror: Protocol<Pss> = {
	name: "lws-mirror-protocol",
	newSession: () => ({ inst: null, tail: 0, skipping: false, lastProgress: 0, held: null }),
	callback(wsi, reason, pss, data) {
		const p = pss!;
		switch (reason) {
			case Reason.ESTABLISHED: {
				const name = (http.uriArg(wsi, "mirror") ?? "").slice(0, 32);
				// per vhost, not module state: preloaded modules are read-only on the board
				const instances = wsi.vhost.protocolPriv(lwsMirror, () => new Map<string, Instance>());
				let inst = instances.get(name);
				if (!inst) {
					if (instances.size >= MAX_INSTANCES) {
						ws.closeReason(wsi, 1008, "too many mirror instances");
						return -1;
					}
					inst = new Instance(name, wsi.context, instances);
					instances.set(name, inst);
				}
				inst.clients.add(wsi);
				p.inst = inst;
				p.tail = inst.head;
				p.skipping = inst.sender !== null;
				p.lastProgress = wsi.context.now();
				return 0;
			}
			case Reason.CLOSED:
				leave(wsi);
				return 0;
			case Reason.RECEIVE: {
				const inst = p.inst;
				if (!inst) return 0;
				const piece = data as Uint8Array;
				const e: Entry = { data: piece.slice(), first: ws.isFirstFragment(wsi), final: ws.isFinalFragment(wsi), binary: ws.frameIsBinary(wsi) };
				if (!tryAppend(inst, wsi, e)) {
					p.held = e;
					inst.waiting.push(wsi);
					wsi.rxFlowControl(false);
					if (inst.timer === null) inst.timer = inst.context.io.setTimer(() => checkStalled(inst), 1000, true);
				}
				return 0;
			}
			case Reason.SERVER_WRITEABLE: {
				const inst = p.inst;
				if (!inst) return 0;
				while (p.tail < inst.head) {
					const e = inst.ring[p.tail % RING_ENTRIES]!;
					p.tail++;
					p.lastProgress = wsi.context.now();
					if (p.skipping) {
						if (!e.first) continue;
						p.skipping = false;
					}
					const base = e.binary ? WriteProtocol.BINARY : WriteProtocol.TEXT;
					const mode = (e.first ? base : WriteProtocol.CONTINUATION) | (e.final ? 0 : WriteProtocol.NO_FIN);
					if (wsi.write(e.data, mode) < 0) return -1;
					break;
				}
				if (p.tail < inst.head) wsi.callOnWritable();
				advance(inst);
				return 0;
			}
		}
		return 0;
	},
};

export default [lwsMirror];
