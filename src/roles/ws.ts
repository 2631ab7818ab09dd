import type { Role } from "../core/role.js";
import * as ws from "../ws/server.js";

/** The WebSocket server role: an ops table over src/ws/server.ts. */
export const roleWs: Role = {
	name: "ws",
	adopt: ws.adopt,
	handleRx: ws.handleRx,
	handleWriteable: ws.handleWriteable,
	handleTimeout: ws.handleTimeout,
	handleBackpressure: ws.handleBackpressure,
	closeRole: ws.closeRole,
	roomClass: ws.roomClass,
	writeRoleProtocol: ws.writeRoleProtocol,
};
