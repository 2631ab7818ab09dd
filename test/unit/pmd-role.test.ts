import assert from "node:assert/strict";
import zlib from "node:zlib";
import { FakeIo } from "../support/fake-host.js";
import { handshake, clientFrame, splitResponse } from "../support/ws-client.js";
import { createContext, Reason, WriteProtocol, ws, setLogLevel } from "../../src/index.js";
import type { Protocol, PmdOptions } from "../../src/index.js";
import { setPmdCompressors } from "../../src/ws/compressors.js";
import type { PmdInflater, PmdDeflater } from "../../src/ws/compressors.js";
import { TsInflater } from "../../src/fs/inflate.js";

setLogLevel(0);

/*
 * Compressors for the fake host: the TypeScript inflater (pull style; `pending` when the last call
 * filled its output) and Node's zlib (each call a whole raw stream with a sync flush, as no
 * context takeover needs). The role's logic is what is tested; xsws/zlib runs in the integration tests.
 */
class TestInflater implements PmdInflater {
	private z = new TsInflater();
	private full = false;
	get consumed(): number { return this.z.consumed; }
	get done(): boolean { return this.z.done; }
	get pending(): boolean { return this.full; }
	readonly memory = 1000;
	inflate(input: Uint8Array, output: Uint8Array): number {
		const n = this.z.inflate(input, output);
		this.full = n === output.length;
		return n;
	}
	reset(): void { this.z = new TsInflater(); this.full = false; }
	close(): void {}
}

class TestDeflater implements PmdDeflater {
	readonly memory = 2000;
	constructor(private bits: number, private level: number) {}
	deflate(input: Uint8Array, output: Uint8Array): number {
		const d = zlib.deflateRawSync(input, { windowBits: Math.max(this.bits, 9), level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
		output.set(d);
		return d.length;
	}
	bound(n: number): number { return n + 64 + (n >> 3); }
	setLevel(level: number): void { this.level = level; }
	reset(): void {}
	close(): void {}
}

const deflated = (s: string | Buffer): Buffer => {
	const d = zlib.deflateRawSync(s, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
	return d.subarray(0, d.length - 4);
};
const inflated = (b: Buffer): Buffer => zlib.inflateRawSync(Buffer.concat([b, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });

interface Got { pieces: Buffer[]; finals: boolean[]; options: number[]; binary?: boolean[] }

function proto(got: Got, onEstablished?: (wsi: Parameters<Protocol["callback"]>[0]) => void, pauseAt = 0): Protocol {
	return {
		name: "echo",
		callback(wsi, reason, _pss, data) {
			if (reason === Reason.ESTABLISHED) onEstablished?.(wsi);
			if (reason === Reason.RECEIVE) {
				got.pieces.push(Buffer.from(data as Uint8Array));
				got.finals.push(ws.isFinalFragment(wsi));
				got.binary?.push(ws.frameIsBinary(wsi));
				if (pauseAt && got.pieces.length === pauseAt) wsi.rxFlowControl(false);
			}
			if (reason === Reason.SERVER_WRITEABLE) return wsi.write("hello hello hello hello", WriteProtocol.TEXT) < 0 ? -1 : 0;
			return 0;
		},
	};
}

function setup(got: Got, pmd: boolean | PmdOptions = true, onEstablished?: (wsi: Parameters<Protocol["callback"]>[0]) => void, pauseAt = 0) {
	setPmdCompressors({ inflater: () => new TestInflater(), deflater: (bits, level) => new TestDeflater(bits, level) });
	const io = new FakeIo();
	const ctx = createContext({ vhosts: [{ port: 1, protocols: [proto(got, onEstablished, pauseAt)], permessageDeflate: pmd }] }, io);
	const s = io.peer();
	io.send(s, handshake("/", "echo", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
	return { io, ctx, s };
}

describe("permessage-deflate in the WebSocket role (unit, fake host)", () => {
	it("inflates in rx_buf_size pieces, the last one final; setExtensionOption clamps to the vhost's settings", () => {
		const got: Got = { pieces: [], finals: [], options: [] };
		const text = "abcdefghij".repeat(100);
		const { io, s } = setup(got, { rxBufSize: 256 }, (wsi) => {
			assert.equal(ws.extensionActive(wsi, "permessage-deflate"), true);
			assert.equal(ws.extensionActive(wsi, "x-other"), false);
			got.options.push(ws.setExtensionOption(wsi, "permessage-deflate", "rx_buf_size", 100));
			got.options.push(ws.setExtensionOption(wsi, "permessage-deflate", "rx_buf_size", 100000));	// clamped to 256
			got.options.push(ws.setExtensionOption(wsi, "permessage-deflate", "nonsense", 1));
			got.options.push(ws.setExtensionOption(wsi, "x-other", "rx_buf_size", 1));
		});
		assert.match(splitResponse(Buffer.from(s.out)).head, /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10/);
		assert.deepEqual(got.options, [0, 0, -1, -1]);
		io.send(s, clientFrame(1, deflated(text), true, { rsv: 4 }));
		assert.equal(Buffer.concat(got.pieces).toString(), text);
		assert.deepEqual(got.pieces.map((p) => p.length), [256, 256, 256, 232]);
		assert.deepEqual(got.finals, [false, false, false, true]);
	});

	it("a pause in RECEIVE holds the rest, inflated or not, until rx resumes, in order", () => {
		const got: Got = { pieces: [], finals: [], options: [] };
		const text = Buffer.from(Array.from({ length: 5000 }, (_, i) => 97 + ((i * 7) % 26)));
		let wsiRef: Parameters<Protocol["callback"]>[0] | null = null;
		const { io, s } = setup(got, { rxBufSize: 1024 }, (wsi) => { wsiRef = wsi; }, 2);
		const d = deflated(text);
		// the message's last frame arrives with the next message in the same read
		io.send(s, Buffer.concat([clientFrame(2, d.subarray(0, 10), false, { rsv: 4 }), clientFrame(0, d.subarray(10)), clientFrame(1, deflated("after"), true, { rsv: 4 })]));
		assert.equal(got.pieces.length, 2);
		for (let i = 0; i < 20 && got.pieces.length < 7; i++) {
			wsiRef!.rxFlowControl(true);
			io.run();
			if (got.pieces.length % 2 === 0) wsiRef!.rxFlowControl(false);
		}
		wsiRef!.rxFlowControl(true);
		io.run();
		const all = Buffer.concat(got.pieces);
		assert.equal(all.subarray(0, 5000).toString(), text.toString());
		assert.equal(all.subarray(5000).toString(), "after");
		assert.equal(got.finals.filter((f) => f).length, 2);
	});

	it("a text message whose end comes after a pause is still text: UTF-8 checked to its end (1007 when cut inside a sequence)", () => {
		for (const [text, code] of [[Buffer.from("é".repeat(1500)), 0], [Buffer.concat([Buffer.from("é".repeat(1500)), Buffer.from([0xc3])]), 1007]] as const) {
			const got: Got = { pieces: [], finals: [], options: [], binary: [] };
			let wsiRef: Parameters<Protocol["callback"]>[0] | null = null;
			const { io, s } = setup(got, { rxBufSize: 1024 }, (wsi) => { wsiRef = wsi; }, 1);
			io.send(s, clientFrame(1, deflated(text), true, { rsv: 4 }));
			assert.equal(got.pieces.length, 1, "paused after the first piece, the rest inflated or not yet");
			for (let i = 0; i < 5; i++) {
				wsiRef!.rxFlowControl(true);
				io.run();
			}
			const frames = splitResponse(Buffer.from(s.out)).frames;
			const close = frames.find((f) => f.opcode === 8);
			if (code) assert.equal(close?.payload.readUInt16BE(0), 1007);
			else {
				assert.equal(close, undefined);
				assert.equal(Buffer.concat(got.pieces).toString(), text.toString());
			}
			assert.ok(got.binary!.every((b) => b === false), "every piece of it is text");
		}
	});

	it("sends compressed with RSV1 on the first frame; a message under the threshold goes plain", () => {
		const got: Got = { pieces: [], finals: [], options: [] };
		let wsiRef: Parameters<Protocol["callback"]>[0] | null = null;
		const { io, s } = setup(got, { threshold: 30 }, (wsi) => { wsiRef = wsi; });
		const before = Buffer.from(s.out).length;
		wsiRef!.callOnWritable();
		io.run();
		const long = splitResponse(Buffer.from(s.out)).frames.pop()!;
		assert.equal(long.rsv, 0, "23 bytes: under the threshold of 30, plain");
		assert.equal(long.payload.toString(), "hello hello hello hello");
		assert.equal(ws.setExtensionOption(wsiRef!, "permessage-deflate", "threshold", 0), 0);
		wsiRef!.callOnWritable();
		io.run();
		const frames = splitResponse(Buffer.from(s.out)).frames;
		const c = frames[frames.length - 1];
		assert.equal(c.rsv, 4);
		assert.equal(inflated(c.payload).toString(), "hello hello hello hello");
		assert.ok(Buffer.from(s.out).length > before);
	});

	it("a protocol with an rx buffer under 128 bytes gets no extension (lws's rule); a vhost without it answers none", () => {
		const got: Got = { pieces: [], finals: [], options: [] };
		setPmdCompressors({ inflater: () => new TestInflater(), deflater: (bits, level) => new TestDeflater(bits, level) });
		for (const vhost of [{ port: 1, protocols: [{ ...proto(got), rxBufferSize: 64 }], permessageDeflate: true }, { port: 1, protocols: [proto(got)] }]) {
			const io = new FakeIo();
			createContext({ vhosts: [vhost] }, io);
			const s = io.peer();
			io.send(s, handshake("/", "echo", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
			const head = splitResponse(Buffer.from(s.out)).head;
			assert.match(head, /^HTTP\/1.1 101/);
			assert.doesNotMatch(head, /Sec-WebSocket-Extensions/);
		}
	});
});
