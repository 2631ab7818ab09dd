/**
 * An in-memory HostIo for unit tests under Node: sockets are byte queues the
 * test feeds and reads, timers run when the test advances the clock.
 */
import type { HostIo, TcpCallbacks, TcpListener, TcpSocket } from "../../src/core/io.js";

export class FakeSocket implements TcpSocket {
	target: unknown;
	inbox: Uint8Array[] = [];
	out: number[] = [];
	closed = false;
	paused = false;
	remoteAddress: string;
	constructor(public cb: TcpCallbacks, peer: string) {
		this.remoteAddress = peer;
	}
	read(into: Uint8Array): number {
		let n = 0;
		while (n < into.length && this.inbox.length) {
			const head = this.inbox[0];
			const take = Math.min(head.length, into.length - n);
			into.set(head.subarray(0, take), n);
			n += take;
			if (take === head.length) this.inbox.shift();
			else this.inbox[0] = head.subarray(take);
		}
		return n;
	}
	write(data: Uint8Array): void {
		if (this.closed) throw new Error("closed");
		for (const b of data) this.out.push(b);
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
	pendingPeers: string[] = [];
	sockets: FakeSocket[] = [];
	listenerPaused = false;
	onPending: ((l: TcpListener, n: number) => void) | null = null;
	listener: TcpListener = { port: 7681, close() {} };
	/** write budget reported to each new socket */
	budget = 65536;

	listen(_port: number, _address: string | undefined, onPending: (l: TcpListener, n: number) => void): TcpListener {
		this.onPending = onPending;
		return this.listener;
	}
	accept(_l: TcpListener, cb: TcpCallbacks, target: unknown): TcpSocket | undefined {
		const peer = this.pendingPeers.shift();
		if (peer === undefined) return undefined;
		const s = new FakeSocket(cb, peer);
		s.target = target;
		this.sockets.push(s);
		return s;
	}
	pauseListener(_l: TcpListener, paused: boolean): void {
		this.listenerPaused = paused;
	}
	pauseRead(socket: TcpSocket, paused: boolean): void {
		(socket as FakeSocket).paused = paused;
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

	/** A peer connects; returns its socket after the context accepted it and it became writable. */
	connect(peer = "127.0.0.1"): FakeSocket {
		this.pendingPeers.push(peer);
		this.onPending!(this.listener, 1);
		const s = this.sockets[this.sockets.length - 1];
		s.cb.onWritable.call(s, this.budget);
		this.run();
		return s;
	}
	/** Bytes arrive from the peer. */
	send(s: FakeSocket, data: string | Uint8Array): void {
		s.inbox.push(typeof data === "string" ? Buffer.from(data, "latin1") : data);
		this.pump(s);
	}
	/** Deliver readable data while the socket is not paused. */
	pump(s: FakeSocket): void {
		let guard = 0;
		while (!s.closed && !s.paused && s.pending() > 0 && guard++ < 1000) {
			s.cb.onReadable.call(s, s.pending());
			this.run();
		}
		this.run();
	}
	/** The socket's send buffer drained: report room again. */
	drain(s: FakeSocket, n = this.budget): void {
		s.cb.onWritable.call(s, n);
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
