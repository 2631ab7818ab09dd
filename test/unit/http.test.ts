import assert from "node:assert/strict";
import { FakeIo, FakeSocket } from "../support/fake-host.js";
import { MemFops } from "../support/mem-fops.js";
import { createContext, MountProtocol, Reason, setLogLevel, LogLevel, http, WriteProtocol } from "../../src/index.js";
import type { Context, ContextOptions, Protocol } from "../../src/index.js";

const enc = (s: string) => Buffer.from(s, "latin1");
const INDEX = "<html>hello</html>\n";
const BIG = Buffer.alloc(100000, "x");

let logs: string[] = [];
const captureLogs = () => setLogLevel(LogLevel.ERR | LogLevel.WARN | LogLevel.NOTICE | LogLevel.INFO, (_l, line) => { logs.push(line); });

const echo: Protocol<{ body: string; n: number; mode: string }> = {
	name: "echo",
	newSession: () => ({ body: "", n: 0, mode: "" }),
	callback(wsi, reason, pss, data) {
		switch (reason) {
			case Reason.HTTP: {
				const p = data as string;
				pss!.mode = p;
				if (p === "/throw") throw new Error("boom");
				if (p === "/twice") { http.writeHttpHeaders(wsi, 200, {}); wsi.callOnWritable(); return 0; }
				if (p === "/stream") { http.writeHttpHeaders(wsi, 200, { contentType: "text/plain" }); wsi.callOnWritable(); return 0; }
				if (p === "/bigbody") return http.respond(wsi, 200, { body: "z".repeat(6000) });
				if (p === "/args") return http.respond(wsi, 200, { body: `a=${http.uriArg(wsi, "a")};ua=${http.hdrCopy(wsi, "User-Agent")}` });
				if (http.method(wsi) === "POST") return 0;
				return http.respond(wsi, 200, { body: "echo " + p });
			}
			case Reason.HTTP_BODY:
				pss!.body += Buffer.from(data as Uint8Array).toString("latin1");
				pss!.n++;
				return 0;
			case Reason.HTTP_BODY_COMPLETION:
				return http.respond(wsi, 200, { body: `got ${pss!.body.length}: ${pss!.body.slice(0, 40)}` });
			case Reason.HTTP_WRITEABLE:
				if (pss!.mode === "/twice") {
					wsi.write(enc("a"), WriteProtocol.HTTP);
					wsi.write(enc("b"), WriteProtocol.HTTP);
					return 0;
				}
				if (pss!.mode === "/stream") {
					pss!.n++;
					const last = pss!.n >= 3;
					http.writeBody(wsi, `part${pss!.n};`, last);
					if (!last) wsi.callOnWritable();
				}
				return 0;
		}
		return 0;
	},
};

function make(opts: Partial<ContextOptions> = {}): { io: FakeIo; ctx: Context } {
	const io = new FakeIo();
	const fops = new MemFops(new Map([
		["/www/index.html", enc(INDEX)],
		["/www/big.bin", BIG],
		["/www/sub/index.html", enc("sub")],
	]));
	const ctx = createContext({
		fops,
		vhosts: [{
			port: 7681, protocols: [echo],
			mounts: [
				{ mountpoint: "/", origin: "/www", originProtocol: MountProtocol.FILE, cacheMaxAge: 60, cacheReusable: true },
				{ mountpoint: "/cb", origin: "", originProtocol: MountProtocol.CALLBACK, protocol: "echo" },
				{ mountpoint: "/go", origin: "example.com/x", originProtocol: MountProtocol.REDIR_HTTP },
			],
		}],
		...opts,
	}, io);
	return { io, ctx };
}

interface Resp { status: number; headers: Map<string, string>; body: string; raw: string }

/** Parse every response in the socket's output (Content-Length and chunked). */
function responses(s: FakeSocket, head = false): Resp[] {
	const out: Resp[] = [];
	let t = s.text();
	while (t.length) {
		const end = t.indexOf("\r\n\r\n");
		if (end < 0) break;
		const lines = t.slice(0, end).split("\r\n");
		const status = Number(lines[0].split(" ")[1]);
		const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as [string, string]));
		let rest = t.slice(end + 4);
		let body = "";
		if (!head && headers.get("transfer-encoding") === "chunked") {
			for (;;) {
				const le = rest.indexOf("\r\n");
				if (le < 0) break;
				const n = parseInt(rest.slice(0, le), 16);
				rest = rest.slice(le + 2);
				if (n === 0) { rest = rest.slice(2); break; }
				body += rest.slice(0, n);
				rest = rest.slice(n + 2);
			}
		}
		else if (!head && headers.has("content-length") && status !== 304) {
			const n = Number(headers.get("content-length"));
			body = rest.slice(0, n);
			rest = rest.slice(n);
		}
		out.push({ status, headers, body, raw: t.slice(0, end) });
		t = rest;
	}
	return out;
}

function get(path: string, extra = ""): string {
	return `GET ${path} HTTP/1.1\r\nHost: dev\r\n${extra}\r\n`;
}

describe("HTTP/1.1 server role (unit, fake host)", () => {
	beforeEach(() => { logs = []; captureLogs(); });

	it("serves a file with Content-Length, cache headers and keep-alive", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/"));
		const [r] = responses(s);
		assert.equal(r.status, 200);
		assert.equal(r.body, INDEX);
		assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
		assert.equal(r.headers.get("cache-control"), "max-age=60, private");
		assert.equal(s.closed, false);
	});

	it("streams a large file across WRITEABLEs with a small socket budget", () => {
		const { io } = make();
		io.budget = 3000;
		const s = io.peer();
		io.send(s, get("/big.bin"));
		for (let i = 0; i < 100 && responses(s)[0]?.body.length !== BIG.length; i++) io.drain(s, 3000);
		const [r] = responses(s);
		assert.equal(r.body.length, BIG.length);
		assert.equal(r.body, BIG.toString("latin1"));
	});

	it("answers pipelined requests in order, including a HEAD", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/cb/one") + get("/cb/two") + "HEAD / HTTP/1.1\r\nHost: d\r\n\r\n" + get("/cb/three"));
		const t = s.text();
		assert.deepEqual([...t.matchAll(/echo \/(one|two|three)/g)].map((m) => m[0]), ["echo /one", "echo /two", "echo /three"]);
		const head = t.indexOf("Content-Length: " + INDEX.length);
		assert.ok(head > 0, "HEAD gets the GET's Content-Length");
		assert.ok(!t.includes("<html>hello"), "HEAD gets no body");
	});

	it("gives the same answer for a request split at every byte", () => {
		const req = get("/cb/split?x=1", "User-Agent: t\r\n");
		const { io: io0 } = make();
		const s0 = io0.peer();
		io0.send(s0, req);
		const want = s0.text();
		for (let cut = 1; cut < req.length; cut++) {
			const { io } = make();
			const s = io.peer();
			io.send(s, req.slice(0, cut));
			io.send(s, req.slice(cut));
			assert.equal(s.text(), want, `split at ${cut}`);
		}
	});

	it("replies 304 to a matching If-None-Match", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/"));
		const etag = responses(s)[0].headers.get("etag")!;
		assert.ok(etag);
		io.send(s, get("/", `If-None-Match: ${etag}\r\n`));
		const r = responses(s)[1];
		assert.equal(r.status, 304);
		assert.equal(r.headers.get("etag"), etag);
	});

	it("takes a chunked POST body as HTTP_BODY pieces then HTTP_BODY_COMPLETION", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, "POST /cb/p HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n");
		const [r] = responses(s);
		assert.equal(r.status, 200);
		assert.equal(r.body, "got 11: hello world");
		io.send(s, get("/cb/after"));
		assert.equal(responses(s)[1].body, "echo /after");
	});

	it("gives URI args and headers during HTTP", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/cb/args?a=b%20c&z=1", "User-Agent: tester\r\n"));
		assert.equal(responses(s)[0].body, "a=b c;ua=tester");
	});

	it("redirects on a REDIR mount and a directory without its slash", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/go"));
		io.send(s, get("/sub"));
		const [a, b] = responses(s);
		assert.equal(a.status, 301);
		assert.equal(a.headers.get("location"), "http://example.com/x");
		assert.equal(b.status, 301);
		assert.equal(b.headers.get("location"), "/sub/");
	});

	const bad: [string, string, number][] = [
		["no Host on 1.1", "GET / HTTP/1.1\r\n\r\n", 400],
		["two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
		["space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400],
		["obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n", 400],
		["bad request line", "GET /\r\n\r\n", 400],
		["HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505],
		["HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505],
		["unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501],
		["unknown transfer coding", "POST /cb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
		["TE and CL", "POST /cb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400],
		["bad Content-Length", "POST /cb HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400],
		["body too large", "POST /cb HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n", 413],
		["POST to a file", "POST /index.html HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 405],
		["long URI", `GET /${"a".repeat(1100)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
		["huge header", `GET / HTTP/1.1\r\nHost: a\r\nX: ${"b".repeat(3000)}\r\n\r\n`, 431],
		["too many headers", `GET / HTTP/1.1\r\nHost: a\r\n${"X: 1\r\n".repeat(40)}\r\n`, 431],
		["traversal /../", "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 403],
		["traversal %2e%2e", "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 403],
		["traversal ..%2f", "GET /..%2fetc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 403],
		["bad escape", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400],
		["missing file", "GET /nope.txt HTTP/1.1\r\nHost: a\r\n\r\n", 404],
		["unsupported Expect", "POST /cb HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\n", 417],
	];
	for (const [name, req, status] of bad) {
		it(`answers ${status} for ${name}`, () => {
			const { io } = make();
			const s = io.peer();
			io.send(s, req);
			const [r] = responses(s);
			assert.ok(r, `a response for ${name}`);
			assert.equal(r.status, status, r.raw);
			if (status >= 400 && status !== 404 && status !== 405) {
				assert.equal(r.headers.get("connection"), "close");
				assert.match(r.body, /<link rel="stylesheet" href="\/error.css">/);
			}
		});
	}

	it("detects an illegal back-to-back write and closes only that connection", () => {
		const { io } = make();
		const a = io.peer();
		const b = io.peer();
		io.send(a, get("/cb/twice"));
		assert.ok(logs.some((l) => l.includes("illegal back-to-back write")), logs.join("\n"));
		assert.equal(a.closed, true);
		io.send(b, get("/cb/ok"));
		assert.equal(responses(b)[0].body, "echo /ok");
		assert.equal(b.closed, false);
	});

	it("closes only its own connection when a callback throws, answering 500", () => {
		const { io } = make();
		const a = io.peer();
		const b = io.peer();
		io.send(a, get("/cb/throw"));
		assert.equal(responses(a)[0].status, 500);
		assert.ok(logs.some((l) => l.includes("protocol echo") && l.includes("boom")));
		io.run(3000);
		assert.equal(a.closed, true);
		io.send(b, get("/cb/fine"));
		assert.equal(responses(b)[0].body, "echo /fine");
	});

	it("streams a chunked response over several WRITEABLEs", () => {
		const { io } = make();
		const s = io.peer();
		io.send(s, get("/cb/stream"));
		const [r] = responses(s);
		assert.equal(r.headers.get("transfer-encoding"), "chunked");
		assert.equal(r.body, "part1;part2;part3;");
	});

	it("takes the header block from the longest-holding slow head for a waiting request (408 to it)", () => {
		const { io, ctx } = make({ maxHttpHeaderPool: 1 });
		const a = io.peer();
		const b = io.peer();
		io.send(a, "GET /cb/a HTTP/1.1\r\n");
		io.send(b, get("/cb/b"));
		assert.equal(responses(a)[0]?.status, 408, "a's unfinished head lost its block");
		assert.equal(responses(b)[0].body, "echo /b");
		assert.equal(ctx.stats.ahWaits, 1);
		assert.equal(ctx.stats.ahStolen, 1);
	});

	it("a waiter for a header block keeps its bytes unread and is served when a block frees", () => {
		// ipLimitAh 1: the peer's second request waits though a block is free, so nothing is taken
		const { io, ctx } = make({ maxHttpHeaderPool: 2, ipLimitAh: 1 });
		const a = io.peer("10.0.0.7");
		const b = io.peer("10.0.0.7");
		io.send(a, "GET /cb/a HTTP/1.1\r\n");
		io.send(b, get("/cb/b"));
		assert.equal(b.text(), "", "b waits");
		assert.equal(ctx.stats.ahWaits, 1);
		assert.equal(ctx.stats.ahStolen, 0, "a block is free: nothing is taken from a");
		io.send(a, "Host: x\r\n\r\n");
		assert.equal(responses(a)[0].body, "echo /a");
		assert.equal(responses(b)[0].body, "echo /b", "served once a's block came back");
	});

	it("times out a slow sender with 408 while others are served", () => {
		const { io } = make({ timeoutSecs: 2 });
		const slow = io.peer();
		io.send(slow, "GET / HT");
		io.run(1000);
		const ok = io.peer();
		io.send(ok, get("/cb/x"));
		assert.equal(responses(ok)[0].body, "echo /x");
		io.run(1500);
		assert.equal(responses(slow)[0]?.status, 408);
	});

	it("closes idle keep-alive connections after keepaliveTimeout", () => {
		const { io } = make({ keepaliveTimeout: 1 });
		const s = io.peer();
		io.send(s, get("/cb/x"));
		io.run(900);
		assert.equal(s.closed, false);
		io.run(200);
		assert.equal(s.closed, true);
	});

	it("at maxConnections reaps the longest-held slow head first, whatever its age, then the oldest idle one", () => {
		const { io, ctx } = make({ maxConnections: 2 });
		const a = io.peer();
		io.send(a, get("/cb/a"));	// a is idle keep-alive now
		const b = io.peer();
		io.send(b, "GET /cb/b HTTP/1.1\r\n");	// b is mid-head, however young
		const c = io.peer();	// reaps b: a slow head goes before an idle connection
		assert.equal(b.closed, true);
		assert.equal(a.closed, false);
		assert.equal(ctx.stats.reapedSlow, 1);
		io.send(c, get("/cb/c"));
		assert.equal(responses(c)[0].body, "echo /c");
		io.run(10);
		io.peer();	// a and c are idle: a, the older, goes
		assert.equal(a.closed, true);
		assert.equal(c.closed, false);
		assert.equal(ctx.stats.reapedIdle, 1);
		assert.equal(ctx.wsis.size, 2);
	});

	it("gives a silent newcomer silentGraceMs before reaping it for a waiting peer, then accepts the peer", () => {
		const { io, ctx } = make({ maxConnections: 1, silentGraceMs: 100 });
		const a = io.peer();	// says nothing
		io.arrive("10.0.0.2");
		assert.equal(a.closed, false, "inside its grace");
		assert.equal(ctx.stats.acceptWaits, 1);
		assert.equal(io.pendingPeers.length, 1, "the peer waits in the listener");
		io.run(100);
		assert.equal(a.closed, true, "reaped once the grace ended");
		assert.equal(ctx.stats.reapedSlow, 1);
		assert.equal(io.pendingPeers.length, 0, "the waiting peer was taken without a new announcement");
		assert.equal(io.sockets[io.sockets.length - 1].remoteAddress, "10.0.0.2");
	});

	it("takes a peer the listener holds when a slot frees (the listener does not announce it again)", () => {
		const { io, ctx } = make({ maxConnections: 1 });
		const a = io.peer();
		io.send(a, "GET /cb/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		// a is busy until its response drains; b arrives meanwhile
		io.arrive("10.0.0.3");
		io.run(3000);
		assert.equal(a.closed, true);
		assert.equal(io.pendingPeers.length, 0);
		assert.equal(ctx.wsis.size, 1);
	});

	it("closes a connection whose write returns nothing (the board's socket after a reset)", () => {
		const { io, ctx } = make();
		const s = io.peer();
		s.gone = true;
		io.send(s, get("/cb/x"));
		assert.equal(s.closed, true);
		assert.equal(ctx.wsis.size, 0);
	});

	it("frees the slot of a peer that reset while its bytes waited unread (rx paused)", () => {
		const { io, ctx } = make({ maxHttpHeaderPool: 1, timeoutSecs: 30 });
		const a = io.peer();
		io.send(a, "GET /cb/a HTTP/1.1\r\n");
		const b = io.peer();
		const wsiB = [...ctx.wsis].find((w) => w.socket === b)!;
		wsiB.rxFlowControl(false);
		io.send(b, get("/cb/b"));
		assert.equal(b.pending() > 0, true, "b's bytes stay unread");
		io.hangUp(b);	// no onError: its bytes are still buffered
		assert.equal(b.closed, false);
		io.run(1000);
		assert.equal(b.closed, true, "found gone by the probe");
		assert.equal(ctx.wsis.has(wsiB), false);
	});

	it("aborts an HTTP response that would queue more than maxBackpressure", () => {
		const { io, ctx } = make({ maxBackpressure: 4096 });
		io.budget = 1000;
		const s = io.peer();
		io.send(s, get("/cb/bigbody"));
		assert.equal(s.closed, true);
		assert.equal(ctx.stats.backpressureClosed, 1);
		assert.equal(s.text(), "", "nothing half-written");
	});

	it("refuses a peer over ipLimitWsi with 503", () => {
		const { io, ctx } = make({ ipLimitWsi: 1 });
		io.peer("10.0.0.1");
		const b = io.peer("10.0.0.1");
		assert.match(b.text(), /^HTTP\/1.1 503/);
		assert.equal(ctx.stats.refusedPeerLimit, 1);
	});

	it("raises EVENT_WAIT_CANCELLED on every protocol after cancelService()", () => {
		let seen = 0;
		const p: Protocol = { name: "p", callback: (_w, r) => { if (r === Reason.EVENT_WAIT_CANCELLED) seen++; } };
		const io = new FakeIo();
		const ctx = createContext({ vhosts: [{ port: 1, protocols: [p] }] }, io);
		ctx.cancelService();
		ctx.cancelService();
		io.run();
		assert.equal(seen, 1);
	});
});
