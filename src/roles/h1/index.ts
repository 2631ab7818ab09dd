import type { Role } from "../../core/role.js";
import { encodeAscii } from "../../util/utf8.js";
import * as http from "./server.js";
import { writeRoleProtocol } from "./respond.js";

/** What a peer over ipLimitWsi gets before the close (it lingers, so the peer reads it). */
const REFUSAL = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 39\r\nConnection: close\r\nRetry-After: 1\r\n\r\nToo many connections from your address\n";

/** The HTTP/1.1 server role (lws roles/h1): an ops table over server.ts. */
export const roleH1: Role = {
	name: "h1",
	listenAccept: true,
	adopt: http.adopt,
	handleRx: http.handleRx,
	handleWriteable: http.handleWriteable,
	handleTimeout: http.handleTimeout,
	handleTxDrained: http.handleTxDrained,
	closeRole: http.closeRole,
	roomClass: http.roomClass,
	writeRoleProtocol,
	refusal: encodeAscii(REFUSAL),
};
