/*
 * xsws-sim: declarations shared by the host's C files (MIT).
 *
 * Two kinds of files include this: those written against XS's internal API (xsAll.h: main.c,
 * loop.c, modules.c, natives.c) and those written against the public xs.h/xsmc.h API like a
 * Moddable module (console.c, timers.c, sockets.c, tcp.c, listener.c, udp.c, files.c, resources.c,
 * instrumentation.c).
 * So this header names the machine xswsMachine and uses void* for slots.
 */
#ifndef __XSWS_HOST__
#define __XSWS_HOST__

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* include after xsAll.h or xsmc.h: the machine's struct tag differs between the two APIs */
#ifdef __XSALL__
typedef struct sxMachine xswsMachine;
#else
typedef struct xsMachineRecord xswsMachine;
#endif

/* ---- loop.c: one poll() over every descriptor ---------------------------------------- */

typedef struct xswsPoller xswsPoller;
/* revents: poll() revents, or XSWS_PENDING for a synthetic event (see xswsPollerWake) */
typedef void (*xswsPollCallback)(xswsMachine* the, xswsPoller* poller, int revents);
#define XSWS_PENDING 0x10000
#define XSWS_TIMEOUT 0x20000   /* the poller's deadline passed */

struct xswsPoller {
	xswsPoller* next;
	int fd;
	short events;          /* POLLIN and/or POLLOUT wanted now (0: registered but not polled) */
	unsigned char registered;
	unsigned char watchErrors; /* with no events wanted, still poll the fd for POLLERR/POLLHUP */
	unsigned char pending; /* deliver XSWS_PENDING on the next turn without waiting */
	double deadline;       /* if > 0: deliver XSWS_TIMEOUT once xswsNow() passes it */
	xswsPollCallback callback;
	void* ref;
};

void xswsPollerAdd(xswsPoller* poller);
void xswsPollerRemove(xswsPoller* poller);
void xswsPollerWake(xswsPoller* poller);   /* sets pending: next turn polls with timeout 0 */
int xswsRunLoop(xswsMachine* the);    /* returns when nothing is left to do or on a signal */
void xswsDrainJobs(xswsMachine* the); /* promise jobs until none, then fxEndJob */
extern volatile int xswsStopRequested;
extern int xswsSignalPipe[2];

/* Call fn(args...) with `this`, report (not propagate) an exception. Returns 1 when no exception. */
int xswsCall(xswsMachine* the, void* thisSlot, void* fnSlot, int argc, void* argv);
/* Print mxException (message and stack) on stderr with a prefix, and clear it. */
void xswsReportException(xswsMachine* the, const char* prefix);
void xswsReportValue(xswsMachine* the, const char* prefix, void* slot);
/* The host hooks of a host object, or NULL for anything else (never throws). */
const void* xswsHostHooksOf(xswsMachine* the, void* slot);

/* ---- timers.c ------------------------------------------------------------------------ */
double xswsNow(void);                             /* monotonic milliseconds */
int xswsTimersNext(double* when);                 /* 1 and earliest due time if any scheduled */
int xswsTimersRun(xswsMachine* the);          /* run due timers; returns how many ran */

/* ---- console.c ----------------------------------------------------------------------- */
void xswsInstallGlobals(xswsMachine* the);
/* write an XS (CESU-8) string as UTF-8 */
void xswsWriteCESU8(FILE* file, const char* string, size_t length);

/* ---- modmap.c: the --map file --------------------------------------------------------- */
int xswsLoadModuleMap(const char* path);          /* 0 ok, -1 error (message printed) */
int xswsParseModuleMap(FILE* file, const char* name, FILE* errors);	/* the same from an open file; errors: NULL for none */
const char* xswsMapLookup(const char* specifier);
void xswsFreeModuleMap(void);

/* ---- paths.c ------------------------------------------------------------------------- */
/* dir/name into path, refusing a name with a ".." segment or one that does not fit: 0 ok, -1 */
int xswsResourcePath(const char* dir, const char* name, char* path, size_t size);

/* ---- modules.c ----------------------------------------------------------------------- */
long xswsModuleCodeSize(void);                    /* bytecode kept outside the heaps, in bytes */

/* ---- natives.c ----------------------------------------------------------------------- */
void* xswsFindNative(const char* name);

/* ---- shared state: counters for instrumentation, options ---------------------------- */
typedef struct {
	int sockets;           /* open TCP sockets (plus not yet adopted accepted ones) */
	int listeners;
	int timers;            /* scheduled timers */
	int files;             /* open File instances */
	unsigned gcCount;      /* garbage collections seen (counted by a marker hook) */
	long slotLimit, chunkLimit, stackLimit;     /* manifest creation sizes given to firmware */
	long slotBaseline, chunkBaseline;           /* measured empty machine, added on top */
	long slotPeak, chunkPeak;
	int fixed;             /* --fixed: no heap growth */
	long heapLimit;        /* bytes all slots, chunks and the stack may take (creation static, or
	                          a PSRAM budget); 0: no limit. The baseline is added on top. */
	long heapAllocated;    /* bytes the machine's slot and chunk blocks take now */
	const char* resourcesDir;
} xswsHostState;
extern xswsHostState xswsHost;

/* ---- lwIP's sizes and limits of the board profile (main.c options; tcp.c, listener.c, udp.c enforce) */
typedef struct {
	int tcpPcbs;           /* MEMP_NUM_TCP_PCB (CONFIG_LWIP_MAX_ACTIVE_TCP); 0: no limit */
	int listenPcbs;        /* MEMP_NUM_TCP_PCB_LISTEN (CONFIG_LWIP_MAX_LISTENING_TCP); 0: no limit */
	int udpPcbs;           /* MEMP_NUM_UDP_PCB (CONFIG_LWIP_MAX_UDP_PCBS); 0: no limit */
	int sndBuf;            /* TCP_SND_BUF (CONFIG_LWIP_TCP_SND_BUF_DEFAULT) */
	int wnd;               /* TCP_WND (CONFIG_LWIP_TCP_WND_DEFAULT) */
	int mss;               /* TCP_MSS (CONFIG_LWIP_TCP_MSS) */
	int tcpInUse;          /* pcbs held: pending, open, connecting and lingering connections */
	int listenInUse;
	int udpInUse;
	unsigned tcpRefused;   /* connections lwIP could not have taken for want of a pcb */
} xswsLwipState;
extern xswsLwipState xswsLwip;

#define XSWS_EXIT_OK 0
#define XSWS_EXIT_ERROR 1
#define XSWS_EXIT_USAGE 2
#define XSWS_EXIT_MEMORY 3
#define XSWS_EXIT_STACK 4

#endif
