import type { Role } from "../core/role.js";
import * as http from "../http/server.js";

/** The HTTP/1.1 server role: an ops table over src/http/server.ts. */
export const roleH1: Role = {
	name: "h1",
	adopt: http.adopt,
	handleRx: http.handleRx,
	handleWriteable: http.handleWriteable,
	handleTimeout: http.handleTimeout,
	handleTxDrained: http.handleTxDrained,
	closeRole: http.closeRole,
	roomClass: http.roomClass,
	writeRoleProtocol: http.writeRoleProtocol,
};
