/*
 * xsws-sim: Moddable's `timer` module (MIT). Natives in hosts/lin/timers.c.
 *   Timer.set(callback, delay = 0, repeat?) -> timer; callback(timer)
 *   Timer.repeat(callback, interval) -> timer
 *   Timer.schedule(timer, delay?, repeat?)   (no delay: unschedule, the timer can be rescheduled)
 *   Timer.clear(timer)                       (undefined/null ignored)
 *   Timer.delay(ms)                          (blocks)
 */
class Timer {
	static set(callback, delay, repeat) @ "xs_timer_set";
	static repeat(callback, interval) @ "xs_timer_repeat";
	static schedule(timer, delay, repeat) @ "xs_timer_schedule";
	static clear(timer) @ "xs_clearTimer";
	static delay(ms) @ "xs_timer_delay";
}
Object.freeze(Timer.prototype);
Object.freeze(Timer);

export default Timer;
