/*
 * xsws-sim sockets (MIT): what tcp.c, listener.c and udp.c share. lwIP's pools and sizes of the
 * board profile (xswsLwip, host.h), the pcb accounting, the connections a listener holds between
 * Listener.read() and new TCP({from}), and small helpers. hosts/lin/README.md has the tables.
 */
#ifndef __XSWS_SOCKETS__
#define __XSWS_SOCKETS__

#include "xsmc.h"
#include "host.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

typedef struct xswsPendingRecord {
	struct xswsPendingRecord* next;
	int fd;
	uint8_t pcb;
	char peerAddress[INET6_ADDRSTRLEN];
	int peerPort;
} xswsPendingRecord, *xswsPending;

/* a held connection, given by Listener.read() to new TCP({from}) */
extern xsHostHooks gxPendingHooks;

/* an optional callback option (a function or undefined) into *dst; anything else throws */
void xswsGetCallback(xsMachine* the, xsSlot* options, const char* name, xsSlot* dst);
void xswsFormatPeer(struct sockaddr_storage* storage, char* buffer, size_t size, int* port);
/* Moddable builtinInitializeTarget(): the `target` option onto this */
void xswsSetTarget(xsMachine* the, xsSlot* options);
/* close a connection's descriptor: a listener out of descriptors may accept again */
void xswsCloseFd(int fd);
/* close with RST (lwIP tcp_close() with unread data, tcp_abort()) */
void xswsCloseReset(int fd);
/* the kernel's buffers and MSS sized as lwIP's */
void xswsSizeSocket(int fd);
/* lwIP's pool of TCP pcbs: take one (0 when none is left), give it back (and tell the listeners),
   or give it back quietly */
int xswsPcbTake(uint8_t* held);
void xswsPcbRelease(uint8_t* held);
void xswsPcbDrop(uint8_t* held);
/* a pcb or a descriptor came free: listeners waiting for one may accept again (listener.c) */
void xswsListenersFed(void);

#endif
