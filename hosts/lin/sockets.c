/*
 * xsws-sim sockets (MIT): what tcp.c, listener.c and udp.c share (sockets.h): lwIP's pools and
 * sizes of the board profile, the pcb accounting, the held connections, small helpers.
 */
#include "sockets.h"

/* lwIP's sizes and pools on the board: the profile's (main.c --tcp-pcbs ...; these defaults are
   Moddable's ESP32 sdkconfig.defaults, see hosts/lin/README.md) */
xswsLwipState xswsLwip = {
	.tcpPcbs = 8, .listenPcbs = 4, .udpPcbs = 16,
	.sndBuf = 8192, .wnd = 8192, .mss = 1436,
};

/* ---- helpers ------------------------------------------------------------------------------ */

void xswsGetCallback(xsMachine* the, xsSlot* options, const char* name, xsSlot* dst)
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

void xswsFormatPeer(struct sockaddr_storage* storage, char* buffer, size_t size, int* port)
{
	buffer[0] = 0;
	*port = 0;
	if (storage->ss_family == AF_INET) {
		struct sockaddr_in* in = (struct sockaddr_in*)storage;
		inet_ntop(AF_INET, &in->sin_addr, buffer, size);
		*port = ntohs(in->sin_port);
	}
}

void xswsSetTarget(xsMachine* the, xsSlot* options)
{
	/* Moddable builtinInitializeTarget() */
	if (xsmcHas(*options, xsID("target"))) {
		xsmcGet(xsVar(0), *options, xsID("target"));
		xsmcSet(xsThis, xsID("target"), xsVar(0));
	}
}


/* Close a connection's descriptor: a listener out of descriptors may accept again */
void xswsCloseFd(int fd)
{
	close(fd);
	xswsListenersFed();
}

/* Close with RST: what lwIP's tcp_close() does when received data was never read (rcv_wnd not
   fully reopened by tcp_recved), and what an aborted socket does. Unsent bytes are lost. */
void xswsCloseReset(int fd)
{
	struct linger hard = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	xswsCloseFd(fd);
}

/* The kernel's buffers sized as lwIP's: the send buffer about TCP_SND_BUF (Linux would grow it to
   megabytes), the receive buffer small (one and a quarter MSS asked), so that with the TCP_WND bytes the host
   holds for read() the peer is pushed back after about the board's window; segments of lwIP's
   MSS. On a listening socket, before listen(): accepted sockets inherit the sizes and the MSS
   their SYN-ACK advertises. A buffer that small (Linux's smallest, and one MSS too, less often)
   can leave the peer's window below its MSS with no update sent when the host reads, and the
   sender then waits for its persist timer, seconds at a time: a stall the board never has.
   One and a quarter MSS is the smallest that showed none (bench/PROFILE.md). */
void xswsSizeSocket(int fd)
{
	int send = xswsLwip.sndBuf, receive = xswsLwip.mss + xswsLwip.mss / 4, mss = xswsLwip.mss;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send, sizeof(send));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive, sizeof(receive));
	setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
}

/* lwIP tcp_alloc(): every connection, accepted, connecting, open, or closed but still sending or
   in FIN_WAIT, takes a pcb from a pool of MEMP_NUM_TCP_PCB. None left: no new connection.
   (TIME_WAIT pcbs are taken back by tcp_alloc() when the pool is empty, so none is held here.) */
int xswsPcbTake(uint8_t* held)
{
	if (xswsLwip.tcpPcbs && (xswsLwip.tcpInUse >= xswsLwip.tcpPcbs))
		return 0;
	xswsLwip.tcpInUse++;
	*held = 1;
	return 1;
}

/* give a pcb back without telling the listeners (they are being closed, or are accepting now) */
void xswsPcbDrop(uint8_t* held)
{
	if (*held) {
		*held = 0;
		xswsLwip.tcpInUse--;
	}
}

void xswsPcbRelease(uint8_t* held)
{
	if (*held) {
		xswsPcbDrop(held);
		xswsListenersFed();
	}
}

/* ---- accepted connections, between Listener.read() and new TCP({from}) -------------------- */

void xswsPendingDestroy(void* data)
{
	xswsPending pending = data;
	if (pending) {
		xswsCloseFd(pending->fd);
		xswsPcbRelease(&pending->pcb);
		free(pending);
	}
}
xsHostHooks gxPendingHooks = { xswsPendingDestroy, NULL, NULL };
