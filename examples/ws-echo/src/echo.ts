/**
 * The "echo" WebSocket protocol: each piece of a message goes back as it came, under the
 * writeable discipline (lws: write only from SERVER_WRITEABLE). While a piece waits to be sent,
 * reading is paused, so a fast sender is held back by TCP instead of by memory.
 */
import { Reason, WriteProtocol, ws } from "xsws";
import type { Protocol } from "xsws";

interface Session {
	/** the piece waiting for SERVER_WRITEABLE */
	pending: Uint8Array | null;
	/** how to send it (message type and fragment flags) */
	mode: number;
}

export const echo: Protocol<Session> = {
	name: "echo",
	newSession: () => ({ pending: null, mode: 0 }),
	callback(wsi, reason, session, data) {
		switch (reason) {
			case Reason.RECEIVE: {
				const type = ws.frameIsBinary(wsi) ? WriteProtocol.BINARY : WriteProtocol.TEXT;
				session!.mode = (ws.isFirstFragment(wsi) ? type : WriteProtocol.CONTINUATION) | (ws.isFinalFragment(wsi) ? 0 : WriteProtocol.NO_FIN);
				// data is a view into a shared buffer: keep a copy
				session!.pending = (data as Uint8Array).slice();
				wsi.rxFlowControl(false);
				wsi.callOnWritable();
				return 0;
			}
			case Reason.SERVER_WRITEABLE: {
				const piece = session!.pending;
				if (!piece) return 0;
				session!.pending = null;
				wsi.rxFlowControl(true);
				return wsi.write(piece, session!.mode) < 0 ? -1 : 0;
			}
		}
		return 0;
	},
};
