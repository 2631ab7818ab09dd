/**
 * The smallest xsws server (lws minimal-http-server-dynamic): one CALLBACK mount whose protocol
 * answers every request with a line of text.
 */
import config from "mc/config";
import { createContext, http, lwsl, MountProtocol, Reason } from "xsws";
import type { Protocol } from "xsws";
import { moddableHost } from "xsws/host/moddable";

const hello: Protocol = {
	name: "hello",
	callback(wsi, reason) {
		if (reason !== Reason.HTTP) return 0;
		return http.respond(wsi, 200, { contentType: "text/plain", body: `hello from xsws: ${http.method(wsi)} ${http.path(wsi)}\n` });
	},
};

const cfg = config as { port?: number; board?: { tcpPcbs?: number } };
const context = createContext({
	vhosts: [{
		port: cfg.port ?? 8080,
		protocols: [hello],
		mounts: [{ mountpoint: "/", origin: "", originProtocol: MountProtocol.CALLBACK, protocol: "hello" }],
	}],
}, moddableHost({ tcpPcbs: cfg.board?.tcpPcbs }));
lwsl.notice(`listening on http://127.0.0.1:${context.vhosts[0].port}/`);
