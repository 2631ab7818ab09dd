/**
 * A file server from a zip in flash (lws minimal-http-server with a zip mount): www/ is zipped
 * at build time (`xsws zip`) into the firmware's resources; a request inflates its entry in
 * bounded memory, or sends it as stored gzip to a client that accepts gzip.
 */
import config from "mc/config";
import { createContext, lwsl, MountProtocol } from "xsws";
import { moddableHost, moddableMountFops } from "xsws/host/moddable";

const cfg = config as { port?: number; board?: { tcpPcbs?: number } };
const context = createContext({
	// mounts whose origin ends in ".zip" read that zip: a Resource, else a file
	fops: moddableMountFops(),
	vhosts: [{
		port: cfg.port ?? 8080,
		protocols: [],
		mounts: [{
			mountpoint: "/", origin: "site.zip", originProtocol: MountProtocol.FILE, defaultIndex: "index.html",
			cacheMaxAge: 300, cacheReusable: true,
		}],
	}],
}, moddableHost({ tcpPcbs: cfg.board?.tcpPcbs }));
lwsl.notice(`listening on http://127.0.0.1:${context.vhosts[0].port}/`);
