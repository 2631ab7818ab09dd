/*
 * xsws-sim instrumentation (MIT): Moddable's `instrumentation` and `debug` modules.
 *
 * Instrumentation.get(index), .map(name), .name(index). Indices are 1-based positions in the
 * table below (they are not Moddable's numbers: always look them up with map()).
 */
#include "xsmc.h"
#include "host.h"

/* the machine fields (xsAll.h) are read in main.c, which knows txMachine */
extern double xswsMachineCounter(xsMachine* the, int which);

enum {
	kSlotUsed = 1, kChunkUsed, kSockets, kTimers, kFiles, kGCCount, kListeners,
	kSlotLimit, kChunkLimit, kSlotBaseline, kChunkBaseline, kSlotPeak, kChunkPeak,
	kSlotReserved, kChunkReserved, kStackLimit, kStackUsed, kStackPeak, kKeysUsed, kModulesLoaded, kModuleCode,
	kCount
};

static const char* const gNames[kCount] = {
	NULL,
	"XS Slot Heap Used",          /* slots in use (including the baseline) */
	"XS Chunk Heap Used",         /* chunk bytes in use (including the baseline) */
	"Network Sockets",            /* open TCP sockets */
	"Timers",                     /* scheduled timers */
	"Files",                      /* open files */
	"XS Garbage Collection Count",
	"Network Listeners",          /* xsws: open listeners */
	"XS Slot Heap Limit",         /* xsws: manifest creation heap.initial (without baseline) */
	"XS Chunk Heap Limit",        /* xsws: manifest creation chunk.initial (without baseline) */
	"XS Slot Heap Baseline",      /* xsws: empty machine slots added on top of the limit */
	"XS Chunk Heap Baseline",     /* xsws: empty machine chunk bytes added on top */
	"XS Slot Heap Peak",          /* xsws: peak slots in use */
	"XS Chunk Heap Peak",         /* xsws: peak chunk bytes in use */
	"XS Slot Heap Reserved",      /* xsws: slots allocated by XS (grows without --fixed) */
	"XS Chunk Heap Reserved",     /* xsws: chunk bytes allocated by XS */
	"XS Stack Limit",             /* xsws: stack slots */
	"XS Stack Used",              /* xsws: stack slots in use now */
	"XS Stack Peak",              /* xsws: not tracked: 0 */
	"XS Keys Used",
	"XS Modules Loaded",          /* not tracked: 0 */
	"XS Module Code",             /* xsws: bytes of module bytecode kept outside the heaps ("flash") */
};

static double xswsCounter(xsMachine* the, int index)
{
	switch (index) {
	case kSockets: return xswsHost.sockets;
	case kTimers: return xswsHost.timers;
	case kFiles: return xswsHost.files;
	case kGCCount: return xswsHost.gcCount;
	case kListeners: return xswsHost.listeners;
	case kSlotLimit: return xswsHost.slotLimit;
	case kChunkLimit: return xswsHost.chunkLimit;
	case kSlotBaseline: return xswsHost.slotBaseline;
	case kChunkBaseline: return xswsHost.chunkBaseline;
	case kStackLimit: return xswsHost.stackLimit;
	case kModuleCode: return xswsModuleCodeSize();
	default: return xswsMachineCounter(the, index);
	}
}

void xs_instrumentation_get(xsMachine* the)
{
	int index = (xsmcArgc > 0) ? xsmcToInteger(xsArg(0)) : 0;
	if ((index > 0) && (index < kCount))
		xsmcSetNumber(xsResult, xswsCounter(the, index));
}

void xs_instrumentation_map(xsMachine* the)
{
	const char* name = xsmcToString(xsArg(0));
	int i;
	for (i = 1; i < kCount; i++) {
		if (!strcmp(gNames[i], name)) {
			xsmcSetInteger(xsResult, i);
			return;
		}
	}
}

void xs_instrumentation_name(xsMachine* the)
{
	int index = (xsmcArgc > 0) ? xsmcToInteger(xsArg(0)) : 0;
	if ((index > 0) && (index < kCount))
		xsmcSetString(xsResult, (char*)gNames[index]);
}

/* Debug.gc(): a full collection now */
void xs_debug_gc(xsMachine* the)
{
	if ((xsmcArgc > 0) && (xsmcTypeOf(xsArg(0)) == xsBooleanType))
		return;   /* Moddable's gc(enable) toggles collection: not supported, ignored */
	xsCollectGarbage();
}
