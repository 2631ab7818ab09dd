import assert from "node:assert/strict";
import { FakeIo } from "../support/fake-host.js";
import { handshake } from "../support/ws-client.js";
import { createContext, Reason, WriteProtocol, ws, setLogLevel } from "../../src/index.js";
import type { Protocol } from "../../src/index.js";
import { parseFrames, CodecRx } from "../../src/ws/codec.js";
import type { CodecSink, CodecState } from "../../src/ws/codec.js";
import { frame, Opcode, MaskSource } from "../../src/ws/frame.js";

setLogLevel(0);

/** The server side: echoes each whole message back, text or binary. */
const echo: Protocol<{ parts: Buffer[] }> = {
	name: "echo",
	newSession: () => ({ parts: [] }),
	callback(wsi, reason, pss, data) {
		if (reason !== Reason.RECEIVE) return 0;
		pss!.parts.push(Buffer.from(data as Uint8Array));
		if (ws.isFinalFragment(wsi)) {
			const whole = Buffer.concat(pss!.parts);
			pss!.parts = [];
			wsi.write(new Uint8Array(whole), ws.frameIsBinary(wsi) ? WriteProtocol.BINARY : WriteProtocol.TEXT);
		}
		return 0;
	},
};

/** The client side of the codec: what it decodes from the server. */
interface Client { state: CodecState; messages: { opcode: number; data: Buffer }[]; controls: { opcode: number; data: Buffer }[]; failed: string | null; partial: Buffer[]; opcode: number }

function client(): Client {
	return {
		state: { rx: CodecRx.HEADER, hdr: null, hdrLen: 0, maskKey: 0, frameLeft: 0, frameSeen: 0, opcode: 0, fin: false, msgOpcode: 0, ctl: null, ctlLen: 0, closing: false },
		messages: [], controls: [], failed: null, partial: [], opcode: 0,
	};
}

const clientSink: CodecSink<Client> = {
	stop: () => false,
	dataStart(c, st, first) { if (first) c.opcode = st.msgOpcode; return 0; },
	data(c, st, piece) {
		c.partial.push(Buffer.from(piece));
		if (st.fin && st.frameLeft === 0) {
			c.messages.push({ opcode: c.opcode, data: Buffer.concat(c.partial) });
			c.partial = [];
		}
		return 0;
	},
	control(c, _st, opcode, payload) { c.controls.push({ opcode, data: Buffer.from(payload) }); return 0; },
	fail(c, code, why) { c.failed = `${code} ${why}`; c.state.rx = CodecRx.DONE; return 0; },
};

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

function connect(): { io: FakeIo; send: (b: Uint8Array) => void; received: () => Buffer } {
	const io = new FakeIo();
	createContext({ vhosts: [{ port: 1, protocols: [echo] }] }, io);
	const s = io.peer();
	io.send(s, handshake("/", "echo"));
	const head = Buffer.from(s.out).indexOf("\r\n\r\n") + 4;
	let seen = head;
	return {
		io,
		send: (b) => io.send(s, Buffer.from(b)),
		received: () => { const out = Buffer.from(s.out.slice(seen)); seen = s.out.length; return out; },
	};
}

describe("WebSocket codec (src/ws/codec.ts), both directions: a client against the server role in memory", () => {
	it("masked frames out, unmasked in: a fragmented text message with a ping between its fragments, a binary one", () => {
		const { send, received } = connect();
		const c = client();
		const scratch = new Uint8Array(4);
		send(frame(Opcode.TEXT, false, Buffer.from("hel"), MASK));
		send(frame(Opcode.PING, true, Buffer.from("are you there"), MASK));
		send(frame(Opcode.CONTINUATION, true, Buffer.from("lo, server"), MASK));
		const bin = Buffer.alloc(12000, 0xa5);	// within maxBackpressure, so the echo is sent whole
		send(frame(Opcode.BINARY, true, bin, MASK));
		const back = received();
		// split anywhere: the codec resumes over any split of the input
		for (let i = 0; i < back.length; i += 7) parseFrames(c.state, new Uint8Array(back.subarray(i, i + 7)), false, scratch, clientSink, c);
		assert.equal(c.failed, null);
		assert.deepEqual(c.controls.map((x) => [x.opcode, x.data.toString()]), [[Opcode.PONG, "are you there"]]);
		assert.deepEqual(c.messages.map((m) => m.opcode), [Opcode.TEXT, Opcode.BINARY]);
		assert.equal(c.messages[0].data.toString(), "hello, server");
		assert.ok(c.messages[1].data.equals(bin), "12,000 binary bytes back (a 16-bit length)");
	});

	it("64-bit lengths both ways: the server takes a 70,000-byte masked frame, a client decodes one", () => {
		const big = Buffer.alloc(70000, 0x5a);
		const c = client();
		parseFrames(c.state, frame(Opcode.BINARY, true, big), false, new Uint8Array(4), clientSink, c);
		assert.ok(c.messages[0].data.equals(big));
		const io = new FakeIo();
		let got = 0;
		const counter: Protocol = { name: "count", callback(_w, reason, _p, data) { if (reason === Reason.RECEIVE) got += (data as Uint8Array).length; return 0; } };
		createContext({ vhosts: [{ port: 1, protocols: [counter] }] }, io);
		const s = io.peer();
		io.send(s, handshake("/", "count"));
		io.send(s, Buffer.from(frame(Opcode.BINARY, true, big, MASK)));
		assert.equal(got, 70000);
	});

	it("the server's close answers the client's, code echoed", () => {
		const { send, received } = connect();
		const c = client();
		send(frame(Opcode.CLOSE, true, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]), MASK));
		parseFrames(c.state, new Uint8Array(received()), false, new Uint8Array(4), clientSink, c);
		assert.deepEqual(c.controls.map((x) => [x.opcode, x.data.readUInt16BE(0)]), [[Opcode.CLOSE, 1000]]);
	});

	it("each end refuses the other's mistakes: a masked frame from a server, an unmasked one from a client, RSV bits without an extension", () => {
		const c = client();
		parseFrames(c.state, frame(Opcode.TEXT, true, Buffer.from("x"), MASK), false, new Uint8Array(4), clientSink, c);
		assert.equal(c.failed, "1002 server frame masked");
		const d = client();
		parseFrames(d.state, frame(Opcode.TEXT, true, Buffer.from("x"), undefined, 4), false, new Uint8Array(4), clientSink, d);
		assert.equal(d.failed, "1002 reserved bits set (no negotiated extension takes them here)");
		const e = client();
		const takesRsv1: CodecSink<Client> = { ...clientSink, rsv: (_c, rsv) => rsv === 4 };
		parseFrames(e.state, frame(Opcode.TEXT, true, Buffer.from("x"), undefined, 4), false, new Uint8Array(4), takesRsv1, e);
		assert.equal(e.failed, null, "an extension hook may take RSV1");
		assert.equal(e.messages[0].data.toString(), "x");
		const { send, received } = connect();
		send(frame(Opcode.TEXT, true, Buffer.from("unmasked")));
		const s = client();
		parseFrames(s.state, new Uint8Array(received()), false, new Uint8Array(4), clientSink, s);
		assert.equal(s.controls[0]?.opcode, Opcode.CLOSE);
		assert.equal(s.controls[0].data.readUInt16BE(0), 1002);
		assert.match(s.controls[0].data.subarray(2).toString(), /client frame not masked/);
	});

	it("a client's masks come from the host's random source, a new key per frame, drawn in batches", () => {
		const { io, send, received } = connect();
		let calls = 0;
		const masks = new MaskSource((into) => { calls++; io.random(into); }, 4);
		const keys = new Set<string>();
		for (let i = 0; i < 10; i++) {
			const key = masks.next();
			keys.add(Buffer.from(key).toString("hex"));
			send(frame(Opcode.TEXT, true, Buffer.from(`message ${i}`), key));
		}
		assert.equal(calls, 3, "10 keys from batches of 4");
		assert.ok(keys.size >= 9, `keys repeat: ${[...keys]}`);
		const c = client();
		parseFrames(c.state, new Uint8Array(received()), false, new Uint8Array(4), clientSink, c);
		assert.deepEqual(c.messages.map((m) => m.data.toString()), [...Array(10).keys()].map((i) => `message ${i}`));
	});
});
