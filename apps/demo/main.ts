/**
 * The demo device firmware: a web UI from a directory mount, the POST demo
 * on a CALLBACK mount, and a redirect mount. The same module runs on the
 * ESP32 and in the simulator; plugins are the ones the manifest links.
 */
import config from "mc/config";
import { createContext, MountProtocol, setLogLevel, lwsl, CONTEXT_OPTIONS } from "../../src/index.js";
import type { Protocol, ContextOptions, PmdOptions } from "../../src/index.js";
import { moddableHost, moddableMountFops } from "../../src/host/moddable.js";
import { linkedPlugins } from "./plugins.js";

interface DemoConfig {
	port?: number;
	www?: string;
	logLevel?: number;
	maxSockets?: number;
	/** permessage-deflate settings (PmdOptions), e.g. `xsws run permessageDeflate.compressionLevel=6`; false for none */
	permessageDeflate?: boolean | PmdOptions;
	/** the board profile (tools/boards.mjs boardConfig) */
	board?: { name?: string; tcpPcbs?: number };
}
const cfg = config as DemoConfig;

/** Every numeric context option may be set by a config override (e.g. `xsws run timeoutSecs=2`); see README "Options and limits". */
const limits: Partial<ContextOptions> = {};
for (const k of Object.keys(CONTEXT_OPTIONS) as (keyof typeof CONTEXT_OPTIONS)[]) {
	const v = (config as Record<string, unknown>)[k];
	if (v !== undefined) limits[k] = Number(v);
}

if (cfg.logLevel !== undefined) setLogLevel(cfg.logLevel);

/** Start the server; errors are logged here because the board drops a rejected main silently. */
async function start(): Promise<void> {
	const io = moddableHost({ maxSockets: cfg.maxSockets, tcpPcbs: cfg.board?.tcpPcbs });
	const protocols: Protocol[] = await linkedPlugins();

	const context = createContext({
		...limits,
		// "ui.zip" is the web UI zipped at build time into the firmware's resources (tools/zip-ui.mjs)
		fops: moddableMountFops(),
		vhosts: [{
			name: "localhost",
			port: cfg.port ?? 7681,
			protocols,
			// WebSockets asking no subprotocol get the counter, as in the lws test server
			default: "dumb-increment-protocol",
			// browsers offer permessage-deflate on every WebSocket: by default small windows, no context takeover
			permessageDeflate: cfg.permessageDeflate ?? true,
			mounts: [
				{ mountpoint: "/", origin: cfg.www ?? "ui.zip", originProtocol: MountProtocol.FILE, defaultIndex: "index.html", cacheMaxAge: 60, cacheReusable: true, cacheRevalidate: true },
				{ mountpoint: "/formtest", origin: "", originProtocol: MountProtocol.CALLBACK, protocol: "post-demo" },
				{ mountpoint: "/status.json", origin: "", originProtocol: MountProtocol.CALLBACK, protocol: "server-status" },
				{ mountpoint: "/lws", origin: "https://libwebsockets.org/", originProtocol: MountProtocol.REDIR_HTTPS },
				{ mountpoint: "/docs", origin: "/index.html", originProtocol: MountProtocol.REDIR_HTTP },
			],
		}],
	}, io);

	lwsl.notice(`xsws demo: listening on http://127.0.0.1:${context.vhosts[0].port}/`);
}

try {
	await start();
}
catch (e) {
	lwsl.err(`xsws demo: start-up failed: ${e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : e}`);
	throw e;
}
