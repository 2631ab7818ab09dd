/*
 * xsws-sim sockets (MIT): `embedded:io/socket/tcp` and `embedded:io/socket/listener` with the
 * semantics of the board's implementation, the Moddable SDK's ESP32 sockets over lwIP
 * (modules/io/socket/lwip/tcp.c, listener.js), over non-blocking BSD sockets driven by loop.c's
 * poll(). The simulator must never be kinder than the board: where lwIP's behaviour is awkward
 * (an error is noted before the buffered bytes are read, writes refused after it, a listener that
 * speaks only of new arrivals, no pause()), this file does the same. hosts/lin/README.md has the
 * table of behaviours with the lwIP functions they come from.
 *
 * What the board keeps in lwIP pbufs and its send buffer, this file keeps in two small host
 * buffers per socket: `rx` (received, not read yet: at most TCP_WND bytes, so TCP pushes back on
 * the peer once it is full) and `tx` (accepted by write(), not taken by the kernel yet). Events
 * are collected as lwIP's tcpTrigger() does and delivered once per loop turn (tcpDeliver()).
 */
#include "xsmc.h"
#include "host.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* lwIP's sizes and pools on the board: the profile's (main.c --tcp-pcbs ...; these defaults are
   Moddable's ESP32 sdkconfig.defaults, see hosts/lin/README.md) */
xswsLwipState xswsLwip = {
	.tcpPcbs = 8, .listenPcbs = 4, .udpPcbs = 16,
	.sndBuf = 8192, .wnd = 8192, .mss = 1436,
};
/* the simulator's own */
#define XSWS_LINGER_MS 10000       /* a closed socket keeps sending what write() accepted this long */
#define XSWS_FIN_WAIT_MS 20000     /* lwIP TCP_FIN_WAIT_TIMEOUT: a closed pcb waits this long for the peer's FIN */
#define XSWS_LISTEN_BACKLOG 4096   /* the kernel's accept queue (capped by net.core.somaxconn) */
#define XSWS_LISTEN_PENDING 1024   /* accepted connections held for read(); more wait in the kernel */

/* lwIP tcp.c's trigger bits */
enum {
	kTCPWritable = 1 << 0,
	kTCPReadable = 1 << 1,
	kTCPError = 1 << 2,
};

typedef struct xswsTCPRecordTag {
	xswsPoller poller;
	xsMachine* the;
	uint8_t connecting;        /* connect() in progress: not ready */
	uint8_t ready;             /* lwIP tcp->ready: write() throws "not ready" when 0 */
	uint8_t error;             /* lwIP tcp->error: the failure was noted by a delivery */
	uint8_t gone;              /* reset or failed (lwIP tcpError: skt == NULL): writes do nothing */
	uint8_t eof;               /* the peer's FIN was read (lwIP tcpReceive with no pbuf) */
	uint8_t triggered;         /* kTCP* bits for the next delivery */
	uint8_t closed;
	uint8_t delivering;        /* a delivery is on the C stack: the record is freed after it */
	uint8_t freeLater;
	uint8_t pcb;               /* holds one of lwIP's MEMP_NUM_TCP_PCB */
	uint8_t finWait;           /* a closed pcb whose tail is sent: waiting for the peer's FIN */
	uint8_t* rx;               /* received, not read yet: rx[rxStart .. rxStart + rxLength) */
	size_t rxStart, rxLength;
	uint8_t* tx;               /* accepted by write(), not taken by the kernel yet */
	size_t txLength;
	size_t unacked;            /* handed to the kernel since the last delivery: the board counts them
	                              against tcp_sndbuf() until they are ACKed */
	char peerAddress[INET6_ADDRSTRLEN];
	int peerPort;
	xsSlot self;
	xsSlot onReadable;
	xsSlot onWritable;
	xsSlot onError;
} xswsTCPRecord, *xswsTCP;

typedef struct xswsPendingRecord {
	struct xswsPendingRecord* next;
	int fd;
	uint8_t pcb;
	char peerAddress[INET6_ADDRSTRLEN];
	int peerPort;
} xswsPendingRecord, *xswsPending;

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

/* ---- helpers ------------------------------------------------------------------------------ */

static void xswsGetCallback(xsMachine* the, xsSlot* options, const char* name, xsSlot* dst)
{
	*dst = xsUndefined;
	if (xsmcHas(*options, xsID(name))) {
		xsmcGet(xsVar(0), *options, xsID(name));
		if (xsmcTypeOf(xsVar(0)) != xsUndefinedType) {
			if (!xsmcIsInstanceOf(xsVar(0), xsFunctionPrototype))
				xsTypeError("%s is not a function", name);
			*dst = xsVar(0);
		}
	}
}

static void xswsFormatPeer(struct sockaddr_storage* storage, char* buffer, size_t size, int* port)
{
	buffer[0] = 0;
	*port = 0;
	if (storage->ss_family == AF_INET) {
		struct sockaddr_in* in = (struct sockaddr_in*)storage;
		inet_ntop(AF_INET, &in->sin_addr, buffer, size);
		*port = ntohs(in->sin_port);
	}
}

static void xswsSetTarget(xsMachine* the, xsSlot* options)
{
	/* Moddable builtinInitializeTarget() */
	if (xsmcHas(*options, xsID("target"))) {
		xsmcGet(xsVar(0), *options, xsID("target"));
		xsmcSet(xsThis, xsID("target"), xsVar(0));
	}
}

/* A descriptor was closed: listeners that ran out of descriptors may accept again. */
static void xswsListenersFed(void);
static void xswsLingerCallback(xsMachine* the, xswsPoller* poller, int revents);
static void xswsLingerFinWait(struct xswsTCPRecordTag* linger);

/* Close a connection's descriptor: a listener out of descriptors may accept again */
static void xswsCloseFd(int fd)
{
	close(fd);
	xswsListenersFed();
}

/* Close with RST: what lwIP's tcp_close() does when received data was never read (rcv_wnd not
   fully reopened by tcp_recved), and what an aborted socket does. Unsent bytes are lost. */
static void xswsCloseReset(int fd)
{
	struct linger hard = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	xswsCloseFd(fd);
}

/* The kernel's buffers sized as lwIP's: the send buffer about TCP_SND_BUF (Linux would grow it to
   megabytes), the receive buffer as small as Linux allows, so that with the TCP_WND bytes the host
   holds for read() the peer is pushed back after about the board's window; segments of lwIP's
   MSS. On a listening socket, before listen(): accepted sockets inherit the sizes and the MSS
   their SYN-ACK advertises. */
static void xswsSizeSocket(int fd)
{
	int send = xswsLwip.sndBuf, receive = 1, mss = xswsLwip.mss;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send, sizeof(send));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive, sizeof(receive));
	setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
}

/* lwIP tcp_alloc(): every connection, accepted, connecting, open, or closed but still sending or
   in FIN_WAIT, takes a pcb from a pool of MEMP_NUM_TCP_PCB. None left: no new connection.
   (TIME_WAIT pcbs are taken back by tcp_alloc() when the pool is empty, so none is held here.) */
static int xswsPcbTake(uint8_t* held)
{
	if (xswsLwip.tcpPcbs && (xswsLwip.tcpInUse >= xswsLwip.tcpPcbs))
		return 0;
	xswsLwip.tcpInUse++;
	*held = 1;
	return 1;
}

/* give a pcb back without telling the listeners (they are being closed, or are accepting now) */
static void xswsPcbDrop(uint8_t* held)
{
	if (*held) {
		*held = 0;
		xswsLwip.tcpInUse--;
	}
}

static void xswsPcbRelease(uint8_t* held)
{
	if (*held) {
		xswsPcbDrop(held);
		xswsListenersFed();
	}
}

/* ---- accepted connections, between Listener.read() and new TCP({from}) -------------------- */

static void xswsPendingDestroy(void* data)
{
	xswsPending pending = data;
	if (pending) {
		xswsCloseFd(pending->fd);
		xswsPcbRelease(&pending->pcb);
		free(pending);
	}
}
static xsHostHooks gxPendingHooks = { xswsPendingDestroy, NULL, NULL };

/* ---- TCP ---------------------------------------------------------------------------------- */

static xsHostHooks gxTCPHooks;

static size_t xswsTCPSndbuf(xswsTCP tcp)
{
	size_t used = tcp->txLength + tcp->unacked;
	return (used < (size_t)xswsLwip.sndBuf) ? (size_t)xswsLwip.sndBuf - used : 0;
}

/* which poll() events the socket waits for now */
static void xswsTCPUpdate(xswsTCP tcp)
{
	short events = 0;
	if (tcp->closed)
		return;
	if (tcp->connecting)
		events = POLLOUT;
	else if (!tcp->gone) {
		/* not reading is the flow control: with TCP_WND bytes unread, TCP pushes back */
		if (!tcp->eof && (tcp->rxLength < (size_t)xswsLwip.wnd))
			events |= POLLIN;
		if (tcp->txLength)
			events |= POLLOUT;
	}
	tcp->poller.events = events;
	/* a reset still surfaces (POLLERR/POLLHUP) while the window is full */
	tcp->poller.watchErrors = !tcp->gone;
	xswsPollerAdd(&tcp->poller);
}

/* lwIP tcpTrigger(): collect; the next loop turn delivers */
static void xswsTCPTrigger(xswsTCP tcp, uint8_t trigger)
{
	tcp->triggered |= trigger;
	xswsPollerWake(&tcp->poller);
}

/* the connection is dead (lwIP tcpError(): the pcb is gone) */
static void xswsTCPGone(xswsTCP tcp)
{
	tcp->gone = 1;
	tcp->txLength = 0;
	tcp->unacked = 0;
	xswsPcbRelease(&tcp->pcb);   /* lwIP frees the pcb before it calls tcpError() */
	xswsTCPTrigger(tcp, kTCPError);
}

static void xswsTCPFree(xswsTCP tcp)
{
	free(tcp->rx);
	free(tcp->tx);
	free(tcp);
}

static void xswsTCPDestroy(void* data)
{
	xswsTCP tcp = data;
	if (!tcp)
		return;
	if (!tcp->closed) {
		/* cannot happen while open (open sockets are remembered); be safe */
		xswsPollerRemove(&tcp->poller);
		if (tcp->poller.fd >= 0)
			close(tcp->poller.fd);
		xswsPcbRelease(&tcp->pcb);
		xswsHost.sockets--;
	}
	if (tcp->delivering)
		tcp->freeLater = 1;
	else
		xswsTCPFree(tcp);
}

static void xswsTCPMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsTCP tcp = data;
	if (tcp) {
		(*markRoot)(the, &tcp->onReadable);
		(*markRoot)(the, &tcp->onWritable);
		(*markRoot)(the, &tcp->onError);
	}
}

static xsHostHooks gxTCPHooks = { xswsTCPDestroy, xswsTCPMark, NULL };

static xswsTCP xswsTCPGet(xsMachine* the)
{
	xswsTCP tcp = NULL;
	if (xswsHostHooksOf(the, &xsThis) == &gxTCPHooks)
		tcp = xsmcGetHostData(xsThis);
	if (!tcp || tcp->closed)
		xsUnknownError("closed");   /* Moddable: xsmcGetHostDataValidate() fails after close() */
	return tcp;
}

static void xswsTCPCall(xsMachine* the, xswsTCP tcp, xsSlot* callback, int argc, double value)
{
	xsSlot argv[1];
	xsSlot self = tcp->self;
	if (argc)
		argv[0] = xsNumber(value);
	xswsCall(the, &self, callback, argc, argv);
}

/* lwIP tcpDeliver(): one delivery of what was triggered, in lwIP's order */
static void xswsTCPDeliver(xsMachine* the, xswsTCP tcp)
{
	uint8_t triggered = tcp->triggered;
	tcp->triggered = 0;
	if (!triggered)
		return;
	tcp->delivering = 1;
	if (triggered & kTCPError) {
		triggered &= ~kTCPWritable;
		tcp->error = 1;
		tcp->ready = 0;
	}
	if ((triggered & kTCPReadable) && tcp->rxLength && (xsmcTypeOf(tcp->onReadable) != xsUndefinedType))
		xswsTCPCall(the, tcp, &tcp->onReadable, 1, (double)tcp->rxLength);
	if (!tcp->closed) {
		if (tcp->rxLength && tcp->error)
			;   /* the error is delivered once the buffered bytes have been read */
		else if (!tcp->error) {
			/* as an ACK does: only when there is room */
			if ((triggered & kTCPWritable) && !tcp->gone && xswsTCPSndbuf(tcp) && (xsmcTypeOf(tcp->onWritable) != xsUndefinedType))
				xswsTCPCall(the, tcp, &tcp->onWritable, 1, (double)xswsTCPSndbuf(tcp));
		}
		else if (xsmcTypeOf(tcp->onError) != xsUndefinedType)
			xswsTCPCall(the, tcp, &tcp->onError, 0, 0);
	}
	tcp->delivering = 0;
	if (tcp->freeLater)
		xswsTCPFree(tcp);
	else
		xswsTCPUpdate(tcp);
}

/* received bytes into rx (lwIP tcpReceive()) */
static void xswsTCPReceive(xswsTCP tcp)
{
	ssize_t got;
	size_t room;
	if (!tcp->rx) {
		tcp->rx = malloc(xswsLwip.wnd);
		if (!tcp->rx)
			return;   /* lwIP: ERR_MEM, retried later */
	}
	if (tcp->rxStart) {
		memmove(tcp->rx, tcp->rx + tcp->rxStart, tcp->rxLength);
		tcp->rxStart = 0;
	}
	room = (size_t)xswsLwip.wnd - tcp->rxLength;
	if (!room)
		return;
	do {
		got = recv(tcp->poller.fd, tcp->rx + tcp->rxLength, room, MSG_DONTWAIT);
	} while ((got < 0) && (errno == EINTR));
	if (got > 0) {
		tcp->rxLength += got;
		xswsTCPTrigger(tcp, kTCPReadable);
	}
	else if (got == 0) {
		/* the peer's FIN is an error on the board too; sending still works until it is noted */
		tcp->eof = 1;
		xswsTCPTrigger(tcp, kTCPError);
	}
	else if ((errno != EAGAIN) && (errno != EWOULDBLOCK))
		xswsTCPGone(tcp);
}

/* hand tx to the kernel; what it takes frees room, as an ACK does on the board (tcpSent()) */
static void xswsTCPFlush(xswsTCP tcp)
{
	size_t moved = 0;
	while (moved < tcp->txLength) {
		ssize_t sent = send(tcp->poller.fd, tcp->tx + moved, tcp->txLength - moved, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent > 0)
			moved += sent;
		else if ((sent < 0) && (errno == EINTR))
			continue;
		else if ((sent < 0) && ((errno == EAGAIN) || (errno == EWOULDBLOCK)))
			break;
		else {
			xswsTCPGone(tcp);
			return;
		}
	}
	if (moved) {
		memmove(tcp->tx, tcp->tx + moved, tcp->txLength - moved);
		tcp->txLength -= moved;
		if (!tcp->txLength) {
			free(tcp->tx);
			tcp->tx = NULL;
		}
		xswsTCPTrigger(tcp, kTCPWritable);
	}
}

static void xswsTCPCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsTCP tcp = poller->ref;
	if (tcp->connecting) {
		if (revents & (POLLOUT | POLLERR | POLLHUP)) {
			int error = 0;
			socklen_t length = sizeof(error);
			if (getsockopt(poller->fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
				error = errno;
			tcp->connecting = 0;
			if (error || (revents & (POLLERR | POLLHUP)))
				xswsTCPGone(tcp);
			else {
				struct sockaddr_storage storage;
				socklen_t size = sizeof(storage);
				if (getpeername(poller->fd, (struct sockaddr*)&storage, &size) == 0)
					xswsFormatPeer(&storage, tcp->peerAddress, sizeof(tcp->peerAddress), &tcp->peerPort);
				tcp->ready = 1;   /* lwIP tcpConnect() */
				xswsTCPTrigger(tcp, kTCPWritable);
			}
		}
	}
	else if (!tcp->gone) {
		if (revents & POLLIN)
			xswsTCPReceive(tcp);
		else if (revents & (POLLERR | POLLHUP))
			xswsTCPGone(tcp);   /* reset while not reading */
		if (!tcp->gone && tcp->unacked) {
			/* last turn's bytes are ACKed now */
			tcp->unacked = 0;
			xswsTCPTrigger(tcp, kTCPWritable);
		}
		if (!tcp->gone && tcp->txLength && (revents & (POLLOUT | POLLERR | POLLHUP)))
			xswsTCPFlush(tcp);
	}
	xswsTCPDeliver(the, tcp);
}

/* new TCP({address, port} | {from}, onReadable, onWritable, onError, format, nodelay, target) */
void xs_tcp_constructor(xsMachine* the)
{
	xswsTCP tcp;
	xsSlot* options;
	int fd = -1;
	xsmcVars(2);
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("options required");
	options = &xsArg(0);

	if (xsmcHas(*options, xsID("format"))) {
		xsmcGet(xsVar(0), *options, xsID("format"));
		if ((xsmcTypeOf(xsVar(0)) != xsUndefinedType) && strcmp(xsmcToString(xsVar(0)), "buffer"))
			xsRangeError("unimplemented");
	}

	tcp = calloc(1, sizeof(xswsTCPRecord));
	if (!tcp)
		xsRangeError("no memory");
	tcp->poller.fd = -1;
	tcp->onReadable = tcp->onWritable = tcp->onError = xsUndefined;
	xsmcSetHostData(xsThis, tcp);
	xsSetHostHooks(xsThis, &gxTCPHooks);

	xswsGetCallback(the, options, "onReadable", &tcp->onReadable);
	xswsGetCallback(the, options, "onWritable", &tcp->onWritable);
	xswsGetCallback(the, options, "onError", &tcp->onError);

	if (xsmcHas(*options, xsID("from"))) {
		xswsPending pending;
		xsmcGet(xsVar(0), *options, xsID("from"));
		if (xswsHostHooksOf(the, &xsVar(0)) != &gxPendingHooks)
			xsUnknownError("invalid from");
		pending = xsmcGetHostData(xsVar(0));
		if (!pending)
			xsUnknownError("invalid from");
		xsmcSetHostData(xsVar(0), NULL);
		fd = pending->fd;
		tcp->pcb = pending->pcb;   /* the pcb lwIP allocated when the SYN came */
		memcpy(tcp->peerAddress, pending->peerAddress, sizeof(tcp->peerAddress));
		tcp->peerPort = pending->peerPort;
		free(pending);
		tcp->ready = 1;   /* lwIP xs_listener_read() */
		/* lwIP: a socket made from an accepted one reports its send space at once */
		tcp->triggered = kTCPWritable;
	}
	else {
		struct sockaddr_in address;
		int port;
		memset(&address, 0, sizeof(address));
		xsmcGet(xsVar(0), *options, xsID("address"));
		/* lwIP ipaddr_aton(): a literal address only, no host names */
		if ((xsmcTypeOf(xsVar(0)) != xsStringType) || !inet_aton(xsmcToString(xsVar(0)), &address.sin_addr))
			xsUnknownError("invalid address");
		xsmcGet(xsVar(1), *options, xsID("port"));
		port = xsmcToInteger(xsVar(1));
		if ((port < 0) || (port > 65535))
			xsRangeError("invalid port");
		address.sin_family = AF_INET;
		address.sin_port = htons(port);
		if (!xswsPcbTake(&tcp->pcb))
			xsRangeError("no socket");   /* lwIP tcp_new() found the pcb pool empty */
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			xswsPcbRelease(&tcp->pcb);
			xsRangeError("no socket");
		}
		xswsSizeSocket(fd);
		tcp->connecting = 1;
		if ((connect(fd, (struct sockaddr*)&address, sizeof(address)) < 0) && (errno != EINPROGRESS)) {
			/* on the board a refusal always arrives later, through tcpError(), which frees the pcb */
			tcp->connecting = 0;
			tcp->gone = 1;
			xswsPcbRelease(&tcp->pcb);
			tcp->triggered = kTCPError;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
	tcp->poller.fd = fd;
	tcp->poller.callback = xswsTCPCallback;
	tcp->poller.ref = tcp;
	tcp->the = the;
	xswsHost.sockets++;

	if (xsmcHas(*options, xsID("nodelay"))) {
		int flag;
		xsmcGet(xsVar(0), *options, xsID("nodelay"));
		flag = xsmcTest(xsVar(0)) ? 1 : 0;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &flag, sizeof(flag));
	}
	xswsSetTarget(the, options);

	tcp->self = xsThis;
	xsRemember(tcp->self);
	xswsTCPUpdate(tcp);
	if (tcp->triggered)
		xswsPollerWake(&tcp->poller);
}

void xs_tcp_destructor(void* data)
{
	/* the class's own destructor; instances use gxTCPHooks (set by the constructor) */
}

/* close(): lwIP doClose() + tcp_close() */
void xs_tcp_close(xsMachine* the)
{
	xswsTCP tcp = NULL;
	int fd, unread = 0;
	if (xswsHostHooksOf(the, &xsThis) == &gxTCPHooks)
		tcp = xsmcGetHostData(xsThis);
	if (!tcp || tcp->closed)
		return;
	fd = tcp->poller.fd;
	xswsPollerRemove(&tcp->poller);
	tcp->closed = 1;
	tcp->triggered = 0;
	tcp->poller.fd = -1;
	xswsHost.sockets--;
	tcp->onReadable = tcp->onWritable = tcp->onError = xsUndefined;
	xsForget(tcp->self);
	if (fd < 0)
		return;
	if (tcp->gone) {
		xswsCloseFd(fd);
		xswsPcbRelease(&tcp->pcb);   /* (already released when it went) */
		return;
	}
	if (!tcp->rxLength && !tcp->eof && (ioctl(fd, FIONREAD, &unread) < 0))
		unread = 0;
	if (tcp->rxLength || (unread > 0)) {
		/* lwIP tcp_close_shutdown(): received data the firmware never read makes it send RST */
		xswsCloseReset(fd);
		xswsPcbRelease(&tcp->pcb);
		return;
	}
	{
		/* lwIP keeps the pcb after tcp_close(): it sends what tcp_write() took, then its FIN, and
		   waits in FIN_WAIT for the peer's; so does this record, holding the pcb meanwhile */
		xswsTCP linger = calloc(1, sizeof(xswsTCPRecord));
		if (linger) {
			linger->pcb = tcp->pcb;
			tcp->pcb = 0;
			linger->tx = tcp->tx;
			linger->txLength = tcp->txLength;
			tcp->tx = NULL;
			tcp->txLength = 0;
			linger->poller.fd = fd;
			linger->poller.events = POLLIN;
			linger->poller.watchErrors = 1;
			linger->poller.callback = xswsLingerCallback;
			linger->poller.ref = linger;
			if (linger->txLength) {
				linger->poller.events |= POLLOUT;
				linger->poller.deadline = xswsNow() + XSWS_LINGER_MS;
			}
			else
				xswsLingerFinWait(linger);
			xswsPollerAdd(&linger->poller);
			return;
		}
	}
	xswsCloseFd(fd);
	xswsPcbRelease(&tcp->pcb);
}

/* everything is sent: FIN, then wait for the peer's (lwIP FIN_WAIT_1/2) */
static void xswsLingerFinWait(xswsTCP linger)
{
	linger->finWait = 1;
	shutdown(linger->poller.fd, SHUT_WR);
	linger->poller.events = POLLIN;
	linger->poller.deadline = xswsNow() + XSWS_FIN_WAIT_MS;
}

/* a pcb the firmware closed: sends the bytes write() accepted, then waits for the peer's FIN.
   Data from the peer aborts it (lwIP: data on a pcb closed for receiving → tcp_abort(), RST);
   the peer's FIN frees it (TIME_WAIT, which lwIP takes back when it needs the pcb) */
static void xswsLingerCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsTCP linger = poller->ref;
	int done = 0, reset = 0;
	if (revents & XSWS_TIMEOUT)
		done = reset = 1;
	else if (revents & (POLLERR | POLLNVAL))
		done = 1;
	else if (revents & (POLLIN | POLLHUP)) {
		uint8_t byte;
		ssize_t got = recv(poller->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
		if (got > 0)
			done = reset = 1;
		else if ((got == 0) || ((errno != EAGAIN) && (errno != EWOULDBLOCK) && (errno != EINTR)))
			done = 1;   /* the peer's FIN (or its reset): nothing more to wait for */
	}
	else if ((revents & POLLOUT) && !linger->finWait) {
		ssize_t sent = send(poller->fd, linger->tx, linger->txLength, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent > 0) {
			memmove(linger->tx, linger->tx + sent, linger->txLength - sent);
			linger->txLength -= sent;
		}
		else if ((sent < 0) && (errno != EAGAIN) && (errno != EWOULDBLOCK) && (errno != EINTR))
			done = 1;
		if (!done && !linger->txLength)
			xswsLingerFinWait(linger);
	}
	if (done) {
		xswsPollerRemove(poller);
		if (reset)
			xswsCloseReset(poller->fd);
		else
			xswsCloseFd(poller->fd);
		xswsPcbRelease(&linger->pcb);
		xswsTCPFree(linger);
	}
}

/* read() -> ArrayBuffer of everything buffered; read(n) -> n bytes; read(buffer) -> fills it all,
   returns its length. Nothing buffered: undefined. More than is buffered: throws. (lwIP xs_tcp_read) */
void xs_tcp_read(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	xsIntegerValue requested;
	uint8_t* out;
	if (!tcp->rxLength)
		return;
	if (!xsmcArgc)
		requested = (xsIntegerValue)tcp->rxLength;
	else if (xsmcTypeOf(xsArg(0)) == xsReferenceType) {
		void* data;
		xsUnsignedValue length;
		xsmcGetBufferWritable(xsArg(0), &data, &length);
		requested = (xsIntegerValue)length;
		if ((requested <= 0) || ((size_t)requested > tcp->rxLength))
			xsUnknownError("invalid");
		memcpy(data, tcp->rx + tcp->rxStart, requested);
		xsmcSetInteger(xsResult, requested);
		goto consumed;
	}
	else
		requested = xsmcToInteger(xsArg(0));
	if ((requested <= 0) || ((size_t)requested > tcp->rxLength))
		xsUnknownError("invalid");
	out = xsmcSetArrayBuffer(xsResult, NULL, requested);
	memcpy(out, tcp->rx + tcp->rxStart, requested);
consumed:
	tcp->rxStart += requested;
	tcp->rxLength -= requested;
	if (!tcp->rxLength) {
		/* like a freed pbuf chain: an idle socket holds no buffer */
		free(tcp->rx);
		tcp->rx = NULL;
		tcp->rxStart = 0;
		if (tcp->error)
			xswsTCPTrigger(tcp, kTCPError);   /* now the error can be delivered */
	}
	xswsTCPUpdate(tcp);   /* room in the window: receive again */
}

/* write(buffer) -> tcp_sndbuf() after it. All or nothing: more than that throws "would block".
   Not connected or after the error was noted: throws "not ready". Reset before that: does
   nothing, returns undefined. (lwIP xs_tcp_write) */
void xs_tcp_write(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	void* data;
	xsUnsignedValue length;
	ssize_t sent = 0;
	if (!tcp->ready)
		xsUnknownError("not ready");
	if (tcp->error || tcp->gone)
		return;
	if (xsmcArgc < 1)
		xsTypeError("buffer required");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length > xswsTCPSndbuf(tcp))
		xsUnknownError("would block");
	if (length && !tcp->txLength) {
		do {
			sent = send(tcp->poller.fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
		} while ((sent < 0) && (errno == EINTR));
		if (sent < 0) {
			if ((errno != EAGAIN) && (errno != EWOULDBLOCK)) {
				xswsTCPGone(tcp);
				return;
			}
			sent = 0;
		}
		if (sent > 0) {
			tcp->unacked += sent;
			xswsPollerWake(&tcp->poller);   /* the ACK: onWritable on the next turn */
		}
	}
	if ((size_t)sent < length) {
		if (!tcp->tx) {
			tcp->tx = malloc(xswsLwip.sndBuf);
			if (!tcp->tx)
				xsRangeError("no memory");
		}
		xsmcGetBufferReadable(xsArg(0), &data, &length);
		memcpy(tcp->tx + tcp->txLength, (uint8_t*)data + sent, length - sent);
		tcp->txLength += length - sent;
	}
	xswsTCPUpdate(tcp);
	xsmcSetInteger(xsResult, (xsIntegerValue)xswsTCPSndbuf(tcp));
}

/* lwIP reads tcp->skt->remote_ip: after a reset the pcb is gone (the board would fault) */
void xs_tcp_get_remoteAddress(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	if (tcp->gone || tcp->connecting)
		xsUnknownError("no connection");
	xsmcSetString(xsResult, tcp->peerAddress);
}

void xs_tcp_get_remotePort(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	if (tcp->gone || tcp->connecting)
		xsUnknownError("no connection");
	xsmcSetInteger(xsResult, tcp->peerPort);
}

void xs_tcp_get_format(xsMachine* the)
{
	xsmcSetString(xsResult, "buffer");
}

void xs_tcp_set_format(xsMachine* the)
{
	if (strcmp(xsmcToString(xsArg(0)), "buffer"))
		xsRangeError("unimplemented");
}

/* ---- Listener ------------------------------------------------------------------------- */

/* No pcb left: no accept(). lwIP's tcp_listen_input() drops the SYN when tcp_alloc() fails and the
   peer retransmits it; here the kernel completes the handshake and the peer waits in its accept
   queue. Either way the connection waits until a pcb is free. (A smaller kernel queue would not
   drop SYNs alone: Linux answers with SYN cookies and resets what it cannot queue.) */
static void xswsListenerUpdate(xswsListener listener)
{
	listener->poller.events = (!listener->starved && (listener->pendingCount < XSWS_LISTEN_PENDING)) ? POLLIN : 0;
}

static void xswsListenersFed(void)
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
