/*
 * xsws-sim event loop (MIT): one poll() over every registered descriptor, with the timeout of
 * the earliest timer; promise jobs drained after every callback.
 */
#include "xsAll.h"
#include "host.h"
#include <poll.h>

volatile int xswsStopRequested = 0;
int xswsSignalPipe[2] = { -1, -1 };

static xswsPoller* gPollers = NULL;
static int gPollerCount = 0;
/* the pollers of the current poll() call, parallel to gFds; removed ones are nulled */
static xswsPoller** gSnapshot = NULL;
static struct pollfd* gFds = NULL;
static int gSnapshotCount = 0;
static int gCapacity = 0;

void xswsPollerAdd(xswsPoller* poller)
{
	if (poller->registered)
		return;
	poller->next = gPollers;
	gPollers = poller;
	poller->registered = 1;
	gPollerCount++;
}

void xswsPollerRemove(xswsPoller* poller)
{
	xswsPoller** address = &gPollers;
	int i;
	if (!poller->registered)
		return;
	while (*address) {
		if (*address == poller) {
			*address = poller->next;
			break;
		}
		address = &((*address)->next);
	}
	poller->next = NULL;
	poller->registered = 0;
	poller->pending = 0;
	gPollerCount--;
	for (i = 0; i < gSnapshotCount; i++) {
		if (gSnapshot[i] == poller)
			gSnapshot[i] = NULL;
	}
}

void xswsPollerWake(xswsPoller* poller)
{
	poller->pending = 1;
}

void xswsDrainJobs(txMachine* the)
{
	do {
		while (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
		fxEndJob(the);
	} while (the->promiseJobs);
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

static void xswsPrintValue(txMachine* the, FILE* file, txSlot* slot)
{
	txString string = fxToString(the, slot);
	xswsWriteCESU8(file, string, c_strlen(string));
}

static void xswsReportSlot(txMachine* the, const char* prefix, txSlot* exception)
{
	/* exception is a copy on the C stack; push it so it stays alive while we look at it */
	mxTry(the) {
		txSlot* value;
		mxPushSlot(exception);
		value = the->stack;
		fflush(stdout);
		if (prefix)
			fprintf(stderr, "%s: ", prefix);
		if (mxIsReference(value)) {
			mxPushSlot(value);
			mxGetID(fxID(the, "stack"));
			if ((the->stack->kind == XS_STRING_KIND) || (the->stack->kind == XS_STRING_X_KIND)) {
				txString stack = the->stack->value.string;
				/* XS's stack string starts with "name: message" like V8's */
				xswsWriteCESU8(stderr, stack, c_strlen(stack));
			}
			else
				xswsPrintValue(the, stderr, value);
			mxPop();
		}
		else
			xswsPrintValue(the, stderr, value);
		fputc('\n', stderr);
		fflush(stderr);
		mxPop();
	}
	mxCatch(the) {
		fprintf(stderr, "(exception while printing an exception)\n");
	}
}

void xswsReportException(txMachine* the, const char* prefix)
{
	txSlot exception = mxException;
	mxException = mxUndefined;
	xswsReportSlot(the, prefix, &exception);
}

void xswsReportValue(txMachine* the, const char* prefix, void* value)
{
	xswsReportSlot(the, prefix, value);
}

int xswsCall(txMachine* the, void* thisSlot, void* fnSlot, int argc, void* argv)
{
	int ok = 1;
	int i;
	fxBeginHost(the);
	mxTry(the) {
		if (thisSlot)
			mxPushSlot((txSlot*)thisSlot);
		else
			mxPushUndefined();
		mxPushSlot((txSlot*)fnSlot);
		mxCall();
		for (i = 0; i < argc; i++)
			mxPushSlot(((txSlot*)argv) + i);
		mxRunCount(argc);
		mxPop();
	}
	mxCatch(the) {
		xswsReportException(the, "xsws-sim: uncaught exception in callback");
		ok = 0;
	}
	fxEndHost(the);
	return ok;
}

static void xswsEnsureCapacity(int count)
{
	if (count <= gCapacity)
		return;
	gCapacity = count + 32;
	gFds = realloc(gFds, gCapacity * sizeof(struct pollfd));
	gSnapshot = realloc(gSnapshot, gCapacity * sizeof(xswsPoller*));
	if (!gFds || !gSnapshot) {
		fprintf(stderr, "xsws-sim: out of memory (poll set)\n");
		exit(XSWS_EXIT_MEMORY);
	}
}

int xswsRunLoop(txMachine* the)
{
	for (;;) {
		xswsPoller* poller;
		double when;
		int hasTimer, timeout, count, i, anyPending = 0;
		double now;
		xswsDrainJobs(the);
		if (xswsStopRequested)
			return 0;
		hasTimer = xswsTimersNext(&when);
		if (!hasTimer && !gPollerCount)
			return 0;

		xswsEnsureCapacity(gPollerCount + 1);
		count = 0;
		gFds[count].fd = xswsSignalPipe[0];
		gFds[count].events = POLLIN;
		gFds[count].revents = 0;
		gSnapshot[count] = NULL;
		count++;
		for (poller = gPollers; poller; poller = poller->next) {
			short events = poller->events;
			if (poller->pending)
				anyPending = 1;
			if ((poller->deadline > 0) && (!hasTimer || (poller->deadline < when))) {
				hasTimer = 1;
				when = poller->deadline;
			}
			/* negative fd: poll() ignores it */
			gFds[count].fd = (events || poller->watchErrors) ? poller->fd : -1;
			gFds[count].events = events;
			gFds[count].revents = 0;
			gSnapshot[count] = poller;
			count++;
		}
		gSnapshotCount = count;
		if (anyPending)
			timeout = 0;
		else if (hasTimer) {
			double delta = when - xswsNow();
			if (delta <= 0)
				timeout = 0;
			else if (delta > 86400000.0)
				timeout = 86400000;
			else
				timeout = (int)ceil(delta);
		}
		else
			timeout = -1;

		if (poll(gFds, count, timeout) < 0) {
			if (errno != EINTR) {
				perror("xsws-sim: poll");
				return XSWS_EXIT_ERROR;
			}
		}
		if (xswsStopRequested || (gFds[0].revents & POLLIN))
			return 0;

		now = xswsNow();
		for (i = 1; i < count; i++) {
			int revents;
			poller = gSnapshot[i];
			if (!poller)
				continue;
			revents = gFds[i].revents;
			if ((poller->deadline > 0) && (poller->deadline <= now)) {
				poller->deadline = 0;
				revents |= XSWS_TIMEOUT;
			}
			if (poller->pending) {
				poller->pending = 0;
				revents |= XSWS_PENDING;
			}
			if (!revents)
				continue;
			(*poller->callback)(the, poller, revents);
			xswsDrainJobs(the);
			if (xswsStopRequested)
				return 0;
		}
		gSnapshotCount = 0;
		xswsTimersRun(the);
	}
}

/* The host hooks of a host object, or NULL for anything else (never throws). */
const void* xswsHostHooksOf(txMachine* the, void* slot)
{
	txSlot* it = slot;
	if ((it->kind == XS_REFERENCE_KIND) && (it = it->value.reference->next)) {
		if ((it->flag & XS_INTERNAL_FLAG) && (it->kind == XS_HOST_KIND) && (it->flag & XS_HOST_HOOKS_FLAG))
			return it->value.host.variant.hooks;
	}
	return NULL;
}
