/*
 * xsws-sim `net` (MIT): Net.resolve(name, callback) with the semantics of the board's
 * (Moddable SDK modules/network/net/esp/modResolve.c over lwIP's dns_gethostbyname):
 *   - asynchronous always: the callback runs from the loop, never on the caller's stack, even for
 *     an address literal or a failure found at once;
 *   - one look-up at a time, in the order asked (Moddable queues them and starts the next when
 *     one finishes), IPv4 only, the first address;
 *   - callback(name, address) with a dotted quad, or callback(name, undefined) when the name does
 *     not resolve, including names longer than lwIP's DNS_MAX_NAME_LENGTH (256).
 * The look-up itself (getaddrinfo, which may block on the network) runs on a worker thread, so the
 * loop keeps serving; its answer comes back through a pipe that loop.c polls.
 */
#include "xsmc.h"
#include "host.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* lwIP opt.h DNS_MAX_NAME_LENGTH: longer names fail with ERR_ARG */
#define XSWS_DNS_MAX_NAME_LENGTH 256

typedef struct xswsResolveRecord {
	struct xswsResolveRecord* next;
	xsMachine* the;
	xsSlot callback;
	uint8_t started;
	uint8_t resolved;
	char address[INET_ADDRSTRLEN];
	char name[1];
} xswsResolveRecord, *xswsResolve;

static xswsResolve gQueue = NULL;       /* loop thread only */
static xswsPoller gPoller;
static int gPipe[2] = { -1, -1 };

static void* xswsResolveThread(void* data)
{
	xswsResolve nr = data;
	struct addrinfo hints, *found = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if ((strlen(nr->name) < XSWS_DNS_MAX_NAME_LENGTH) && !getaddrinfo(nr->name, NULL, &hints, &found) && found) {
		struct sockaddr_in* in = (struct sockaddr_in*)found->ai_addr;
		inet_ntop(AF_INET, &in->sin_addr, nr->address, sizeof(nr->address));
		nr->resolved = 1;
	}
	if (found)
		freeaddrinfo(found);
	/* the loop thread owns the record again once it reads this pointer */
	while ((write(gPipe[1], &nr, sizeof(nr)) < 0) && (errno == EINTR))
		;
	return NULL;
}

static void xswsResolveNext(void)
{
	xswsResolve nr = gQueue;
	pthread_t thread;
	pthread_attr_t attributes;
	struct in_addr literal;
	if (!nr || nr->started)
		return;
	nr->started = 1;
	/* lwIP: an address literal (ipaddr_aton) or an over-long name is answered without a query,
	   but still later, through the machine's message queue */
	if (inet_aton(nr->name, &literal) || (strlen(nr->name) >= XSWS_DNS_MAX_NAME_LENGTH)) {
		if (inet_aton(nr->name, &literal)) {
			inet_ntop(AF_INET, &literal, nr->address, sizeof(nr->address));
			nr->resolved = 1;
		}
		xswsPollerWake(&gPoller);
		return;
	}
	pthread_attr_init(&attributes);
	pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attributes, xswsResolveThread, nr)) {
		nr->resolved = 0;   /* no thread: it does not resolve, as lwIP out of DNS table entries */
		xswsPollerWake(&gPoller);
	}
	pthread_attr_destroy(&attributes);
}

/* the head of the queue is answered: call back, then start the next */
static void xswsResolveDeliver(xswsResolve nr)
{
	xsMachine* the = nr->the;
	xsSlot argv[2];
	gQueue = nr->next;
	xsBeginHost(the);
	{
		xsSlot callback = nr->callback;
		argv[0] = xsString(nr->name);
		argv[1] = nr->resolved ? xsString(nr->address) : xsUndefined;
		xsForget(nr->callback);
		xswsCall(the, &xsGlobal, &callback, 2, argv);
	}
	xsEndHost(the);
	free(nr);
	if (gQueue)
		xswsResolveNext();
	else
		xswsPollerRemove(&gPoller);   /* nothing outstanding: the loop may end */
}

static void xswsResolveCallback(xswsMachine* the, xswsPoller* poller, int revents)
{
	if (revents & POLLIN) {
		xswsResolve nr;
		ssize_t got;
		while (((got = read(gPipe[0], &nr, sizeof(nr))) < 0) && (errno == EINTR))
			;
		if (got == sizeof(nr))
			xswsResolveDeliver(nr);
	}
	else if ((revents & XSWS_PENDING) && gQueue && gQueue->started) {
		/* answered without a thread */
		xswsResolveDeliver(gQueue);
	}
}

/* Net.resolve(name, callback) */
void xs_net_resolve(xsMachine* the)
{
	xswsResolve nr, *tail;
	char* name;
	size_t length;
	if ((xsmcArgc < 2) || (xsmcTypeOf(xsArg(1)) != xsReferenceType))
		xsTypeError("name and callback required");
	name = xsmcToString(xsArg(0));
	length = strlen(name);
	if (gPipe[0] < 0) {
		if (pipe2(gPipe, O_CLOEXEC))
			xsUnknownError("no resolver");
		gPoller.fd = gPipe[0];
		gPoller.events = POLLIN;
		gPoller.callback = xswsResolveCallback;
	}
	nr = calloc(1, sizeof(xswsResolveRecord) + length);
	if (!nr)
		xsUnknownError("out of memory");
	memcpy(nr->name, xsmcToString(xsArg(0)), length + 1);
	nr->the = the;
	nr->callback = xsArg(1);
	xsRemember(nr->callback);
	for (tail = &gQueue; *tail; tail = &(*tail)->next)
		;
	*tail = nr;
	xswsPollerAdd(&gPoller);   /* an outstanding look-up keeps the loop alive */
	xswsResolveNext();
}
