/*
 * xsws-sim TCP (MIT): `embedded:io/socket/tcp` (listener.c has `embedded:io/socket/listener`), with the
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
#include "sockets.h"

/* the simulator's own */
#define XSWS_LINGER_MS 10000       /* a closed socket keeps sending what write() accepted this long */
#define XSWS_FIN_WAIT_MS 20000     /* lwIP TCP_FIN_WAIT_TIMEOUT: a closed pcb waits this long for the peer's FIN */

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

static void xswsLingerCallback(xsMachine* the, xswsPoller* poller, int revents);
static void xswsLingerFinWait(xswsTCP linger);

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
