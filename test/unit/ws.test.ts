import assert from "node:assert/strict";
import { FakeIo, FakeSocket } from "../support/fake-host.js";
import { handshake, ACCEPT, clientFrame, splitResponse } from "../support/ws-client.js";
import { createContext, Reason, WriteProtocol, ws, setLogLevel } from "../../src/index.js";
import type { Protocol, Context, ContextOptions } from "../../src/index.js";

setLogLevel(0);

interface Got { pieces: { data: Buffer; first: boolean; final: boolean; binary: boolean; remaining: number }[]; closedCalls: number; pongs: number }

function echoProto(got: Got, opts: { pauseAfter?: number; rxBufferSize?: number } = {}): Protocol<{ n: number }> {
	return {
		name: "echo",
		...(opts.rxBufferSize ? { rxBufferSize: opts.rxBufferSize } : {}),
		newSession: () => ({ n: 0 }),
		callback(wsi, reason, pss, data) {
			switch (reason) {
				case Reason.RECEIVE: {
					const d = Buffer.from(data as Uint8Array);
					got.pieces.push({ data: d, first: ws.isFirstFragment(wsi), final: ws.isFinalFragment(wsi), binary: ws.frameIsBinary(wsi), remaining: ws.remainingPacketPayload(wsi) });
					if (d.toString() === "close please") { ws.closeReason(wsi, 4000, "asked"); return -1; }
					if (opts.pauseAfter && got.pieces.length === opts.pauseAfter) wsi.rxFlowControl(false);
					return 0;
				}
				case Reason.RECEIVE_PONG: got.pongs++; return 0;
				case Reason.CLOSED: got.closedCalls++; return 0;
				case Reason.SERVER_WRITEABLE:
					pss!.n++;
					return wsi.write(pss!.n === 1 ? "first" : "second", WriteProtocol.TEXT) < 0 ? -1 : 0;
			}
			return 0;
		},
	};
}

function setup(got: Got, opts: Partial<ContextOptions> = {}, popts = {}): { io: FakeIo; ctx: Context; s: FakeSocket } {
	const io = new FakeIo();
	const ctx = createContext({ vhosts: [{ port: 1, protocols: [echoProto(got, popts)] }], ...opts }, io);
	const s = io.peer();
	io.send(s, handshake("/", "echo"));
	return { io, ctx, s };
}

const fresh = (): Got => ({ pieces: [], closedCalls: 0, pongs: 0 });
const out = (s: FakeSocket) => splitResponse(Buffer.from(s.out));
const closeCode = (s: FakeSocket) => {
	const c = out(s).frames.find((f) => f.opcode === 8);
	return c ? (c.payload.length >= 2 ? c.payload.readUInt16BE(0) : 1005) : 0;
};
const message = (got: Got) => Buffer.concat(got.pieces.map((p) => p.data));

describe("WebSocket role (unit, fake host)", () => {
	it("answers the handshake with the right Sec-WebSocket-Accept and subprotocol", () => {
		const got = fresh();
		const { s } = setup(got);
		const head = out(s).head;
		assert.match(head, /^HTTP\/1.1 101/);
		assert.ok(head.includes(`Sec-WebSocket-Accept: ${ACCEPT}`));
		assert.ok(head.includes("Sec-WebSocket-Protocol: echo"));
	});

	for (const [name, extra, status] of [
		["version 8", "Sec-WebSocket-Version: 8\r\n", 426],
	] as const) {
		it(`refuses ${name} with ${status}`, () => {
			const io = new FakeIo();
			createContext({ vhosts: [{ port: 1, protocols: [echoProto(fresh())] }] }, io);
			const s = io.peer();
			io.send(s, handshake("/", "echo").replace("Sec-WebSocket-Version: 13\r\n", extra));
			assert.match(s.text(), new RegExp(`^HTTP/1.1 ${status}`));
			assert.match(s.text(), /Sec-WebSocket-Version: 13/);
		});
	}

	it("refuses a missing or malformed key with 400, and an unknown subprotocol", () => {
		for (const req of [
			handshake("/", "echo").replace(/Sec-WebSocket-Key: .*\r\n/, ""),
			handshake("/", "echo").replace(/Sec-WebSocket-Key: .*\r\n/, "Sec-WebSocket-Key: short\r\n"),
			handshake("/", "nope"),
		]) {
			const io = new FakeIo();
			createContext({ vhosts: [{ port: 1, protocols: [echoProto(fresh())] }] }, io);
			const s = io.peer();
			io.send(s, req);
			assert.match(s.text(), /^HTTP\/1.1 400/);
		}
	});

	it("gives the same messages for frames split at every byte boundary", () => {
		const stream = Buffer.concat([
			clientFrame(1, "hello"), clientFrame(2, Buffer.alloc(300, 7)), clientFrame(9, "ping!"),
			clientFrame(1, "frag", false), clientFrame(0, "mented", true),
		]);
		const want = fresh();
		const a = setup(want);
		a.io.send(a.s, stream);
		for (let cut = 1; cut < stream.length; cut += 1) {
			const got = fresh();
			const { io, s } = setup(got);
			io.send(s, stream.subarray(0, cut));
			io.send(s, stream.subarray(cut));
			assert.deepEqual(message(got), message(want), `split at ${cut}`);
			assert.equal(out(s).frames.filter((f) => f.opcode === 10).length, 1, "one pong");
		}
	});

	it("delivers fragmented messages with interleaved pings, with fragment flags", () => {
		const got = fresh();
		const { io, s } = setup(got);
		io.send(s, Buffer.concat([clientFrame(1, "ab", false), clientFrame(9, "p1"), clientFrame(0, "cd", false), clientFrame(9, "p2"), clientFrame(0, "ef", true)]));
		assert.equal(message(got).toString(), "abcdef");
		assert.deepEqual(got.pieces.map((p) => [p.first, p.final]), [[true, false], [false, false], [false, true]]);
		const pongs = out(s).frames.filter((f) => f.opcode === 10).map((f) => f.payload.toString());
		assert.deepEqual(pongs, ["p1", "p2"]);
	});

	for (const size of [65535, 65536, 1024 * 1024]) {
		it(`takes a ${size}-byte message in pieces, never whole`, () => {
			const got = fresh();
			const { io, s } = setup(got);
			const payload = Buffer.alloc(size);
			for (let i = 0; i < size; i++) payload[i] = i * 7;
			io.send(s, clientFrame(2, payload));
			assert.ok(message(got).equals(payload));
			assert.ok(got.pieces.length > 1);
			assert.ok(got.pieces.every((p) => p.data.length <= 2048));
			assert.equal(got.pieces[got.pieces.length - 1].final, true);
			assert.equal(got.pieces[0].remaining, size - got.pieces[0].data.length);
			assert.equal(closeCode(s), 0);
		});
	}

	const violations: [string, Buffer, number][] = [
		["reserved bits", clientFrame(1, "x", true, { rsv: 4 }), 1002],
		["reserved opcode", clientFrame(3, "x"), 1002],
		["unmasked frame", clientFrame(1, "x", true, { mask: false }), 1002],
		["fragmented control frame", clientFrame(9, "x", false), 1002],
		["control frame over 125 bytes", clientFrame(9, Buffer.alloc(126)), 1002],
		["continuation with nothing to continue", clientFrame(0, "x"), 1002],
		["new message inside a fragmented one", Buffer.concat([clientFrame(1, "a", false), clientFrame(1, "b")]), 1002],
		["invalid UTF-8", clientFrame(1, Buffer.from([0x61, 0xc3, 0x28])), 1007],
		["UTF-8 broken across fragments", Buffer.concat([clientFrame(1, Buffer.from([0xe2, 0x82]), false), clientFrame(0, Buffer.from([0x41]))]), 1007],
		["text ending inside a sequence", clientFrame(1, Buffer.from([0x61, 0xe2, 0x82])), 1007],
		["overlong encoding", clientFrame(1, Buffer.from([0xc0, 0xaf])), 1007],
		["surrogate", clientFrame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
		["close with 1 byte", clientFrame(8, Buffer.from([3])), 1002],
		["close with code 1005", clientFrame(8, Buffer.from([0x03, 0xed])), 1002],
		["close with code 999", clientFrame(8, Buffer.from([0x03, 0xe7])), 1002],
		["close reason not UTF-8", clientFrame(8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
		["message too big", clientFrame(2, Buffer.alloc(10), true, { len: 2 * 1024 * 1024 }), 1009],
	];
	for (const [name, bytes, code] of violations) {
		it(`closes with ${code} on ${name}, and keeps serving others`, () => {
			const got = fresh();
			const { io, s } = setup(got);
			const other = io.peer();
			io.send(other, handshake("/", "echo"));
			io.send(s, bytes);
			assert.equal(closeCode(s), code);
			io.run(3000);
			assert.equal(s.closed, true);
			io.send(other, clientFrame(1, "still here"));
			assert.equal(got.pieces[got.pieces.length - 1].data.toString(), "still here");
			assert.equal(other.closed, false);
		});
	}

	it("after failing a connection it closes TCP as soon as the peer answers its close (RFC 6455 7.1.1), whatever came between", () => {
		// the failed frame's rest, more frames (a ping, data, an oversized control frame) and the
		// answer, in one read and split at every byte: nothing is delivered, no pong, and the close
		// answer ends the connection at once, not after CLOSE_ACK_MS
		const bad = clientFrame(1, Buffer.from([0x61, 0xff, 0x62, 0x63]));
		const between = Buffer.concat([clientFrame(9, "ping?"), clientFrame(1, "ignored"), clientFrame(10, Buffer.alloc(200)), clientFrame(2, Buffer.alloc(0))]);
		const answer = clientFrame(8, Buffer.from([0x03, 0xef]));
		const wire = Buffer.concat([bad, between, answer]);
		for (let cut = 1; cut < wire.length; cut += 3) {
			const got = fresh();
			const { io, s } = setup(got);
			io.send(s, wire.subarray(0, cut));
			io.send(s, wire.subarray(cut));
			io.run(1);
			const frames = out(s).frames;
			assert.deepEqual(frames.map((f) => f.opcode), [8], `cut ${cut}: only our close goes out`);
			assert.equal(closeCode(s), 1007);
			assert.equal(s.closed, true, `cut ${cut}: closed on the peer's answer`);
			// what came before the bad byte may have been delivered; nothing after it
			assert.ok(["", "a"].includes(message(got).toString()), `cut ${cut}: delivered ${JSON.stringify(message(got).toString())}`);
			assert.equal(got.pongs, 0);
			assert.equal(got.closedCalls, 1);
		}
	});

	it("a failed connection whose peer never answers is closed after CLOSE_ACK_MS; one whose framing is lost drops what follows", () => {
		const got = fresh();
		const { io, s } = setup(got);
		io.send(s, clientFrame(1, Buffer.from([0xff])));
		io.send(s, clientFrame(9, "no pong for this"));
		io.run(1000);
		assert.equal(s.closed, false, "still waiting for the close answer");
		io.run(1100);
		assert.equal(s.closed, true);
		assert.deepEqual(out(s).frames.map((f) => f.opcode), [8]);
		const lost = setup(fresh());
		// a 64-bit length with its top bit set: nothing after it can be delimited
		lost.io.send(lost.s, Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]));
		lost.io.send(lost.s, Buffer.from([0x88, 0x82, 1, 2, 3, 4, 2, 0xea]));
		assert.equal(closeCode(lost.s), 1002);
		lost.io.run(1000);
		assert.equal(lost.s.closed, false, "what follows lost framing is not taken for the peer's close");
		lost.io.run(1100);
		assert.equal(lost.s.closed, true);
	});

	it("empty control frames are answered at once: a ping with no payload, a close with no code", () => {
		const got = fresh();
		const { io, s } = setup(got);
		io.send(s, clientFrame(9, Buffer.alloc(0)));
		assert.deepEqual(out(s).frames.map((f) => [f.opcode, f.payload.length]), [[10, 0]]);
		io.send(s, clientFrame(8, Buffer.alloc(0)));
		assert.deepEqual(out(s).frames.map((f) => [f.opcode, f.payload.length]), [[10, 0], [8, 0]]);
		io.run(1);
		assert.equal(s.closed, true, "closed on the close frame itself, not when more bytes come");
	});

	it("accepts UTF-8 split across fragments at any byte", () => {
		const text = Buffer.from("aé€😀z");
		for (let cut = 1; cut < text.length; cut++) {
			const got = fresh();
			const { io, s } = setup(got);
			io.send(s, Buffer.concat([clientFrame(1, text.subarray(0, cut), false), clientFrame(0, text.subarray(cut))]));
			assert.equal(closeCode(s), 0, `cut ${cut}`);
			assert.equal(message(got).toString(), "aé€😀z");
		}
	});

	it("echoes a peer's close code and closes, raising CLOSED", () => {
		const got = fresh();
		const { io, s } = setup(got);
		io.send(s, clientFrame(8, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])));
		assert.equal(closeCode(s), 1000);
		io.run(10);
		assert.equal(s.closed, true);
		assert.equal(got.closedCalls, 1);
	});

	it("closes with the user's closeReason when a callback returns -1", () => {
		const got = fresh();
		const { io, s } = setup(got);
		io.send(s, clientFrame(1, "close please"));
		const c = out(s).frames.find((f) => f.opcode === 8)!;
		assert.equal(c.payload.readUInt16BE(0), 4000);
		assert.equal(c.payload.subarray(2).toString(), "asked");
		io.send(s, clientFrame(8, Buffer.from([0x0f, 0xa0])));
		io.run(10);
		assert.equal(s.closed, true);
	});

	it("closeReason() refuses what our own parser would refuse from a peer", () => {
		const got = fresh();
		const { ctx } = setup(got);
		const wsi = [...ctx.wsis][0];
		for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, Number.NaN])
			assert.throws(() => ws.closeReason(wsi, code), /may not be sent/, String(code));
		for (const code of [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999]) ws.closeReason(wsi, code);
	});

	it("stops reading while rx flow control is off, and resumes", () => {
		const got = fresh();
		const { io, s, ctx } = setup(got, {}, { pauseAfter: 1 });
		io.send(s, Buffer.concat([clientFrame(1, "one"), clientFrame(1, "two"), clientFrame(1, "three")]));
		assert.equal(got.pieces.length, 1);
		const wsi = [...ctx.wsis][0];
		assert.ok(wsi.rxStash && wsi.rxPaused, "the rest waits, not handed on");
		wsi.rxFlowControl(true);
		io.pump(s);
		assert.deepEqual(got.pieces.map((p) => p.data.toString()), ["one", "two", "three"]);
	});

	it("a pause in RECEIVE holds the rest of the read too, in rxBufferSize pieces, until rx resumes", () => {
		const got = fresh();
		const { io, s, ctx } = setup(got, {}, { pauseAfter: 1, rxBufferSize: 4 });
		const text = "abcdéfghij";	// the é spans a piece boundary: UTF-8 is checked piece by piece, across them
		io.send(s, Buffer.concat([clientFrame(1, text, false), clientFrame(0, "-end"), clientFrame(2, Buffer.from([1, 2, 3]))]));
		assert.deepEqual(got.pieces.map((p) => p.data.toString("latin1")), ["abcd"], "nothing more while paused");
		assert.equal(got.pieces[0].remaining, Buffer.byteLength(text) - 4);
		const wsi = [...ctx.wsis][0];
		wsi.rxFlowControl(true);
		io.pump(s);
		io.run(1);
		const pieces = got.pieces;
		assert.equal(Buffer.concat(pieces.slice(0, -1).map((p) => p.data)).toString(), `${text}-end`, "the message whole and in order");
		assert.ok(pieces.every((p) => p.data.length <= 4));
		assert.deepEqual(pieces.map((p) => p.first), pieces.map((_, i) => i === 0 || i === pieces.length - 1));
		assert.deepEqual(pieces.map((p) => p.final), pieces.map((_, i) => i >= pieces.length - 2));
		assert.deepEqual([...pieces.at(-1)!.data], [1, 2, 3]);
		assert.equal(pieces.at(-1)!.binary, true);
		assert.equal(closeCode(s), 0, "no failure: the UTF-8 across the pause is valid");
	});

	it("a connection paused by its user still reads the peer's answer to its close", () => {
		const io = new FakeIo();
		const paused: Protocol = {
			name: "echo",
			callback(wsi, reason) {
				if (reason === Reason.RECEIVE) {
					wsi.rxFlowControl(false);
					wsi.callOnWritable();
				}
				if (reason === Reason.SERVER_WRITEABLE) {
					ws.closeReason(wsi, 4000, "done");
					return -1;
				}
				return 0;
			},
		};
		createContext({ vhosts: [{ port: 1, protocols: [paused] }] }, io);
		const s = io.peer();
		io.send(s, handshake("/", "echo"));
		io.send(s, clientFrame(1, "pause now"));
		io.run(10);
		assert.equal(closeCode(s), 4000);
		io.send(s, clientFrame(8, Buffer.from([0x0f, 0xa0])));
		io.run(100);
		assert.equal(s.closed, true, "closed on the answer, not after CLOSE_ACK_MS");
	});

	it("closes with 1008 a peer that pings and never reads once more than maxBackpressure would queue", () => {
		const got = fresh();
		const { io, s, ctx } = setup(got, { maxBackpressure: 1024 });
		io.drain(s, 0);	// the peer stopped reading: the socket has no room
		const ping = clientFrame(9, Buffer.alloc(125, 1));
		for (let i = 0; i < 20; i++) io.send(s, ping);
		assert.equal(ctx.stats.backpressureClosed, 1);
		const wsi = [...ctx.wsis][0];
		assert.ok(wsi.txPending && wsi.txPending.length <= 1024 + 200, "the queue stays bounded");
		io.drain(s, 1 << 20);	// the peer reads at last: pongs, then the close
		assert.equal(closeCode(s), 1008);
		assert.match(out(s).frames.find((f) => f.opcode === 8)!.payload.subarray(2).toString(), /maxBackpressure \(1024 bytes\)/);
		io.run(3000);
		assert.equal(s.closed, true);
	});

	it("sends one message per SERVER_WRITEABLE", () => {
		const got = fresh();
		const { io, s, ctx } = setup(got);
		const wsi = [...ctx.wsis][0];
		wsi.callOnWritable();
		io.run();
		wsi.callOnWritable();
		io.run();
		const texts = out(s).frames.filter((f) => f.opcode === 1).map((f) => f.payload.toString());
		assert.deepEqual(texts, ["first", "second"]);
	});
});
