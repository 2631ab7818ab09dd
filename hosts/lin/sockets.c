/*
 * xsws-sim sockets (MIT): ECMA-419 style `embedded:io/socket/listener` and
 * `embedded:io/socket/tcp` over non-blocking BSD sockets, driven by loop.c's poll().
 *
 * TCP write model: the host guarantees a fixed write budget per socket (XSWS_TCP_BUDGET bytes).
 * write(buffer) hands the bytes to the kernel; what the kernel does not take at once is kept in
 * a host buffer of at most the budget and drained on POLLOUT. write() never blocks and returns
 * the bytes still writable; it throws if given more than that. onWritable(budget) is delivered
 * once the host buffer is empty again after a write (and once when a socket becomes usable).
 *
 * TCP read model: onReadable(count) is level-triggered, at most once per poll wake-up, with
 * count = min(bytes queued in the kernel, XSWS_TCP_RX_CHUNK). Data not read stays in the kernel
 * and TCP flow control pushes back on the sender. A report that reads nothing parks the socket
 * until something else happens (see loop.c). End of stream or an error is reported by onError()
 * only after the readable bytes have been drained.
 */
#include "xsmc.h"
#include "host.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define XSWS_TCP_BUDGET 16384
#define XSWS_TCP_RX_CHUNK 16384
#define XSWS_LINGER_MS 10000

enum {
	kTCPConnecting = 1,
	kTCPOpen,
	kTCPFailed,     /* onError delivered or pending: no more I/O */
	kTCPClosed
};

typedef struct {
	xswsPoller poller;
	xsMachine* the;
	int state;
	int readPaused;
	int notifyWritable;
	int errorPending;          /* deliver onError on the next turn */
	int errorDelivered;
	uint8_t* out;
	size_t outLength;
	uint64_t readCount;        /* bytes read so far (progress for parking) */
	xsSlot self;
	xsSlot onReadable;
	xsSlot onWritable;
	xsSlot onError;
} xswsTCPRecord, *xswsTCP;

typedef struct {
	xswsPoller poller;
	xsMachine* the;
	int paused;
	int closed;
	uint64_t acceptCount;
	xsSlot self;
	xsSlot onReadable;
	xsSlot onError;
} xswsListenerRecord, *xswsListener;

/* ---- helpers ------------------------------------------------------------------------------ */

static int xswsSetNonBlocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);
	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int xswsHasProperty(xsMachine* the, xsSlot* object, const char* name)
{
	return xsmcHas(*object, xsID(name));
}

static void xswsGetCallback(xsMachine* the, xsSlot* options, const char* name, xsSlot* dst)
{
	*dst = xsUndefined;
	if (xswsHasProperty(the, options, name)) {
		xsmcGet(xsVar(0), *options, xsID(name));
		if (xsmcTypeOf(xsVar(0)) != xsUndefinedType) {
			if (!xsmcIsInstanceOf(xsVar(0), xsFunctionPrototype))
				xsTypeError("%s is not a function", name);
			*dst = xsVar(0);
		}
	}
}

/* parse "address" (IPv4 or IPv6 literal, or a host name resolved here) into a sockaddr */
static int xswsResolve(const char* address, int port, struct sockaddr_storage* storage, socklen_t* length)
{
	struct addrinfo hints, *result = NULL;
	char service[16];
	int error;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	error = getaddrinfo(address, service, &hints, &result);
	if (error || !result)
		return -1;
	memcpy(storage, result->ai_addr, result->ai_addrlen);
	*length = result->ai_addrlen;
	freeaddrinfo(result);
	return 0;
}

static void xswsFormatAddress(struct sockaddr_storage* storage, char* buffer, size_t size, int* port)
{
	buffer[0] = 0;
	*port = 0;
	if (storage->ss_family == AF_INET) {
		struct sockaddr_in* in = (struct sockaddr_in*)storage;
		inet_ntop(AF_INET, &in->sin_addr, buffer, size);
		*port = ntohs(in->sin_port);
	}
	else if (storage->ss_family == AF_INET6) {
		struct sockaddr_in6* in6 = (struct sockaddr_in6*)storage;
		inet_ntop(AF_INET6, &in6->sin6_addr, buffer, size);
		if (!strncmp(buffer, "::ffff:", 7) && strchr(buffer + 7, '.'))
			memmove(buffer, buffer + 7, strlen(buffer + 7) + 1);
		*port = ntohs(in6->sin6_port);
	}
}

/* ---- accepted socket handles (what Listener.read() returns) ----------------------------- */

static void xswsHandleDestroy(void* data)
{
	/* an accepted connection nobody adopted with new TCP({from}) */
	intptr_t fd = (intptr_t)data;
	if (fd > 0)
		close((int)(fd - 1));
}
static xsHostHooks gxHandleHooks = { xswsHandleDestroy, NULL, NULL };

/* ---- TCP ---------------------------------------------------------------------------------- */

static void xswsTCPCallback(xsMachine* the, xswsPoller* poller, int revents);
static xsHostHooks gxTCPHooks;

static void xswsTCPUpdate(xswsTCP tcp)
{
	short events = 0;
	if (tcp->state == kTCPConnecting)
		events = POLLOUT;
	else if (tcp->state == kTCPOpen) {
		if (!tcp->readPaused)
			events |= POLLIN;
		if (tcp->outLength || tcp->notifyWritable)
			events |= POLLOUT;
	}
	tcp->poller.events = events;
	if ((tcp->state == kTCPConnecting) || (tcp->state == kTCPOpen) || tcp->errorPending)
		xswsPollerAdd(&tcp->poller);
	else
		xswsPollerRemove(&tcp->poller);
	if (tcp->errorPending)
		xswsPollerWake(&tcp->poller);
}

static void xswsTCPFail(xswsTCP tcp)
{
	if ((tcp->state == kTCPFailed) || (tcp->state == kTCPClosed))
		return;
	tcp->state = kTCPFailed;
	tcp->errorPending = 1;
	xswsTCPUpdate(tcp);
}

static void xswsTCPDestroy(void* data)
{
	xswsTCP tcp = data;
	if (!tcp)
		return;
	if (tcp->poller.fd >= 0) {
		/* cannot happen while open (open sockets are GC roots); be safe */
		xswsPollerRemove(&tcp->poller);
		close(tcp->poller.fd);
		xswsHost.sockets--;
	}
	free(tcp->out);
	free(tcp);
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
	xswsTCP tcp;
	if (xswsHostHooksOf(the, &xsThis) != &gxTCPHooks)
		xsTypeError("not a TCP socket");
	tcp = xsmcGetHostData(xsThis);
	if (!tcp)
		xsTypeError("not a TCP socket");
	return tcp;
}

static void xswsTCPCall(xsMachine* the, xswsTCP tcp, xsSlot* callback, int argc, double value)
{
	xsSlot argv[1];
	xsSlot self = tcp->self;
	if (xsmcTypeOf(*callback) == xsUndefinedType)
		return;
	if (argc)
		argv[0] = xsNumber(value);
	xswsCall(the, &self, callback, argc, argv);
}

/* a socket that was closed with bytes still in its host buffer: drain them, then close */
static void xswsLingerCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsTCP tcp = poller->ref;
	int done = 0;
	if (revents & XSWS_TIMEOUT)
		done = 1;
	else if (revents & (POLLERR | POLLHUP | POLLNVAL))
		done = 1;
	else if (revents & POLLOUT) {
		ssize_t sent = send(poller->fd, tcp->out, tcp->outLength, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent > 0) {
			memmove(tcp->out, tcp->out + sent, tcp->outLength - sent);
			tcp->outLength -= sent;
		}
		else if ((sent < 0) && (errno != EAGAIN) && (errno != EWOULDBLOCK) && (errno != EINTR))
			done = 1;
		if (!tcp->outLength)
			done = 1;
	}
	if (done) {
		xswsPollerRemove(poller);
		close(poller->fd);
		free(tcp->out);
		free(tcp);
	}
}

static void xswsTCPDiscardInput(int fd)
{
	/* closing with unread input makes Linux send RST, which can destroy the response we just
	   sent at the peer: read and drop what is queued (bounded) first */
	char scratch[4096];
	int i;
	for (i = 0; i < 64; i++) {
		ssize_t got = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (got <= 0)
			break;
	}
}

static void xswsTCPCloseRecord(xsMachine* the, xswsTCP tcp)
{
	int fd = tcp->poller.fd;
	if (tcp->state == kTCPClosed)
		return;
	xswsPollerRemove(&tcp->poller);
	tcp->state = kTCPClosed;
	tcp->poller.fd = -1;
	xswsHost.sockets--;
	xsForget(tcp->self);
	tcp->onReadable = tcp->onWritable = tcp->onError = xsUndefined;
	if (fd < 0)
		return;
	xswsTCPDiscardInput(fd);
	if (tcp->outLength) {
		/* hand the unsent bytes to a C-only record that drains them */
		xswsTCP linger = calloc(1, sizeof(xswsTCPRecord));
		if (linger) {
			linger->out = tcp->out;
			linger->outLength = tcp->outLength;
			tcp->out = NULL;
			tcp->outLength = 0;
			linger->poller.fd = fd;
			linger->poller.events = POLLOUT;
			linger->poller.callback = xswsLingerCallback;
			linger->poller.ref = linger;
			linger->poller.deadline = xswsNow() + XSWS_LINGER_MS;
			xswsPollerAdd(&linger->poller);
			return;
		}
	}
	close(fd);
}

static void xswsTCPFlush(xswsTCP tcp)
{
	while (tcp->outLength) {
		ssize_t sent = send(tcp->poller.fd, tcp->out, tcp->outLength, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent > 0) {
			memmove(tcp->out, tcp->out + sent, tcp->outLength - sent);
			tcp->outLength -= sent;
		}
		else if ((sent < 0) && (errno == EINTR))
			continue;
		else if ((sent < 0) && ((errno == EAGAIN) || (errno == EWOULDBLOCK)))
			break;
		else {
			tcp->outLength = 0;
			xswsTCPFail(tcp);
			break;
		}
	}
}

static size_t xswsTCPAvailable(int fd)
{
	int count = 0;
	if (ioctl(fd, FIONREAD, &count) < 0)
		return 0;
	return (count > 0) ? (size_t)count : 0;
}

static void xswsTCPCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsTCP tcp = poller->ref;

	if (tcp->state == kTCPConnecting) {
		if (revents & (POLLOUT | POLLERR | POLLHUP)) {
			int error = 0;
			socklen_t length = sizeof(error);
			if (getsockopt(poller->fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
				error = errno;
			if (error || (revents & (POLLERR | POLLHUP)))
				xswsTCPFail(tcp);
			else {
				tcp->state = kTCPOpen;
				tcp->notifyWritable = 1;
				xswsTCPUpdate(tcp);
			}
		}
	}

	if ((tcp->state == kTCPOpen) && (revents & (POLLIN | POLLHUP | POLLERR))) {
		size_t available = xswsTCPAvailable(poller->fd);
		if (tcp->readPaused) {
			/* not reading: only a hard error, or a hang-up with nothing left to read, ends it */
			if ((revents & POLLERR) || !available)
				xswsTCPFail(tcp);
		}
		else if (available) {
			uint64_t before = tcp->readCount;
			if (available > XSWS_TCP_RX_CHUNK)
				available = XSWS_TCP_RX_CHUNK;
			xswsTCPCall(the, tcp, &tcp->onReadable, 1, (double)available);
			if (tcp->state != kTCPOpen)
				return;
			poller->parked = (tcp->readCount == before) ? 1 : 0;
		}
		else {
			/* readable with nothing queued: end of stream, or an error */
			char byte;
			ssize_t got = recv(poller->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
			if ((got == 0) || ((got < 0) && (errno != EAGAIN) && (errno != EWOULDBLOCK) && (errno != EINTR)))
				xswsTCPFail(tcp);
		}
	}

	if ((tcp->state == kTCPOpen) && (revents & POLLOUT)) {
		size_t had = tcp->outLength;
		xswsTCPFlush(tcp);
		if ((tcp->state == kTCPOpen) && !tcp->outLength && (tcp->notifyWritable || had)) {
			tcp->notifyWritable = 0;
			xswsTCPUpdate(tcp);
			xswsTCPCall(the, tcp, &tcp->onWritable, 1, (double)XSWS_TCP_BUDGET);
			if (tcp->state == kTCPClosed)
				return;
		}
		else
			xswsTCPUpdate(tcp);
	}

	if ((tcp->state == kTCPFailed) && tcp->errorPending) {
		tcp->errorPending = 0;
		xswsTCPUpdate(tcp);
		if (!tcp->errorDelivered) {
			tcp->errorDelivered = 1;
			xswsTCPCall(the, tcp, &tcp->onError, 0, 0);
		}
	}
}

/* new TCP({address | host, port} | {from}, onReadable, onWritable, onError, format, nodelay,
   keepalive, target}) */
void xs_tcp_constructor(xsMachine* the)
{
	xswsTCP tcp;
	int fd = -1, connecting = 0;
	xsSlot* options;
	xsmcVars(2);
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("options required");
	options = &xsArg(0);

	if (xswsHasProperty(the, options, "format")) {
		xsmcGet(xsVar(0), *options, xsID("format"));
		if ((xsmcTypeOf(xsVar(0)) != xsUndefinedType) && strcmp(xsmcToString(xsVar(0)), "buffer"))
			xsRangeError("unsupported format: only \"buffer\"");
	}

	tcp = calloc(1, sizeof(xswsTCPRecord));
	if (!tcp)
		xsUnknownError("out of memory");
	tcp->poller.fd = -1;
	tcp->onReadable = tcp->onWritable = tcp->onError = xsUndefined;
	xsmcSetHostData(xsThis, tcp);
	xsSetHostHooks(xsThis, &gxTCPHooks);

	xswsGetCallback(the, options, "onReadable", &tcp->onReadable);
	xswsGetCallback(the, options, "onWritable", &tcp->onWritable);
	xswsGetCallback(the, options, "onError", &tcp->onError);

	if (xswsHasProperty(the, options, "from")) {
		intptr_t handle;
		xsmcGet(xsVar(0), *options, xsID("from"));
		if (xswsHostHooksOf(the, &xsVar(0)) != &gxHandleHooks)
			xsTypeError("from: not an accepted socket");
		handle = (intptr_t)xsmcGetHostData(xsVar(0));
		if (handle <= 0)
			xsTypeError("from: socket already used");
		xsmcSetHostData(xsVar(0), NULL);
		fd = (int)(handle - 1);
	}
	else {
		struct sockaddr_storage storage;
		socklen_t length;
		int port;
		const char* address;
		if (xswsHasProperty(the, options, "address"))
			xsmcGet(xsVar(0), *options, xsID("address"));
		else if (xswsHasProperty(the, options, "host"))
			xsmcGet(xsVar(0), *options, xsID("host"));
		else
			xsTypeError("address, host or from required");
		address = xsmcToString(xsVar(0));
		xsmcGet(xsVar(1), *options, xsID("port"));
		port = xsmcToInteger(xsVar(1));
		if ((port <= 0) || (port > 65535))
			xsRangeError("invalid port");
		if (xswsResolve(address, port, &storage, &length) < 0)
			xsUnknownError("cannot resolve %s", address);
		fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			xsUnknownError("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr*)&storage, length) < 0) {
			if (errno != EINPROGRESS) {
				int error = errno;
				close(fd);
				xsUnknownError("connect %s:%d: %s", address, port, strerror(error));
			}
		}
		connecting = 1;
	}
	xswsSetNonBlocking(fd);
	tcp->poller.fd = fd;
	tcp->poller.callback = xswsTCPCallback;
	tcp->poller.ref = tcp;
	tcp->the = the;
	tcp->state = connecting ? kTCPConnecting : kTCPOpen;
	tcp->notifyWritable = connecting ? 0 : 1;
	xswsHost.sockets++;

	if (xswsHasProperty(the, options, "nodelay")) {
		int flag;
		xsmcGet(xsVar(0), *options, xsID("nodelay"));
		flag = xsmcTest(xsVar(0)) ? 1 : 0;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &flag, sizeof(flag));
	}
	if (xswsHasProperty(the, options, "keepalive")) {
		int flag = 1;
		xsmcGet(xsVar(0), *options, xsID("keepalive"));
		if (xsmcTypeOf(xsVar(0)) == xsReferenceType) {
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &flag, sizeof(flag));
			if (xsmcHas(xsVar(0), xsID("idle"))) {
				xsmcGet(xsVar(1), xsVar(0), xsID("idle"));
				flag = xsmcToInteger(xsVar(1)) / 1000;
				if (flag > 0) setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &flag, sizeof(flag));
			}
			if (xsmcHas(xsVar(0), xsID("interval"))) {
				xsmcGet(xsVar(1), xsVar(0), xsID("interval"));
				flag = xsmcToInteger(xsVar(1)) / 1000;
				if (flag > 0) setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &flag, sizeof(flag));
			}
			if (xsmcHas(xsVar(0), xsID("count"))) {
				xsmcGet(xsVar(1), xsVar(0), xsID("count"));
				flag = xsmcToInteger(xsVar(1));
				if (flag > 0) setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &flag, sizeof(flag));
			}
		}
	}
	if (xswsHasProperty(the, options, "target")) {
		xsmcGet(xsVar(0), *options, xsID("target"));
		xsmcSet(xsThis, xsID("target"), xsVar(0));
	}

	tcp->self = xsThis;
	xsRemember(tcp->self);
	xswsTCPUpdate(tcp);
}

void xs_tcp_destructor(void* data)
{
	/* the class's own destructor; instances use gxTCPHooks (set by the constructor) */
}

void xs_tcp_close(xsMachine* the)
{
	xswsTCP tcp;
	if (xswsHostHooksOf(the, &xsThis) != &gxTCPHooks)
		return;
	tcp = xsmcGetHostData(xsThis);
	if (tcp)
		xswsTCPCloseRecord(the, tcp);
}

/* read() -> ArrayBuffer | undefined; read(n) -> ArrayBuffer of at most n bytes | undefined;
   read(buffer) -> number of bytes read into buffer (ArrayBuffer or view) */
void xs_tcp_read(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	int argc = xsmcArgc;
	size_t available, want;
	ssize_t got;
	if (tcp->state != kTCPOpen) {
		if ((argc > 0) && (xsmcTypeOf(xsArg(0)) == xsReferenceType))
			xsmcSetInteger(xsResult, 0);
		return;
	}
	if ((argc > 0) && (xsmcTypeOf(xsArg(0)) == xsReferenceType)) {
		void* data;
		xsUnsignedValue length;
		xsmcGetBufferWritable(xsArg(0), &data, &length);
		got = length ? recv(tcp->poller.fd, data, length, MSG_DONTWAIT) : 0;
		if (got < 0)
			got = 0;
		tcp->readCount += got;
		xsmcSetInteger(xsResult, (xsIntegerValue)got);
		return;
	}
	available = xswsTCPAvailable(tcp->poller.fd);
	if (available > XSWS_TCP_RX_CHUNK)
		available = XSWS_TCP_RX_CHUNK;   /* like the board: a read returns what one report said */
	want = available;
	if ((argc > 0) && (xsmcTypeOf(xsArg(0)) != xsUndefinedType)) {
		xsIntegerValue n = xsmcToInteger(xsArg(0));
		if (n < 0)
			xsRangeError("invalid count");
		if ((size_t)n < want)
			want = (size_t)n;
	}
	if (!want)
		return;
	xsmcSetArrayBuffer(xsResult, NULL, (xsIntegerValue)want);
	got = recv(tcp->poller.fd, xsmcToArrayBuffer(xsResult), want, MSG_DONTWAIT);
	if (got <= 0) {
		xsResult = xsUndefined;
		return;
	}
	tcp->readCount += got;
	if ((size_t)got < want)
		xsmcSetArrayBufferLength(xsResult, (xsIntegerValue)got);
}

/* write(buffer) -> bytes still writable; throws if buffer is larger than that */
void xs_tcp_write(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	void* data;
	xsUnsignedValue length;
	size_t writable;
	ssize_t sent = 0;
	if (tcp->state == kTCPConnecting)
		xsUnknownError("not connected");
	if (tcp->state != kTCPOpen) {
		if (tcp->state == kTCPClosed)
			xsUnknownError("socket closed");
		xsmcSetInteger(xsResult, 0);   /* failed: bytes are dropped, onError follows */
		return;
	}
	if (xsmcArgc < 1)
		xsTypeError("buffer required");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	writable = XSWS_TCP_BUDGET - tcp->outLength;
	if (length > writable)
		xsUnknownError("would block: %u bytes, %u writable", (unsigned)length, (unsigned)writable);
	if (!length) {
		xsmcSetInteger(xsResult, (xsIntegerValue)writable);
		return;
	}
	if (!tcp->outLength) {
		do {
			sent = send(tcp->poller.fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
		} while ((sent < 0) && (errno == EINTR));
		if (sent < 0) {
			if ((errno == EAGAIN) || (errno == EWOULDBLOCK))
				sent = 0;
			else {
				xswsTCPFail(tcp);
				xsmcSetInteger(xsResult, 0);
				return;
			}
		}
	}
	if ((size_t)sent < length) {
		if (!tcp->out) {
			tcp->out = malloc(XSWS_TCP_BUDGET);
			if (!tcp->out)
				xsUnknownError("out of memory");
		}
		/* re-read the buffer address: nothing above can move it, but stay safe */
		xsmcGetBufferReadable(xsArg(0), &data, &length);
		memcpy(tcp->out + tcp->outLength, (uint8_t*)data + sent, length - sent);
		tcp->outLength += length - sent;
	}
	tcp->notifyWritable = 1;
	xswsTCPUpdate(tcp);
	xsmcSetInteger(xsResult, (xsIntegerValue)(XSWS_TCP_BUDGET - tcp->outLength));
}

/* xsws extension: pause(true) stops reading (data waits in the kernel, TCP pushes back);
   pause(false) resumes */
void xs_tcp_pause(xsMachine* the)
{
	xswsTCP tcp = xswsTCPGet(the);
	tcp->readPaused = ((xsmcArgc < 1) || xsmcTest(xsArg(0))) ? 1 : 0;
	tcp->poller.parked = 0;
	if ((tcp->state == kTCPOpen) || (tcp->state == kTCPConnecting))
		xswsTCPUpdate(tcp);
}

static void xswsTCPPeer(xsMachine* the, int wantPort)
{
	xswsTCP tcp = xswsTCPGet(the);
	struct sockaddr_storage storage;
	socklen_t length = sizeof(storage);
	char buffer[INET6_ADDRSTRLEN + 1];
	int port;
	if ((tcp->poller.fd < 0) || getpeername(tcp->poller.fd, (struct sockaddr*)&storage, &length) < 0)
		return;
	xswsFormatAddress(&storage, buffer, sizeof(buffer), &port);
	if (wantPort)
		xsmcSetInteger(xsResult, port);
	else
		xsmcSetString(xsResult, buffer);
}

void xs_tcp_get_remoteAddress(xsMachine* the)
{
	xswsTCPPeer(the, 0);
}

void xs_tcp_get_remotePort(xsMachine* the)
{
	xswsTCPPeer(the, 1);
}

void xs_tcp_get_format(xsMachine* the)
{
	xsmcSetString(xsResult, "buffer");
}

void xs_tcp_set_format(xsMachine* the)
{
	if (strcmp(xsmcToString(xsArg(0)), "buffer"))
		xsRangeError("unsupported format: only \"buffer\"");
}

/* ---- Listener ------------------------------------------------------------------------- */

static void xswsListenerCallback(xsMachine* the, xswsPoller* poller, int revents);

static void xswsListenerDestroy(void* data)
{
	xswsListener listener = data;
	if (!listener)
		return;
	if (listener->poller.fd >= 0) {
		xswsPollerRemove(&listener->poller);
		close(listener->poller.fd);
		xswsHost.listeners--;
	}
	free(listener);
}

static void xswsListenerMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsListener listener = data;
	if (listener) {
		(*markRoot)(the, &listener->onReadable);
		(*markRoot)(the, &listener->onError);
	}
}

static xsHostHooks gxListenerHooks = { xswsListenerDestroy, xswsListenerMark, NULL };

static xswsListener xswsListenerGet(xsMachine* the)
{
	xswsListener listener;
	if (xswsHostHooksOf(the, &xsThis) != &gxListenerHooks)
		xsTypeError("not a Listener");
	listener = xsmcGetHostData(xsThis);
	if (!listener)
		xsTypeError("not a Listener");
	return listener;
}

static void xswsListenerUpdate(xswsListener listener)
{
	listener->poller.events = listener->paused ? 0 : POLLIN;
}

static void xswsListenerCallback(xsMachine* the, xswsPoller* poller, int revents)
{
	xswsListener listener = poller->ref;
	xsSlot self = listener->self;
	if (revents & POLLIN) {
		uint64_t before = listener->acceptCount;
		xsSlot argv[1];
		if (xsmcTypeOf(listener->onReadable) == xsUndefinedType)
			return;
		argv[0] = xsInteger(1);
		xswsCall(the, &self, &listener->onReadable, 1, argv);
		if (!listener->closed)
			poller->parked = (listener->acceptCount == before) ? 1 : 0;
	}
	else if (revents & (POLLERR | POLLNVAL)) {
		if (xsmcTypeOf(listener->onError) != xsUndefinedType)
			xswsCall(the, &self, &listener->onError, 0, NULL);
	}
}

/* new Listener({port, address?, onReadable(count), onError?, target?}) */
void xs_listener_constructor(xsMachine* the)
{
	xswsListener listener;
	xsSlot* options;
	struct sockaddr_storage storage;
	socklen_t length;
	const char* address = NULL;
	int port = 0, fd, flag = 1;
	xsmcVars(2);
	if ((xsmcArgc < 1) || (xsmcTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("options required");
	options = &xsArg(0);
	if (xswsHasProperty(the, options, "port")) {
		xsmcGet(xsVar(0), *options, xsID("port"));
		if (xsmcTypeOf(xsVar(0)) != xsUndefinedType)
			port = xsmcToInteger(xsVar(0));
	}
	if ((port < 0) || (port > 65535))
		xsRangeError("invalid port");
	if (xswsHasProperty(the, options, "address")) {
		xsmcGet(xsVar(1), *options, xsID("address"));
		if (xsmcTypeOf(xsVar(1)) != xsUndefinedType)
			address = xsmcToString(xsVar(1));
	}
	if (!address)
		address = "0.0.0.0";
	if (xswsResolve(address, port, &storage, &length) < 0)
		xsUnknownError("cannot resolve %s", address);

	listener = calloc(1, sizeof(xswsListenerRecord));
	if (!listener)
		xsUnknownError("out of memory");
	listener->poller.fd = -1;
	listener->onReadable = listener->onError = xsUndefined;
	xsmcSetHostData(xsThis, listener);
	xsSetHostHooks(xsThis, &gxListenerHooks);
	xswsGetCallback(the, options, "onReadable", &listener->onReadable);
	xswsGetCallback(the, options, "onError", &listener->onError);

	fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		xsUnknownError("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &flag, sizeof(flag));
	if ((bind(fd, (struct sockaddr*)&storage, length) < 0) || (listen(fd, 128) < 0)) {
		int error = errno;
		close(fd);
		xsUnknownError("listen %s:%d: %s", address, port, strerror(error));
	}
	listener->poller.fd = fd;
	listener->poller.callback = xswsListenerCallback;
	listener->poller.ref = listener;
	listener->the = the;
	xswsHost.listeners++;
	if (xswsHasProperty(the, options, "target")) {
		xsmcGet(xsVar(0), *options, xsID("target"));
		xsmcSet(xsThis, xsID("target"), xsVar(0));
	}
	listener->self = xsThis;
	xsRemember(listener->self);
	xswsListenerUpdate(listener);
	xswsPollerAdd(&listener->poller);
}

void xs_listener_destructor(void* data)
{
}

/* read() -> an accepted connection for new TCP({from}), or undefined */
void xs_listener_read(xsMachine* the)
{
	xswsListener listener = xswsListenerGet(the);
	int fd;
	if (listener->closed)
		return;
	do {
		fd = accept4(listener->poller.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	} while ((fd < 0) && (errno == EINTR));
	if (fd < 0)
		return;
	listener->acceptCount++;
	xsResult = xsNewHostObject(NULL);
	xsmcSetHostData(xsResult, (void*)(intptr_t)(fd + 1));
	xsSetHostHooks(xsResult, &gxHandleHooks);
}

void xs_listener_close(xsMachine* the)
{
	xswsListener listener;
	if (xswsHostHooksOf(the, &xsThis) != &gxListenerHooks)
		return;
	listener = xsmcGetHostData(xsThis);
	if (!listener || listener->closed)
		return;
	listener->closed = 1;
	xswsPollerRemove(&listener->poller);
	close(listener->poller.fd);
	listener->poller.fd = -1;
	xswsHost.listeners--;
	listener->onReadable = listener->onError = xsUndefined;
	xsForget(listener->self);
}

/* xsws extension: pause(true) stops reporting (connections wait in the backlog) */
void xs_listener_pause(xsMachine* the)
{
	xswsListener listener = xswsListenerGet(the);
	listener->paused = ((xsmcArgc < 1) || xsmcTest(xsArg(0))) ? 1 : 0;
	listener->poller.parked = 0;
	xswsListenerUpdate(listener);
}

void xs_listener_get_port(xsMachine* the)
{
	xswsListener listener = xswsListenerGet(the);
	struct sockaddr_storage storage;
	socklen_t length = sizeof(storage);
	char buffer[INET6_ADDRSTRLEN + 1];
	int port;
	if ((listener->poller.fd < 0) || getsockname(listener->poller.fd, (struct sockaddr*)&storage, &length) < 0)
		return;
	xswsFormatAddress(&storage, buffer, sizeof(buffer), &port);
	xsmcSetInteger(xsResult, port);
}
