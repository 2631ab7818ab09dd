/**
 * A minimal xsws firmware: the page in www/ served from a zip in flash, and one WebSocket
 * protocol ("echo"). The same module runs on the ESP32 and in the simulator.
 */
import config from "mc/config";
import { createContext, MountProtocol, lwsl } from "xsws";
import { moddableHost, moddableMountFops } from "xsws/host/moddable";
import { echo } from "./echo.js";

interface Config {
	port?: number;
	/** the board profile (xsws run and xsws build set it) */
	board?: { tcpPcbs?: number };
}
const cfg = config as Config;

try {
	const context = createContext({
		fops: moddableMountFops(),
		vhosts: [{
			port: cfg.port ?? 8080,
			protocols: [echo],
			// www.zip: www/ zipped by `npm run build` into the firmware's resources
			mounts: [{ mountpoint: "/", origin: "www.zip", originProtocol: MountProtocol.FILE, defaultIndex: "index.html" }],
		}],
	}, moddableHost({ tcpPcbs: cfg.board?.tcpPcbs }));
	lwsl.notice(`listening on http://127.0.0.1:${context.vhosts[0].port}/`);
}
catch (e) {
	// the board drops an error thrown by main silently
	lwsl.err(`start failed: ${(e as Error).message}`);
}
