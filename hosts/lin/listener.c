/*
 * xsws-sim listener (MIT): `embedded:io/socket/listener` with the semantics of the board's
 * implementation (Moddable SDK modules/io/socket/lwip/tcp.c, listener.js): it accepts at once and
 * holds connections until read(), announces only new arrivals, and takes a pcb from lwIP's pool
 * for each (none left: no accept()). hosts/lin/README.md has the table.
 */
#include "sockets.h"

/* the simulator's own */
#define XSWS_LISTEN_BACKLOG 4096   /* the kernel's accept queue (capped by net.core.somaxconn) */
#define XSWS_LISTEN_PENDING 1024   /* accepted connections held for read(); more wait in the kernel */

typedef struct xswsListenerRecord {
	xswsPoller poller;
	xsMachine* the;
	struct xswsListenerRecord* nextListener;
	xswsPending pending, pendingTail;
	int pendingCount;
	uint8_t starved;           /* accept() hit the descriptor limit or lwIP's pcb pool is empty:
	                              wait for a socket to close */
	uint8_t closed;
	xsSlot self;
	xsSlot onReadable;
} xswsListenerRecord, *xswsListener;

static xswsListener gListeners = NULL;

/* ---- Listener ------------------------------------------------------------------------- */

/* No pcb left: no accept(). lwIP's tcp_listen_input() drops the SYN when tcp_alloc() fails and the
   peer retransmits it; here the kernel completes the handshake and the peer waits in its accept
   queue. Either way the connection waits until a pcb is free. (A smaller kernel queue would not
   drop SYNs alone: Linux answers with SYN cookies and resets what it cannot queue.) */
static void xswsListenerUpdate(xswsListener listener)
{
	listener->poller.events = (!listener->starved && (listener->pendingCount < XSWS_LISTEN_PENDING)) ? POLLIN : 0;
}

void xswsListenersFed(void)
{
	xswsListener listener;
	for (listener = gListeners; listener; listener = listener->nextListener) {
		if (listener->starved) {
			listener->starved = 0;
			xswsListenerUpdate(listener);
		}
	}
}

static void xswsListenerUnlink(xswsListener listener)
{
	xswsListener* address = &gListeners;
	while (*address) {
		if (*address == listener) {
			*address = listener->nextListener;
			break;
		}
		address = &(*address)->nextListener;
	}
}

static void xswsListenerDropPending(xswsListener listener)
{
	while (listener->pending) {
		xswsPending pending = listener->pending;
		listener->pending = pending->next;
		close(pending->fd);
		xswsPcbDrop(&pending->pcb);
		free(pending);
	}
	listener->pendingTail = NULL;
	listener->pendingCount = 0;
}

static void xswsListenerDestroy(void* data)
{
	xswsListener listener = data;
	if (!listener)
		return;
	if (!listener->closed) {
		xswsPollerRemove(&listener->poller);
		close(listener->poller.fd);
		xswsListenerDropPending(listener);
		xswsListenerUnlink(listener);
		xswsHost.listeners--;
		xswsLwip.listenInUse--;
	}
	free(listener);
}

static void xswsListenerMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsListener listener = data;
	if (listener)
		(*markRoot)(the, &listener->onReadable);
}

static xsHostHooks gxListenerHooks = { xswsListenerDestroy, xswsListenerMark, NULL };

static xswsListener xswsListenerGet(xsMachine* the)
{
	xswsListener listener = NULL;
	if (xswsHostHooksOf(the, &xsThis) == &gxListenerHooks)
		listener = xsmcGetHostData(xsThis);
	if (!listener || listener->closed)
		xsUnknownError("closed");
	return listener;
}

/* new connections are taken from the kernel and held for read() (lwIP listenerAccept());
   onReadable(count of held connections) is raised only when new ones arrived (listenerDeliver()) */
static void xswsListenerCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsListener listener = poller->ref;
	int arrived = 0;
	if (!(revents & POLLIN))
		return;
	while (listener->pendingCount < XSWS_LISTEN_PENDING) {
		struct sockaddr_storage storage;
		socklen_t length = sizeof(storage);
		xswsPending pending;
		uint8_t pcb = 0;
		int fd;
		if (!xswsPcbTake(&pcb)) {
			listener->starved = 1;   /* until a pcb is released */
			break;
		}
		fd = accept4(poller->fd, (struct sockaddr*)&storage, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			xswsPcbDrop(&pcb);
			if ((errno == EINTR) || (errno == ECONNABORTED))
				continue;
			if ((errno == EMFILE) || (errno == ENFILE) || (errno == ENOBUFS) || (errno == ENOMEM))
				listener->starved = 1;
			break;
		}
		pending = calloc(1, sizeof(xswsPendingRecord));
		if (!pending) {
			xswsPcbDrop(&pcb);
			xswsCloseReset(fd);
			break;
		}
		xswsSizeSocket(fd);
		pending->fd = fd;
		pending->pcb = pcb;
		xswsFormatPeer(&storage, pending->peerAddress, sizeof(pending->peerAddress), &pending->peerPort);
		if (listener->pendingTail)
			listener->pendingTail->next = pending;
		else
			listener->pending = pending;
		listener->pendingTail = pending;
		listener->pendingCount++;
		arrived++;
	}
	xswsListenerUpdate(listener);
	if (arrived && (xsmcTypeOf(listener->onReadable) != xsUndefinedType)) {
		xsSlot self = listener->self;
		xsSlot argv[1];
		argv[0] = xsInteger(listener->pendingCount);
		xswsCall(the, &self, &listener->onReadable, 1, argv);
	}
}

/* new Listener({port, onReadable(count), target}); like lwIP it binds every interface (the board
   ignores `address`) */
void xs_listener_constructor(xsMachine* the)
{
	xswsListener listener;
	xsSlot* options;
	struct sockaddr_in address;
	int port = 0, fd, flag = 1;
	xsmcVars(2);
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("options required");
	options = &xsArg(0);
	if (xsmcHas(*options, xsID("port"))) {
		xsmcGet(xsVar(0), *options, xsID("port"));
		if (xsmcTypeOf(xsVar(0)) != xsUndefinedType)
			port = xsmcToInteger(xsVar(0));
	}
	if ((port < 0) || (port > 65535))
		xsRangeError("invalid port");
	if (xsmcHas(*options, xsID("format"))) {
		xsmcGet(xsVar(0), *options, xsID("format"));
		if ((xsmcTypeOf(xsVar(0)) != xsUndefinedType) && strcmp(xsmcToString(xsVar(0)), "socket/tcp"))
			xsRangeError("unimplemented");
	}

	listener = calloc(1, sizeof(xswsListenerRecord));
	if (!listener)
		xsRangeError("no memory");
	listener->poller.fd = -1;
	listener->onReadable = xsUndefined;
	listener->closed = 1;   /* until it listens */
	xsmcSetHostData(xsThis, listener);
	xsSetHostHooks(xsThis, &gxListenerHooks);
	xswsGetCallback(the, options, "onReadable", &listener->onReadable);

	/* lwIP tcp_new() takes a pcb that tcp_listen() trades for one of MEMP_NUM_TCP_PCB_LISTEN */
	if (xswsLwip.tcpPcbs && (xswsLwip.tcpInUse >= xswsLwip.tcpPcbs))
		xsUnknownError("no socket");
	if (xswsLwip.listenPcbs && (xswsLwip.listenInUse >= xswsLwip.listenPcbs))
		xsRangeError("no memory");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		xsUnknownError("no socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &flag, sizeof(flag));
	xswsSizeSocket(fd);
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_ANY);
	address.sin_port = htons(port);
	if ((bind(fd, (struct sockaddr*)&address, sizeof(address)) < 0) || (listen(fd, XSWS_LISTEN_BACKLOG) < 0)) {
		int error = errno;
		close(fd);
		xsUnknownError("socket bind: port %d: %s", port, strerror(error));
	}
	listener->closed = 0;
	listener->poller.fd = fd;
	listener->poller.callback = xswsListenerCallback;
	listener->poller.ref = listener;
	listener->the = the;
	listener->nextListener = gListeners;
	gListeners = listener;
	xswsHost.listeners++;
	xswsLwip.listenInUse++;
	xswsSetTarget(the, options);
	listener->self = xsThis;
	xsRemember(listener->self);
	xswsListenerUpdate(listener);
	xswsPollerAdd(&listener->poller);
}

void xs_listener_destructor(void* data)
{
}

/* read() -> the oldest held connection, for new TCP({from}), or undefined (lwIP xs_listener_read) */
void xs_listener_read(xsMachine* the)
{
	xswsListener listener = xswsListenerGet(the);
	xswsPending pending = listener->pending;
	if (!pending)
		return;
	listener->pending = pending->next;
	if (!listener->pending)
		listener->pendingTail = NULL;
	pending->next = NULL;
	listener->pendingCount--;
	xswsListenerUpdate(listener);
	xsResult = xsNewHostObject(NULL);
	xsmcSetHostData(xsResult, pending);
	xsSetHostHooks(xsResult, &gxPendingHooks);
}

/* close(): the held connections are closed too (lwIP xs_listener_destructor_) */
void xs_listener_close(xsMachine* the)
{
	xswsListener listener = NULL;
	if (xswsHostHooksOf(the, &xsThis) == &gxListenerHooks)
		listener = xsmcGetHostData(xsThis);
	if (!listener || listener->closed)
		return;
	listener->closed = 1;
	xswsPollerRemove(&listener->poller);
	close(listener->poller.fd);
	listener->poller.fd = -1;
	xswsListenerDropPending(listener);
	xswsListenerUnlink(listener);
	xswsHost.listeners--;
	xswsLwip.listenInUse--;
	xswsListenersFed();   /* the pcbs its held connections had */
	listener->onReadable = xsUndefined;
	xsForget(listener->self);
}

void xs_listener_get_port(xsMachine* the)
{
	xswsListener listener = xswsListenerGet(the);
	struct sockaddr_in address;
	socklen_t length = sizeof(address);
	if (getsockname(listener->poller.fd, (struct sockaddr*)&address, &length) < 0)
		return;
	xsmcSetInteger(xsResult, ntohs(address.sin_port));
}
