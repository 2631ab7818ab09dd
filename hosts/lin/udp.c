/*
 * xsws-sim UDP (MIT): `embedded:io/socket/udp` with the semantics of the board's implementation,
 * the Moddable SDK's ESP32 UDP over lwIP's raw API (modules/io/socket/lwip/udp.c), over a
 * non-blocking datagram socket driven by loop.c's poll(). hosts/lin/README.md has the table.
 *
 * Like lwIP's udpReceive(), received datagrams queue in the host until read(); one onReadable
 * (count of queued datagrams) is delivered for the arrivals of a loop turn, and datagrams not read
 * are not announced again. Each socket takes one of lwIP's UDP pcbs (MEMP_NUM_UDP_PCB).
 */
#include "sockets.h"

/* the simulator's own: on the board datagrams queue as pbufs until the heap runs out; here the
   queue is bounded so that a flood cannot take the desktop's memory, and the kernel drops the
   rest as a board out of pbufs drops them */
#define XSWS_UDP_QUEUE_BYTES 16384
#define XSWS_UDP_DATAGRAM_MAX 65536

typedef struct xswsDatagramRecord {
	struct xswsDatagramRecord* next;
	uint32_t address;          /* network order */
	uint16_t port;
	size_t length;
	uint8_t data[1];
} xswsDatagramRecord, *xswsDatagram;

typedef struct {
	xswsPoller poller;
	xsMachine* the;
	xswsDatagram queue, queueTail;
	size_t queued;             /* payload bytes queued */
	int count;
	uint8_t arrived;           /* datagrams came since the last delivery (lwIP readablePending) */
	uint8_t closed;
	xsSlot self;
	xsSlot onReadable;
} xswsUDPRecord, *xswsUDP;

static xsHostHooks gxUDPHooks;

static void xswsUDPDrop(xswsUDP udp)
{
	while (udp->queue) {
		xswsDatagram datagram = udp->queue;
		udp->queue = datagram->next;
		free(datagram);
	}
	udp->queueTail = NULL;
	udp->queued = 0;
	udp->count = 0;
}

static void xswsUDPRelease(xswsUDP udp)
{
	xswsPollerRemove(&udp->poller);
	if (udp->poller.fd >= 0)
		close(udp->poller.fd);
	udp->poller.fd = -1;
	xswsUDPDrop(udp);
	xswsHost.sockets--;
	xswsLwip.udpInUse--;
}

static void xswsUDPDestroy(void* data)
{
	xswsUDP udp = data;
	if (!udp)
		return;
	if (!udp->closed)
		xswsUDPRelease(udp);
	free(udp);
}

static void xswsUDPMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsUDP udp = data;
	if (udp)
		(*markRoot)(the, &udp->onReadable);
}

static xsHostHooks gxUDPHooks = { xswsUDPDestroy, xswsUDPMark, NULL };

static xswsUDP xswsUDPGet(xsMachine* the)
{
	xswsUDP udp = NULL;
	if (xswsHostHooksOf(the, &xsThis) == &gxUDPHooks)
		udp = xsmcGetHostData(xsThis);
	if (!udp || udp->closed)
		xsUnknownError("closed");
	return udp;
}

/* every datagram the kernel has, into the queue (lwIP udpReceive()), then one delivery */
static void xswsUDPCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsUDP udp = poller->ref;
	static uint8_t buffer[XSWS_UDP_DATAGRAM_MAX];
	if (revents & POLLIN) {
		for (;;) {
			struct sockaddr_in from;
			socklen_t length = sizeof(from);
			xswsDatagram datagram;
			ssize_t got = recvfrom(poller->fd, buffer, sizeof(buffer), MSG_DONTWAIT, (struct sockaddr*)&from, &length);
			if (got < 0) {
				if (errno == EINTR)
					continue;
				break;   /* EAGAIN, or an ICMP error of an earlier write: lwIP reports neither */
			}
			if ((udp->queued + (size_t)got) > XSWS_UDP_QUEUE_BYTES)
				continue;   /* no pbuf for it */
			datagram = malloc(sizeof(xswsDatagramRecord) + got);
			if (!datagram)
				continue;
			datagram->next = NULL;
			datagram->address = from.sin_addr.s_addr;
			datagram->port = ntohs(from.sin_port);
			datagram->length = (size_t)got;
			memcpy(datagram->data, buffer, got);
			if (udp->queueTail)
				udp->queueTail->next = datagram;
			else
				udp->queue = datagram;
			udp->queueTail = datagram;
			udp->queued += (size_t)got;
			udp->count++;
			udp->arrived = 1;
		}
	}
	/* lwIP udpDeliver(): the count of everything queued, once for the arrivals */
	if (udp->arrived && udp->count && (xsmcTypeOf(udp->onReadable) != xsUndefinedType)) {
		xsSlot self = udp->self;
		xsSlot argv[1];
		udp->arrived = 0;
		argv[0] = xsInteger(udp->count);
		xswsCall(the, &self, &udp->onReadable, 1, argv);
	}
	udp->arrived = 0;
}

/* new UDP({port, timeToLive, onReadable, format, target}): bound to every interface */
void xs_udp_constructor(xsMachine* the)
{
	xswsUDP udp;
	xsSlot* options;
	struct sockaddr_in address;
	int port = 0, ttl = -1, fd;
	xsSlot onReadable;
	xsmcVars(1);
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("options required");
	options = &xsArg(0);
	if (xsmcHas(*options, xsID("port"))) {
		xsmcGet(xsVar(0), *options, xsID("port"));
		port = xsmcToInteger(xsVar(0));
		if ((port < 0) || (port > 65535))
			xsRangeError("invalid port");
	}
	if (xsmcHas(*options, xsID("timeToLive"))) {
		xsmcGet(xsVar(0), *options, xsID("timeToLive"));
		ttl = xsmcToInteger(xsVar(0));
		if ((ttl <= 0) || (ttl > 255))
			xsRangeError("invalid timeToLive");
	}
	if (xsmcHas(*options, xsID("format"))) {
		xsmcGet(xsVar(0), *options, xsID("format"));
		if ((xsmcTypeOf(xsVar(0)) != xsUndefinedType) && strcmp(xsmcToString(xsVar(0)), "buffer"))
			xsRangeError("invalid format");
	}
	xswsGetCallback(the, options, "onReadable", &onReadable);   /* before anything is allocated */
	xswsSetTarget(the, options);
	/* lwIP udp_new(): one of MEMP_NUM_UDP_PCB */
	if (xswsLwip.udpPcbs && (xswsLwip.udpInUse >= xswsLwip.udpPcbs))
		xsRangeError("no socket");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		xsRangeError("no socket");
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_ANY);
	address.sin_port = htons(port);
	if (bind(fd, (struct sockaddr*)&address, sizeof(address)) < 0) {
		close(fd);
		xsUnknownError("bind failed");
	}
	if (ttl > 0)
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	udp = calloc(1, sizeof(xswsUDPRecord));
	if (!udp) {
		close(fd);
		xsRangeError("no memory");
	}
	udp->onReadable = onReadable;
	udp->poller.fd = fd;
	udp->poller.events = POLLIN;
	udp->poller.callback = xswsUDPCallback;
	udp->poller.ref = udp;
	udp->the = the;
	xsmcSetHostData(xsThis, udp);
	xsSetHostHooks(xsThis, &gxUDPHooks);
	udp->self = xsThis;
	xsRemember(udp->self);
	xswsHost.sockets++;
	xswsLwip.udpInUse++;
	xswsPollerAdd(&udp->poller);
}

void xs_udp_destructor(void* data)
{
	/* the class's own destructor; instances use gxUDPHooks (set by the constructor) */
}

void xs_udp_close(xsMachine* the)
{
	xswsUDP udp = NULL;
	if (xswsHostHooksOf(the, &xsThis) == &gxUDPHooks)
		udp = xsmcGetHostData(xsThis);
	if (!udp || udp->closed)
		return;
	udp->closed = 1;
	xswsUDPRelease(udp);
	udp->onReadable = xsUndefined;
	xsForget(udp->self);
}

/* read() -> the oldest datagram as an ArrayBuffer with `address` and `port`, or undefined */
void xs_udp_read(xsMachine* the)
{
	xswsUDP udp = xswsUDPGet(the);
	xswsDatagram datagram = udp->queue;
	char text[INET_ADDRSTRLEN];
	struct in_addr in;
	if (!datagram)
		return;
	udp->queue = datagram->next;
	if (!udp->queue)
		udp->queueTail = NULL;
	udp->queued -= datagram->length;
	udp->count--;
	xsmcVars(1);
	xsmcSetArrayBuffer(xsResult, datagram->data, (xsIntegerValue)datagram->length);
	xsmcSetInteger(xsVar(0), datagram->port);
	xsmcSet(xsResult, xsID("port"), xsVar(0));
	in.s_addr = datagram->address;
	inet_ntop(AF_INET, &in, text, sizeof(text));
	xsmcSetString(xsVar(0), text);
	xsmcSet(xsResult, xsID("address"), xsVar(0));
	free(datagram);
}

/* lwIP ipaddr_aton(): an IPv4 literal */
static void xswsUDPAddress(xsMachine* the, xsSlot* slot, struct in_addr* address)
{
	if ((xsmcTypeOf(*slot) != xsStringType) || !inet_aton(xsmcToString(*slot), address))
		xsRangeError("invalid IP address");
}

/* write(buffer, address, port): one datagram; a failed send throws "UDP send failed" */
void xs_udp_write(xsMachine* the)
{
	xswsUDP udp = xswsUDPGet(the);
	struct sockaddr_in to;
	void* data;
	xsUnsignedValue length;
	ssize_t sent;
	if (xsmcArgc < 3)
		xsTypeError("buffer, address and port required");
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	xswsUDPAddress(the, &xsArg(1), &to.sin_addr);
	to.sin_port = htons((uint16_t)xsmcToInteger(xsArg(2)));
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	do {
		sent = sendto(udp->poller.fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr*)&to, sizeof(to));
	} while ((sent < 0) && (errno == EINTR));
	if (sent < 0)
		xsUnknownError("UDP send failed");
}

static void xswsUDPMembership(xsMachine* the, int option)
{
	xswsUDP udp = xswsUDPGet(the);
	struct ip_mreq request;
	xswsUDPAddress(the, &xsArg(0), &request.imr_multiaddr);
	if ((option == IP_ADD_MEMBERSHIP) && (request.imr_multiaddr.s_addr == htonl(INADDR_BROADCAST)))
		xsUnknownError("broadcast is not multicast");
	request.imr_interface.s_addr = htonl(INADDR_ANY);
	/* lwIP igmp_joingroup() on every interface; its errors are not reported either */
	setsockopt(udp->poller.fd, IPPROTO_IP, option, &request, sizeof(request));
}

void xs_udp_add(xsMachine* the)
{
	xswsUDPMembership(the, IP_ADD_MEMBERSHIP);
}

void xs_udp_remove(xsMachine* the)
{
	xswsUDPMembership(the, IP_DROP_MEMBERSHIP);
}

void xs_udp_get_format(xsMachine* the)
{
	xsmcSetString(xsResult, "buffer");
}

void xs_udp_set_format(xsMachine* the)
{
	if (strcmp(xsmcToString(xsArg(0)), "buffer"))
		xsRangeError("invalid format");
}
