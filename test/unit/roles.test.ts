/** The role registry: each vhost's listener names the role its connections start in, and an HTTP Upgrade goes to the role that answers its token. */
import assert from "node:assert/strict";
import { FakeIo } from "../support/fake-host.js";
import { Context, createContext, serverRoles, RoleRegistry, setLogLevel, LogLevel } from "../../src/index.js";
import type { ContextOptions, Role, Protocol } from "../../src/index.js";
import { Handled } from "../../src/core/reasons.js";
import { RoomClass } from "../../src/core/role.js";
import { roleH1 } from "../../src/roles/h1/index.js";
import { roleWs } from "../../src/roles/ws/index.js";

const echo: Protocol = { name: "echo", callback: () => 0 };

/** A raw role of the test's own: echoes what arrives, uppercased. */
const shout: Role = {
	name: "shout",
	listenAccept: true,
	adopt: () => Handled.OK,
	handleRx(wsi, buf) {
		wsi.sendRaw(new Uint8Array(Buffer.from(Buffer.from(buf).toString("latin1").toUpperCase(), "latin1")));
		return Handled.OK;
	},
	handleWriteable: () => Handled.OK,
	handleTimeout: () => Handled.PLEASE_CLOSE,
	closeRole: () => undefined,
	roomClass: () => RoomClass.BUSY,
};

/** A role entered only by `Upgrade: x-test`: answers 101 itself and then echoes. */
const upgraded: Role = {
	...shout,
	name: "x-test",
	listenAccept: false,
	upgradeToken: "x-test",
	upgrade(wsi, req) {
		if (req.header("x-ok") !== "yes") return req.fail(400, "x-test wants X-Ok: yes");
		req.sendRaw(new Uint8Array(Buffer.from("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-test\r\nConnection: Upgrade\r\n\r\n", "latin1")));
		wsi.role = upgraded;
		wsi.rs = null;
		req.release();
		return Handled.OK;
	},
};

function make(vhosts: ContextOptions["vhosts"], roles = new RoleRegistry([roleH1, roleWs, shout, upgraded], "h1"), io = new FakeIo()): { ctx: Context; io: FakeIo } {
	return { ctx: new Context({ vhosts }, io, roles), io };
}

describe("roles: a registry, listenAcceptRole per vhost, upgrades through role ops", () => {
	before(() => setLogLevel(LogLevel.ERR));
	after(() => setLogLevel(LogLevel.ERR | LogLevel.WARN | LogLevel.NOTICE));
	it("createContext knows h1 and ws; listeners start in h1", () => {
		const roles = serverRoles();
		assert.equal(roles.get("h1"), roleH1);
		assert.equal(roles.byUpgrade("WebSocket"), roleWs);
		assert.equal(roles.byUpgrade("h2c"), undefined);
		const io = new FakeIo();
		createContext({ vhosts: [{ port: 7681, protocols: [echo] }] }, io);
		const s = io.peer();
		io.send(s, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
		assert.match(s.text(), /^HTTP\/1\.1 /);
	});

	it("an unknown role, or one a listener cannot start (ws), throws naming the vhost and the option", () => {
		assert.throws(() => make([{ name: "v", port: 1, protocols: [], listenAcceptRole: "raw-skt" }]),
			/option listenAcceptRole of vhost v: no role "raw-skt" \(roles: h1, ws, shout, x-test\)/);
		assert.throws(() => make([{ name: "v", port: 1, protocols: [], listenAcceptRole: "ws" }]),
			/option listenAcceptRole of vhost v: role "ws" cannot start connections from a listener \(roles that can: h1, shout\)/);
		assert.throws(() => createContext({ vhosts: [{ port: 1, protocols: [], listenAcceptRole: 7 as unknown as string }] }, new FakeIo()),
			/option listenAcceptRole of vhost default must be a string/);
		assert.throws(() => new RoleRegistry([roleH1, roleH1], "h1"), /role "h1" registered twice/);
	});

	it("a vhost's listener starts its connections in the role it names", () => {
		const { io } = make([{ port: 7000, protocols: [echo], listenAcceptRole: "shout" }]);
		const s = io.peer();
		io.send(s, "hello");
		assert.equal(s.text(), "HELLO");
	});

	it("vhosts on one iface and port share a listener and must agree on its role; another iface gets its own", () => {
		const { io } = make([
			{ name: "a", port: 7000, protocols: [echo] },
			{ name: "b", port: 7000, protocols: [echo] },
			{ name: "c", port: 7000, iface: "127.0.0.1", protocols: [echo], listenAcceptRole: "shout" },
		]);
		assert.deepEqual(io.listens, [{ port: 7000, address: undefined }, { port: 7000, address: "127.0.0.1" }]);
		assert.throws(() => make([{ name: "a", port: 7000, protocols: [] }, { name: "b", port: 7000, protocols: [], listenAcceptRole: "shout" }]),
			/vhost b: listenAcceptRole "shout" differs from "h1" of vhost a on the same listener \(:7000\)/);
		assert.throws(() => make([{ name: "a", port: 7000, iface: "eth0", protocols: [] }]), /option iface of vhost a must be an IPv4 address/);
	});

	it("an HTTP Upgrade goes to the role answering its token; that role refuses through the request or takes the connection", () => {
		const { io } = make([{ port: 7000, protocols: [echo] }]);
		const refused = io.peer();
		io.send(refused, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x-test\r\n\r\n");
		assert.match(refused.text(), /^HTTP\/1\.1 400 [\s\S]*x-test wants X-Ok: yes/);
		const s = io.peer();
		io.send(s, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c, x-test\r\nX-Ok: yes\r\n\r\nbytes after the head");
		assert.equal(s.text(), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-test\r\nConnection: Upgrade\r\n\r\nBYTES AFTER THE HEAD");
		io.send(s, "more");
		assert.ok(s.text().endsWith("MORE"));
	});

	it("a peer over ipLimitWsi gets the accept role's refusal; a role without one is closed at once", () => {
		const io = new FakeIo();
		new Context({ vhosts: [{ port: 7000, protocols: [echo] }], ipLimitWsi: 1 }, io, new RoleRegistry([roleH1, roleWs], "h1"));
		io.peer();
		const second = io.peer();
		assert.match(second.text(), /^HTTP\/1\.1 503 /);
		const io2 = new FakeIo();
		new Context({ vhosts: [{ port: 7000, protocols: [echo], listenAcceptRole: "shout" }], ipLimitWsi: 1 }, io2, new RoleRegistry([roleH1, shout], "h1"));
		io2.peer();
		io2.arrive();
		const last = io2.sockets[io2.sockets.length - 1];
		assert.equal(last.closed, true);
		assert.equal(last.text(), "");
	});
});
