/**
 * server-status: GET answers JSON with the context's counters, connection
 * count and the XS heap (slots and chunk bytes after GC, with the creation
 * limits), so a device's memory can be watched from a browser or a test.
 */
import { Reason, http } from "../src/index.js";
import type { Protocol, Wsi } from "../src/index.js";

export function statusJson(wsi: Wsi): string {
	return JSON.stringify(wsi.context.status());
}

export const serverStatus: Protocol = {
	name: "server-status",
	callback(wsi, reason) {
		if (reason !== Reason.HTTP) return 0;
		return http.respond(wsi, 200, { contentType: "application/json", headers: [["Cache-Control", "no-store"]], body: statusJson(wsi) });
	},
};

export default [serverStatus];
