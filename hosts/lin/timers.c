/*
 * xsws-sim timers (MIT): Moddable's `timer` module (Timer.set/repeat/schedule/clear/delay) and
 * the setTimeout/setInterval/clearTimeout/clearInterval globals, on one sorted list.
 *
 * A timer is a host object whose record holds the callback (marked through host hooks). While
 * scheduled, the object is remembered (a GC root), so a firmware may drop its reference.
 */
#include "xsmc.h"
#include "host.h"

typedef struct xswsTimerRecord xswsTimerRecord;
struct xswsTimerRecord {
	xswsTimerRecord* next;
	xsMachine* the;
	double when;
	double interval;     /* 0: one shot */
	int scheduled;
	int globalStyle;     /* setTimeout style: callback(...args); else callback(timer) */
	xsSlot self;         /* the host object; remembered while scheduled */
	xsSlot callback;
	xsSlot args;         /* setTimeout extra arguments (array) or undefined */
};

static xswsTimerRecord* gTimers = NULL;

double xswsNow(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1000.0) + ((double)ts.tv_nsec / 1000000.0);
}

static void xswsTimerDestroy(void* data)
{
	if (data)
		free(data);
}

static void xswsTimerMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsTimerRecord* timer = data;
	if (timer) {
		(*markRoot)(the, &timer->callback);
		(*markRoot)(the, &timer->args);
	}
}

static xsHostHooks gxTimerHooks = { xswsTimerDestroy, xswsTimerMark, NULL };

static void xswsTimerUnlink(xswsTimerRecord* timer)
{
	xswsTimerRecord** address = &gTimers;
	while (*address) {
		if (*address == timer) {
			*address = timer->next;
			break;
		}
		address = &((*address)->next);
	}
	timer->next = NULL;
}

/* insert after the timers due at the same time or earlier: equal times fire in order */
static void xswsTimerLink(xswsTimerRecord* timer)
{
	xswsTimerRecord** address = &gTimers;
	while (*address && ((*address)->when <= timer->when))
		address = &((*address)->next);
	timer->next = *address;
	*address = timer;
}

static void xswsTimerUnschedule(xsMachine* the, xswsTimerRecord* timer)
{
	if (!timer->scheduled)
		return;
	xswsTimerUnlink(timer);
	timer->scheduled = 0;
	xswsHost.timers--;
	xsForget(timer->self);
}

static void xswsTimerSchedule(xsMachine* the, xswsTimerRecord* timer, double delay, double interval)
{
	if (!(delay >= 0))   /* also NaN */
		delay = 0;
	if (!(interval >= 0))
		interval = 0;
	if (timer->scheduled)
		xswsTimerUnlink(timer);
	else {
		timer->scheduled = 1;
		xswsHost.timers++;
		xsRemember(timer->self);
	}
	timer->when = xswsNow() + delay;
	timer->interval = interval;
	xswsTimerLink(timer);
}

static xswsTimerRecord* xswsTimerCreate(xsMachine* the, int globalStyle)
{
	xswsTimerRecord* timer = calloc(1, sizeof(xswsTimerRecord));
	if (!timer)
		xsUnknownError("out of memory");
	timer->the = the;
	timer->globalStyle = globalStyle;
	timer->callback = xsArg(0);
	timer->args = xsUndefined;
	xsResult = xsNewHostObject(NULL);
	xsmcSetHostData(xsResult, timer);
	xsSetHostHooks(xsResult, &gxTimerHooks);
	timer->self = xsResult;
	return timer;
}

static xswsTimerRecord* xswsTimerGet(xsMachine* the, xsSlot* slot)
{
	if (xswsHostHooksOf(the, slot) != &gxTimerHooks)
		xsTypeError("not a timer");
	return xsmcGetHostData(*slot);
}

static double xswsNumberArg(xsMachine* the, int index, double otherwise)
{
	if ((xsmcArgc > index) && (xsmcTypeOf(xsArg(index)) != xsUndefinedType))
		return xsmcToNumber(xsArg(index));
	return otherwise;
}

static void xswsCheckCallable(xsMachine* the)
{
	if ((xsmcArgc < 1) || !xsmcIsInstanceOf(xsArg(0), xsFunctionPrototype))
		xsTypeError("callback is not a function");
}

/* Timer.set(callback, delay = 0, repeat?) */
void xs_timer_set(xsMachine* the)
{
	xswsTimerRecord* timer;
	double delay, repeat;
	xswsCheckCallable(the);
	delay = xswsNumberArg(the, 1, 0);
	repeat = xswsNumberArg(the, 2, 0);
	timer = xswsTimerCreate(the, 0);
	xswsTimerSchedule(the, timer, delay, repeat);
}

/* Timer.repeat(callback, interval) */
void xs_timer_repeat(xsMachine* the)
{
	xswsTimerRecord* timer;
	double interval;
	xswsCheckCallable(the);
	interval = xswsNumberArg(the, 1, 0);
	timer = xswsTimerCreate(the, 0);
	xswsTimerSchedule(the, timer, interval, interval);
}

/* Timer.schedule(timer, delay?, repeat?): reschedule; without delay, unschedule (keep the timer) */
void xs_timer_schedule(xsMachine* the)
{
	xswsTimerRecord* timer = (xsmcArgc > 0) ? xswsTimerGet(the, &xsArg(0)) : NULL;
	if (!timer)
		xsTypeError("timer cleared");
	if ((xsmcArgc < 2) || (xsmcTypeOf(xsArg(1)) == xsUndefinedType))
		xswsTimerUnschedule(the, timer);
	else
		xswsTimerSchedule(the, timer, xsmcToNumber(xsArg(1)), xswsNumberArg(the, 2, 0));
}

/* Timer.clear(timer) and clearTimeout/clearInterval: undefined and null are ignored */
void xs_clearTimer(xsMachine* the)
{
	xswsTimerRecord* timer;
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) == xsUndefinedType) || (xsmcTypeOf(xsArg(0)) == xsNullType))
		return;
	if (xswsHostHooksOf(the, &xsArg(0)) != &gxTimerHooks)
		return;   /* like browsers and Node: clearing something else is a no-op */
	timer = xsmcGetHostData(xsArg(0));
	if (timer)
		xswsTimerUnschedule(the, timer);
}

/* Timer.delay(ms): block */
void xs_timer_delay(xsMachine* the)
{
	double ms = xswsNumberArg(the, 0, 0);
	if (ms > 0) {
		struct timespec ts;
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1000000);
		while (nanosleep(&ts, &ts) && (errno == EINTR))
			;
	}
}

static void xswsSetTimerGlobal(xsMachine* the, int repeat)
{
	xswsTimerRecord* timer;
	double delay;
	int argc = xsmcArgc, i;
	xswsCheckCallable(the);
	delay = xswsNumberArg(the, 1, 0);
	timer = xswsTimerCreate(the, 1);
	if (argc > 2) {
		xsmcVars(1);
		xsmcSetNewArray(xsVar(0), argc - 2);
		for (i = 2; i < argc; i++)
			xsmcSetIndex(xsVar(0), i - 2, xsArg(i));
		timer->args = xsVar(0);
	}
	xswsTimerSchedule(the, timer, delay, repeat ? ((delay > 0) ? delay : 1) : 0);
}

void xs_setTimeout(xsMachine* the)
{
	xswsSetTimerGlobal(the, 0);
}

void xs_setInterval(xsMachine* the)
{
	xswsSetTimerGlobal(the, 1);
}

int xswsTimersNext(double* when)
{
	if (!gTimers)
		return 0;
	*when = gTimers->when;
	return 1;
}

int xswsTimersRun(xsMachine* machine)
{
	int ran = 0;
	double now = xswsNow();
	/* timers that become due while running these wait for the next turn (after a poll) */
	while (gTimers && (gTimers->when <= now) && !xswsStopRequested) {
		xswsTimerRecord* timer = gTimers;
		xsSlot argv[8];
		int argc = 0;
		xsSlot self, callback;
		xsBeginHost(machine);
		{
			self = timer->self;
			callback = timer->callback;
			if (timer->interval > 0) {
				xswsTimerUnlink(timer);
				timer->when += timer->interval;
				if (timer->when < now)
					timer->when = now + timer->interval;
				xswsTimerLink(timer);
			}
			else
				xswsTimerUnschedule(the, timer);
			/* keep the timer object alive across the call: it is on the XS stack as an argument
			   or `this` */
			if (timer->globalStyle) {
				if (xsmcTypeOf(timer->args) != xsUndefinedType) {
					xsIntegerValue length, i;
					xsmcVars(1);
					xsmcGet(xsVar(0), timer->args, xsID("length"));
					length = xsmcToInteger(xsVar(0));
					for (i = 0; (i < length) && (i < 8); i++) {
						xsmcGetIndex(xsVar(0), timer->args, i);
						argv[argc++] = xsVar(0);
					}
				}
			}
			else
				argv[argc++] = self;
		}
		xsEndHost(machine);
		xswsCall(machine, &self, &callback, argc, argv);
		xswsDrainJobs(machine);
		ran++;
	}
	return ran;
}
