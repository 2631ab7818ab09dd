import assert from "node:assert/strict";
import { FakeIo } from "../support/fake-host.js";
import { MemFops } from "../support/mem-fops.js";
import { createContext, MountProtocol, Reason, setLogLevel, http } from "../../src/index.js";
import type { Protocol } from "../../src/index.js";

setLogLevel(0);

/** protocols[0]: records the connection notices it gets, in order. */
function recorder(log: string[], opts: { refuse?: boolean; fileDone?: number } = {}): Protocol {
	const names = new Map<number, string>([
		[Reason.FILTER_NETWORK_CONNECTION, "filter"], [Reason.WSI_CREATE, "create"], [Reason.SERVER_NEW_CLIENT_INSTANTIATED, "instantiated"],
		[Reason.WSI_DESTROY, "destroy"], [Reason.HTTP_FILE_COMPLETION, "file done"], [Reason.TIMER, "timer"],
	]);
	return {
		name: "first",
		callback(wsi, reason) {
			const n = names.get(reason);
			if (n) log.push(n);
			if (reason === Reason.FILTER_NETWORK_CONNECTION && opts.refuse) return -1;
			if (reason === Reason.HTTP_FILE_COMPLETION) return opts.fileDone ?? 0;
			if (reason === Reason.HTTP) {
				wsi.setTimer(20);
				return http.respond(wsi, 200, { body: "ok" });
			}
			if (reason === Reason.TIMER) return -1;
			return 0;
		},
	};
}

function make(log: string[], opts: { refuse?: boolean; fileDone?: number } = {}) {
	const io = new FakeIo();
	const fops = new MemFops(new Map([["/www/index.html", Buffer.from("<p>hi</p>")]]));
	const ctx = createContext({
		fops,
		vhosts: [{ port: 1, protocols: [recorder(log, opts)], mounts: [
			{ mountpoint: "/", origin: "/www", originProtocol: MountProtocol.FILE },
			{ mountpoint: "/cb", origin: "", originProtocol: MountProtocol.CALLBACK, protocol: "first" },
		] }],
	}, io);
	return { io, ctx };
}

describe("reasons raised where lws raises them", () => {
	it("a new connection: FILTER_NETWORK_CONNECTION, WSI_CREATE, SERVER_NEW_CLIENT_INSTANTIATED to protocols[0]; WSI_DESTROY when it goes", () => {
		const log: string[] = [];
		const { io } = make(log);
		const s = io.peer();
		assert.deepEqual(log, ["filter", "create", "instantiated"]);
		io.hangUp(s);
		io.run(10);
		assert.deepEqual(log, ["filter", "create", "instantiated", "destroy"]);
	});

	it("FILTER_NETWORK_CONNECTION returning nonzero closes the connection at once, with no WSI_CREATE", () => {
		const log: string[] = [];
		const { io } = make(log, { refuse: true });
		const s = io.peer();
		io.run(10);
		assert.equal(s.closed, true);
		assert.deepEqual(log, ["filter"]);
	});

	it("HTTP_FILE_COMPLETION when a mount's file is sent; nonzero closes the connection after it", () => {
		for (const [ret, closed] of [[0, false], [-1, true]] as const) {
			const log: string[] = [];
			const { io } = make(log, { fileDone: ret });
			const s = io.peer();
			io.send(s, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
			io.run(10);
			assert.match(s.text(), /^HTTP\/1.1 200/);
			assert.ok(log.includes("file done"), log.join());
			assert.equal(s.closed, closed, `HTTP_FILE_COMPLETION returned ${ret}`);
		}
	});

	it("Wsi.setTimer(): TIMER once the time has passed; nonzero from it closes the connection", () => {
		const log: string[] = [];
		const { io } = make(log);
		const s = io.peer();
		io.send(s, "GET /cb HTTP/1.1\r\nHost: x\r\n\r\n");
		io.run(5);
		assert.match(s.text(), /^HTTP\/1.1 200/);
		assert.equal(log.includes("timer"), false);
		io.run(25);
		assert.ok(log.includes("timer"));
		io.run(10);
		assert.equal(s.closed, true);
	});
});
