import type { Role } from "../../core/role.js";
import * as ws from "./server.js";
import { upgradeToWs } from "./upgrade.js";
import { pmdStatus } from "./pmd.js";

/** The WebSocket server role (lws roles/ws): an ops table over server.ts, entered by an HTTP Upgrade: websocket. */
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
	upgradeToken: "websocket",
	status: pmdStatus,
	upgrade: (wsi, req) => upgradeToWs(wsi, req, roleWs),
};
