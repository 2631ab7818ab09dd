/**
 * Per-connection deadlines (lws `lws_set_timeout`, one timer for all of them) and user timers
 * (lws `lws_set_timer_usecs`, a host timer each, made only when used).
 */
import { Handled, Reason } from "./reasons.js";
import { WsiFlag, Timeout } from "./wsi.js";
import type { Wsi } from "./wsi.js";
import type { Context } from "./context.js";

export class Timeouts {
	private timer: unknown = null;
	private due = 0;
	/** Timers set with Wsi.setTimer(), made when first used. */
	private wsiTimers: Map<Wsi, unknown> | null = null;

	constructor(private readonly context: Context) {}

	/** Make sure the timeout timer fires by `at`. */
	arm(at: number): void {
		if (this.timer !== null && this.due <= at) return;
		const io = this.context.io;
		if (this.timer !== null) io.clearTimer(this.timer);
		this.due = at;
		const delay = at - this.context.now();
		this.timer = io.setTimer(() => this.check(), delay > 0 ? delay : 0, false);
	}

	private check(): void {
		this.timer = null;
		const context = this.context;
		const now = context.now();
		let next = 0;
		for (const wsi of context.wsis) {
			if (!wsi.timeoutAt) continue;
			if (wsi.timeoutAt <= now) {
				const reason = wsi.timeoutReason;
				wsi.timeoutAt = 0;
				wsi.timeoutReason = Timeout.NONE;
				if (reason === Timeout.LINGER) {
					context.finalClose(wsi);
					continue;
				}
				context.dispatch(wsi, () => {
					const r = wsi.role.handleTimeout(wsi, reason);
					if (r === Handled.PLEASE_CLOSE) context.stats.timeouts++;
					return r;
				});
			}
			if (wsi.timeoutAt && (!next || wsi.timeoutAt < next)) next = wsi.timeoutAt;
		}
		if (next) this.arm(next);
	}

	/** TIMER to the wsi's protocol once `ms` has passed; a negative ms cancels. */
	setWsiTimer(wsi: Wsi, ms: number): void {
		this.cancelWsiTimer(wsi);
		if (ms < 0 || (wsi.flags & WsiFlag.DEAD)) return;
		const context = this.context;
		const timers = this.wsiTimers ??= new Map();
		timers.set(wsi, context.io.setTimer(() => {
			timers.delete(wsi);
			if (!(wsi.flags & WsiFlag.DEAD)) context.dispatch(wsi, () => (wsi.callback(Reason.TIMER) !== 0 ? Handled.PLEASE_CLOSE : Handled.OK));
		}, ms, false));
	}

	cancelWsiTimer(wsi: Wsi): void {
		const timer = this.wsiTimers?.get(wsi);
		if (timer === undefined) return;
		this.context.io.clearTimer(timer);
		this.wsiTimers!.delete(wsi);
	}

	close(): void {
		if (this.timer !== null) this.context.io.clearTimer(this.timer);
		this.timer = null;
	}
}
