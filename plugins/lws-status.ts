/**
 * lws-status: pushes JSON describing the connected clients and the XS heap
 * (slots and chunk bytes in use after GC, with the creation limits) to every
 * lws-status connection, when something changes and every PERIOD_MS.
 */
import { Reason, WriteProtocol } from "../src/index.js";
import type { Protocol, Vhost, Wsi } from "../src/index.js";

const PERIOD_MS = 2000;

/** `sent`: the generation of the status this connection was last sent. */
interface Pss { sent: number }
/** `generation` moves on whenever there is something new to push. */
interface Vhd { timer: unknown; generation: number }

function vhd(vh: Vhost): Vhd {
	return vh.protocolPriv<Vhd>(lwsStatus, () => ({ timer: null, generation: 1 }));
}

/** The JSON lws-status clients get. */
export function statusJson(wsi: Wsi): string {
	const ctx = wsi.context;
	const now = ctx.now();
	const clients: { peer: string; protocol: string; age: number }[] = [];
	for (const w of ctx.wsis) {
		if (w.closing || !w.protocol || w.role.name !== "ws") continue;
		// a WebSocket's `since` is when it was accepted (or went idle before its upgrade request)
		clients.push({ peer: w.peer, protocol: w.protocol.name, age: Math.round((now - w.since) / 1000) });
	}
	return JSON.stringify({ server: "xsws", clients, ...ctx.status() });
}

export const lwsStatus: Protocol<Pss> = {
	name: "lws-status",
	newSession: () => ({ sent: 0 }),
	callback(wsi, reason, pss) {
		switch (reason) {
			case Reason.PROTOCOL_INIT: {
				const vh = wsi.vhost, ctx = wsi.context, d = vhd(vh);
				// a push every PERIOD_MS (the heap moves); ESTABLISHED and CLOSED push at once
				d.timer = ctx.io.setTimer(() => {
					d.generation++;
					ctx.callOnWritableAllProtocol(lwsStatus, vh);
				}, PERIOD_MS, true);
				return 0;
			}
			case Reason.PROTOCOL_DESTROY: {
				const d = vhd(wsi.vhost);
				if (d.timer !== null) wsi.context.io.clearTimer(d.timer);
				d.timer = null;
				return 0;
			}
			case Reason.ESTABLISHED:
				// everyone's list changed
				vhd(wsi.vhost).generation++;
				wsi.context.callOnWritableAllProtocol(lwsStatus, wsi.vhost);
				return 0;
			case Reason.CLOSED:
				vhd(wsi.vhost).generation++;
				for (const w of wsi.context.connectionsOf(lwsStatus, wsi.vhost)) if (w !== wsi) w.callOnWritable();
				return 0;
			case Reason.SERVER_WRITEABLE: {
				const d = vhd(wsi.vhost);
				if (pss!.sent === d.generation) return 0;
				pss!.sent = d.generation;
				return wsi.write(statusJson(wsi), WriteProtocol.TEXT) < 0 ? -1 : 0;
			}
		}
		return 0;
	},
};

export default [lwsStatus];
