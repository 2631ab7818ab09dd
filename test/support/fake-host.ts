/**
 * An in-memory HostIo for unit tests under Node: sockets are byte queues the
 * test feeds and reads, timers run when the test advances the clock.
 */
import { randomFillSync } from "node:crypto";
import type { HostIo, TcpCallbacks, TcpListener, TcpSocket, UdpCallbacks, UdpSocket } from "../../src/core/io.js";

/**
 * A socket with the board's semantics (Moddable's lwIP tcp.c): no pause(); read() takes exactly
 * what is asked and throws when asked for more than is buffered; write() is all or nothing within
 * the space last reported and returns the space left.
 */
export class FakeSocket implements TcpSocket {
	target: unknown;
	inbox: Uint8Array[] = [];
	out: number[] = [];
	closed = false;
	/** send space: set by onWritable reports, used up by writes */
	space = 0;
	/** the connection failed: write() does nothing */
	gone = false;
	remoteAddress: string;
	constructor(public cb: TcpCallbacks, peer: string) {
		this.remoteAddress = peer;
	}
	read(into: Uint8Array): number | undefined {
		const have = this.pending();
		if (!have) return undefined;
		if (into.length > have) throw new Error("invalid");
		let n = 0;
		while (n < into.length) {
			const head = this.inbox[0];
			const take = Math.min(head.length, into.length - n);
			into.set(head.subarray(0, take), n);
			n += take;
			if (take === head.length) this.inbox.shift();
			else this.inbox[0] = head.subarray(take);
		}
		return n;
	}
	write(data: Uint8Array): number | undefined {
		if (this.closed) throw new Error("closed");
		if (this.gone) return undefined;
		if (data.length > this.space) throw new Error("would block");
		this.space -= data.length;
		for (const b of data) this.out.push(b);
		return this.space;
	}
	close(): void {
		this.closed = true;
	}
	pending(): number {
		return this.inbox.reduce((a, b) => a + b.length, 0);
	}
	text(): string {
		return Buffer.from(this.out).toString("latin1");
	}
}

interface FakeTimer { fn: () => void; at: number; every: number; live: boolean }

export class FakeIo implements HostIo {
	maxSockets = 8;
	time = 1000;
	timers: FakeTimer[] = [];
	/** peers the listener holds (not accepted yet) */
	pendingPeers: string[] = [];
	sockets: FakeSocket[] = [];
	onPending: ((l: TcpListener, n: number) => void) | null = null;
	listener: TcpListener = { port: 7681, close() {} };
	/** write budget reported to each new socket */
	budget = 65536;
	/** every listen() call: port and address */
	listens: { port: number; address: string | undefined }[] = [];
	/** sockets opened with connect(), with where to */
	outgoing: { socket: FakeSocket; address: string; port: number }[] = [];
	/** names resolve() knows (the rest do not resolve) */
	hosts = new Map<string, string>([["localhost", "127.0.0.1"]]);

	listen(port: number, address: string | undefined, onPending: (l: TcpListener, n: number) => void): TcpListener {
		this.onPending = onPending;
		this.listens.push({ port, address });
		return this.listens.length === 1 ? this.listener : { port, close() {} };
	}
	/** The board's new TCP({address, port}): a literal address only; the test completes it with drain() or fails it with hangUp(). */
	connect(address: string, port: number, cb: TcpCallbacks, target: unknown): TcpSocket {
		if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error("invalid address");
		const s = new FakeSocket(cb, address);
		s.target = target;
		this.outgoing.push({ socket: s, address, port });
		return s;
	}
	udp(port: number, cb: UdpCallbacks, target: unknown): UdpSocket {
		const sent: { data: Uint8Array; address: string; port: number }[] = [];
		return Object.assign({ port, cb, target, sent }, {
			read: () => undefined,
			write(data: Uint8Array, address: string, to: number) { sent.push({ data: data.slice(), address, port: to }); },
			close() {},
		});
	}
	/** Net.resolve(): answered from a zero timer, never on the caller's stack. */
	resolve(host: string, onResolved: (host: string, address: string | undefined) => void): void {
		const literal = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : undefined;
		this.setTimer(() => onResolved(host, literal ?? this.hosts.get(host)), 0, false);
	}
	random(into: Uint8Array): void {
		randomFillSync(into);
	}
	accept(_l: TcpListener, cb: TcpCallbacks, target: unknown): TcpSocket | undefined {
		const peer = this.pendingPeers.shift();
		if (peer === undefined) return undefined;
		const s = new FakeSocket(cb, peer);
		s.target = target;
		this.sockets.push(s);
		return s;
	}
	setTimer(fn: () => void, ms: number, repeat: boolean): unknown {
		const t: FakeTimer = { fn, at: this.time + ms, every: repeat ? ms : 0, live: true };
		this.timers.push(t);
		return t;
	}
	clearTimer(handle: unknown): void {
		(handle as FakeTimer).live = false;
	}
	now(): number {
		return this.time;
	}

	/** A peer arrives at the listener, which announces everything it holds (as the board's does). */
	arrive(peer = "127.0.0.1"): void {
		this.pendingPeers.push(peer);
		this.onPending!(this.listener, this.pendingPeers.length);
		this.run();
	}
	/** A peer connects to the listener; returns its socket after the context accepted it and it became writable. */
	peer(peer = "127.0.0.1"): FakeSocket {
		const before = this.sockets.length;
		this.arrive(peer);
		if (this.sockets.length === before) throw new Error("the context did not accept the peer");
		const s = this.sockets[this.sockets.length - 1];
		this.drain(s, this.budget);
		return s;
	}
	/** Bytes arrive from the peer: onReadable with everything buffered. */
	send(s: FakeSocket, data: string | Uint8Array): void {
		s.inbox.push(typeof data === "string" ? Buffer.from(data, "latin1") : data);
		if (!s.closed) s.cb.onReadable.call(s, s.pending());
		this.run();
	}
	/** The peer closed or reset: onError once the buffered bytes are read (the board's order). */
	hangUp(s: FakeSocket): void {
		s.gone = true;
		if (!s.closed && !s.pending()) s.cb.onError.call(s);
		this.run();
	}
	/** Let the loop run (e.g. after rx flow control was turned back on). */
	pump(_s?: FakeSocket): void {
		this.run();
	}
	/** The socket's send buffer drained: report room again. */
	drain(s: FakeSocket, n = this.budget): void {
		s.space = n;
		if (!s.closed) s.cb.onWritable.call(s, n);
		this.run();
	}
	/** Run due timers (zero-delay ones at once), optionally advancing the clock. */
	run(advance = 0): void {
		const until = this.time + advance;
		for (let guard = 0; guard < 10000; guard++) {
			const due = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
			if (!due) break;
			if (due.at > this.time) this.time = due.at;
			if (due.every) due.at += due.every;
			else due.live = false;
			due.fn();
		}
		this.time = until;
		this.timers = this.timers.filter((t) => t.live);
	}
}
