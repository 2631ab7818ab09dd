import type { Roles } from "../core/context.js";
import { roleH1 } from "./h1.js";
import { roleWs } from "./ws.js";
import { tryUpgrade } from "../ws/handshake.js";
import { encodeAscii } from "../util/utf8.js";

const REFUSAL = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 39\r\nConnection: close\r\nRetry-After: 1\r\n\r\nToo many connections from your address\n";

/** The roles a server context starts with; adding a role means one line here. */
export function serverRoles(): Roles {
	return { server: roleH1, refusal: encodeAscii(REFUSAL), upgrade: (wsi) => tryUpgrade(wsi, roleWs) };
}
