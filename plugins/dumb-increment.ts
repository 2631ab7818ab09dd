/**
 * dumb-increment-protocol, wire compatible with the libwebsockets test
 * server: every 50 ms each connection is sent the next number as text;
 * "reset\n" starts it at 0 again; "closeme\n" closes with 1001 "seeya".
 */
import { Reason, WriteProtocol, ws } from "../src/index.js";
import type { Protocol, Vhost } from "../src/index.js";

const INTERVAL_MS = 50;

interface Pss { n: number }
interface Vhd { timer: unknown }

function textIs(data: Uint8Array, s: string): boolean {
	if (data.length !== s.length) return false;
	for (let i = 0; i < s.length; i++) if (data[i] !== s.charCodeAt(i)) return false;
	return true;
}

export const dumbIncrement: Protocol<Pss> = {
	name: "dumb-increment-protocol",
	rxBufferSize: 64,
	newSession: () => ({ n: 0 }),
	callback(wsi, reason, pss, data) {
		switch (reason) {
			case Reason.PROTOCOL_INIT: {
				const vh: Vhost = wsi.vhost;
				const ctx = wsi.context;
				const vhd = vh.protocolPriv<Vhd>(dumbIncrement, () => ({ timer: null }));
				vhd.timer = ctx.io.setTimer(() => ctx.callOnWritableAllProtocol(dumbIncrement, vh), INTERVAL_MS, true);
				return 0;
			}
			case Reason.PROTOCOL_DESTROY: {
				const vhd = wsi.vhost.protocolPriv<Vhd>(dumbIncrement, () => ({ timer: null }));
				if (vhd.timer !== null) wsi.context.io.clearTimer(vhd.timer);
				vhd.timer = null;
				return 0;
			}
			case Reason.ESTABLISHED:
				pss!.n = 0;
				return 0;
			case Reason.SERVER_WRITEABLE: {
				const r = wsi.write(String(pss!.n++), WriteProtocol.TEXT);
				return r < 0 ? -1 : 0;
			}
			case Reason.RECEIVE: {
				const d = data as Uint8Array;
				if (d.length < 6) return 0;
				if (textIs(d, "reset\n")) pss!.n = 0;
				else if (textIs(d, "closeme\n")) {
					ws.closeReason(wsi, 1001, "seeya");
					return -1;
				}
				return 0;
			}
		}
		return 0;
	},
};

export default [dumbIncrement];
