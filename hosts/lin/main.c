/*
 * xsws-sim (MIT): the Linux desktop simulator for xsws firmware. Command line, machine creation
 * with the board's heap budget plus the measured empty-machine baseline, entry module import,
 * event loop, signals, fatal errors.
 *
 * Embeds the Moddable XS engine 13.3.0 (LGPL-3.0-or-later), built from the sources vendored in
 * npm @agoric/xsnap 0.15.0.
 */
#include "xsAll.h"
#include "host.h"
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>

#ifndef XSWS_VERSION
	#define XSWS_VERSION "0.0.0"
#endif

xswsHostState xswsHost;

static int gStartupFailed = 0;
static int gQuiet = 0;

static void xswsUsage(FILE* file)
{
	fprintf(file,
		"usage: xsws-sim [options] --map <modules.map> --entry <specifier>\n"
		"\n"
		"Runs an xsws firmware on the Moddable XS engine.\n"
		"\n"
		"  --map FILE       module map: lines \"specifier<TAB>/absolute/path.js\"\n"
		"  --entry SPEC     the module to run (a specifier of the map, or a path)\n"
		"  --slots N        XS slot heap for the firmware (manifest creation heap.initial; default 4928)\n"
		"  --chunk N        XS chunk heap bytes for the firmware (creation chunk.initial; default 78848)\n"
		"  --stack N        XS stack slots (creation stack; default 512)\n"
		"  --fixed          no heap growth, like the board: running out aborts \"memory full\" (exit 3)\n"
		"  --slot-increment N, --chunk-increment N\n"
		"                   heap growth steps (creation heap.incremental, chunk.incremental)\n"
		"  --keys N         run-time keys (creation keys.initial), no growth: running out aborts\n"
		"                   \"not enough keys\" (exit 3); default: growable\n"
		"  --heap-limit N   bytes slots, chunks and stack may take in all (creation static, or a\n"
		"                   PSRAM budget); the heap grows in its steps up to it. 0: no limit\n"
		"  --tcp-pcbs N     lwIP's TCP connections, pending and closing ones included (default 8; 0: no limit)\n"
		"  --listen-pcbs N  lwIP's listening sockets (default 4; 0: no limit)\n"
		"  --udp-pcbs N     lwIP's UDP sockets (default 16; 0: no limit)\n"
		"  --snd-buf N      lwIP's TCP_SND_BUF: write() space per socket (default 8192)\n"
		"  --wnd N          lwIP's TCP_WND: bytes received and held until read() (default 8192)\n"
		"  --mss N          lwIP's TCP_MSS (default 1436)\n"
		"  --resources DIR  where Resource finds its files\n"
		"  --preload SPEC   a module the board keeps in flash (manifest \"preload\"; repeatable): loaded\n"
		"                   before the baseline is measured, so its code and objects don't count\n"
		"  --profile FILE   sample the JS (XS's profiler, every 1.25 ms) and write a CPU profile in\n"
		"                   Chrome DevTools' format (.cpuprofile) when the run ends\n"
		"  --quiet          no start-up line on stderr\n"
		"  --version        print versions and licences\n"
		"  --help           this text\n"
		"\n"
		"The simulator adds the measured baseline (built-ins and preloaded modules, which live in\n"
		"flash on the board) on top of --slots, --chunk and --heap-limit.\n"
		"The defaults are Moddable's ESP32 (xsws run --board picks a board profile's).\n"
		"Exit status: 0 done or signalled, 1 start-up error, 2 usage, 3 memory full, 4 stack overflow.\n");
}

static void xswsVersion(void)
{
	printf("xsws-sim %s — XS %d.%d.%d (LGPL-3.0-or-later, from npm @agoric/xsnap 0.15.0); xsws is MIT\n",
		XSWS_VERSION, XS_MAJOR_VERSION, XS_MINOR_VERSION, XS_PATCH_VERSION);
	printf("%d-bit program: XS slots of %d bytes%s\n", (int)(sizeof(void*) * 8), (int)sizeof(txSlot),
		(sizeof(txSlot) == 16) ? ", as on the ESP32" : " (the ESP32's are 16: heap figures are not the board's bytes)");
}

/* ---- heap blocks -------------------------------------------------------------------------- */

/* Every chunk and slot block XS takes, the stack included, counted so that a static budget
   (creation static: one block for all of them, as Moddable's xsHosts.c prepares it) or a PSRAM
   budget holds as on the board. A header keeps each block's size for the count when it is freed. */
typedef union { size_t size; double align[2]; } xswsBlockHeader;

static void* xswsHeapTake(size_t size)
{
	xswsBlockHeader* header;
	if (xswsHost.heapLimit && ((xswsHost.heapAllocated + (long)size) > xswsHost.heapLimit))
		return NULL;
	header = malloc(sizeof(xswsBlockHeader) + size);
	if (!header)
		return NULL;
	header->size = size;
	xswsHost.heapAllocated += (long)size;
	return header + 1;
}

static void xswsHeapGive(void* block)
{
	if (block) {
		xswsBlockHeader* header = (xswsBlockHeader*)block - 1;
		xswsHost.heapAllocated -= (long)header->size;
		free(header);
	}
}

void* fxAllocateChunks(txMachine* the, txSize size) { return xswsHeapTake((size_t)size); }
void fxFreeChunks(txMachine* the, void* chunks) { xswsHeapGive(chunks); }
txSlot* fxAllocateSlots(txMachine* the, txSize count) { return xswsHeapTake((size_t)count * sizeof(txSlot)); }
void fxFreeSlots(txMachine* the, void* slots) { xswsHeapGive(slots); }

/* ---- machine ----------------------------------------------------------------------------- */

void fxCreateMachinePlatform(txMachine* the)
{
	the->promiseJobs = 0;
	the->abortStatus = 0;
	the->host = NULL;
	the->waiterCondition = NULL;
	the->waiterData = NULL;
	the->waiterLink = NULL;
}

void fxDeleteMachinePlatform(txMachine* the)
{
}

static void xswsMemoryReport(txMachine* the)
{
	fprintf(stderr, "xsws-sim: XS heap: slots %ld in use of %ld (firmware %ld + baseline %ld), "
		"chunks %ld bytes in use of %ld (firmware %ld + baseline %ld), stack %ld slots\n",
		(long)the->currentHeapCount, (long)the->maximumHeapCount, xswsHost.slotLimit, xswsHost.slotBaseline,
		(long)the->currentChunksSize, (long)the->maximumChunksSize, xswsHost.chunkLimit, xswsHost.chunkBaseline,
		xswsHost.stackLimit);
}

/*
 * On a stack overflow, the JavaScript calls on the stack, innermost first, each with the slots
 * the stack held when it was called: the board's stack is small (512 slots), and this says
 * which path needs more.
 */
static void xswsReportFrames(txMachine* the)
{
	txSlot* frame = the->frame;
	int shown = 0;
	while (frame && frame->next && (shown < 64)) {
		txSlot* environment = mxFrameToEnvironment(frame);
		txSlot* function = frame + 3;
		const char* name = "?";
		if ((function->kind == XS_REFERENCE_KIND) && mxIsFunction(function->value.reference)) {
			txSlot* code = mxFunctionInstanceCode(function->value.reference);
			txSlot* key = (code->ID != XS_NO_ID) ? fxGetKey(the, code->ID) : C_NULL;
			if (key && key->value.key.string)
				name = key->value.key.string;
		}
		fprintf(stderr, "  at %s (%s:%d), %ld slots deep\n", name,
			(environment->ID != XS_NO_ID) ? fxGetKeyName(the, environment->ID) : "?",
			(int)environment->value.environment.line, (long)(the->stackTop - frame));
		frame = frame->next;
		shown++;
	}
}

void fxAbort(txMachine* the, int status)
{
	fflush(stdout);
	switch (status) {
	case XS_STACK_OVERFLOW_EXIT:
		fprintf(stderr, "xsws-sim: stack overflow (XS stack %ld slots)\n", xswsHost.stackLimit);
		xswsReportFrames(the);
		exit(XSWS_EXIT_STACK);
	case XS_NOT_ENOUGH_MEMORY_EXIT:
		fprintf(stderr, "xsws-sim: memory full%s\n", xswsHost.fixed ? " (fixed heap, as on the board)" : "");
		xswsMemoryReport(the);
		exit(XSWS_EXIT_MEMORY);
	case XS_NO_MORE_KEYS_EXIT:
		fprintf(stderr, "xsws-sim: not enough keys\n");
		exit(XSWS_EXIT_MEMORY);
	case XS_UNHANDLED_REJECTION_EXIT:
		xswsReportException(the, "xsws-sim: unhandled rejection");
		return;
	case XS_UNHANDLED_EXCEPTION_EXIT:
		xswsReportException(the, "xsws-sim: unhandled exception");
		exit(XSWS_EXIT_ERROR);
	default:
		fprintf(stderr, "xsws-sim: fatal error %d\n", status);
		exit(XSWS_EXIT_ERROR);
	}
}

double xswsMachineCounter(txMachine* the, int which)
{
	switch (which) {
	case 1: return the->currentHeapCount;
	case 2: return the->currentChunksSize;
	case 12: return (the->peakHeapCount > xswsHost.slotPeak) ? the->peakHeapCount : xswsHost.slotPeak;
	case 13: return (the->peakChunksSize > xswsHost.chunkPeak) ? the->peakChunksSize : xswsHost.chunkPeak;
	case 14: return the->maximumHeapCount;
	case 15: return the->maximumChunksSize;
	case 17: return (double)(the->stackTop - the->stack);
	case 19: return the->keyIndex;
	default: return 0;
	}
}

/* The C stack limit XS checks against (128 KiB margin, as XS's own Linux default), found once:
   the default asks pthread_getattr_np, which parses /proc/self/maps, at every RegExp compile. */
char* fxCStackLimit(void)
{
	static char* limit = NULL;
	if (!limit) {
		pthread_attr_t attrs;
		void* stackAddr;
		size_t stackSize;
		pthread_attr_init(&attrs);
		if ((pthread_getattr_np(pthread_self(), &attrs) == 0) && (pthread_attr_getstack(&attrs, &stackAddr, &stackSize) == 0))
			limit = (char*)stackAddr + (128 * 1024);
		pthread_attr_destroy(&attrs);
	}
	return limit;
}

static long gSlotIncrement = -1, gChunkIncrement = -1;   /* -1: the desktop's steps; 0: that kind never grows */
static long gKeys = 0;            /* --keys: run-time keys beyond the baseline's, fixed; 0: growable */
static long gBaselineKeys = 0;    /* keys the baseline machine used (in flash on the board) */

static txMachine* xswsCreate(long slots, long chunk, long stack, int fixed)
{
	txCreation creation;
	memset(&creation, 0, sizeof(creation));
	creation.initialChunkSize = (txSize)chunk;
	creation.incrementalChunkSize = fixed ? 0 : (txSize)((gChunkIncrement >= 0) ? gChunkIncrement : ((chunk / 4 > 65536) ? chunk / 4 : 65536));
	creation.initialHeapCount = (txSize)slots;
	creation.incrementalHeapCount = fixed ? 0 : (txSize)((gSlotIncrement >= 0) ? gSlotIncrement : ((slots / 4 > 4096) ? slots / 4 : 4096));
	creation.stackCount = (txSize)stack;
	/* the board's keys: the built-ins' and the preloaded modules' are in flash (keyOffset), the
	   run-time ones are creation keys.initial, with no growth */
	creation.initialKeyCount = gKeys ? (txSize)(gBaselineKeys + gKeys) : 2048;
	creation.incrementalKeyCount = gKeys ? 0 : 1024;
	creation.nameModulo = 1993;
	creation.symbolModulo = 127;
	creation.parserBufferSize = 256 * 1024;
	creation.parserTableModulo = 1993;
	creation.staticSize = 0;
	return fxCreateMachine(&creation, "xsws", NULL, XS_NO_ID);
}

#define XSWS_MAX_PRELOAD 64
static const char* gPreload[XSWS_MAX_PRELOAD];
static int gPreloadCount = 0;

static int xswsRunEntry(txMachine* the, const char* entry);

/* The heap a machine with the host's globals and the preloaded modules occupies after a
   collection. On the board this part is in flash (built-ins and the modules the manifest
   preloads); the simulator adds it on top of the firmware's budget. */
static void xswsMeasureBaseline(void)
{
	int i;
	long keys = gKeys;
	txMachine* the;
	gKeys = 0;
	the = xswsCreate(65536, 1024 * 1024, 4096, 0);
	gKeys = keys;
	if (!the) {
		fprintf(stderr, "xsws-sim: cannot create the XS machine\n");
		exit(XSWS_EXIT_MEMORY);
	}
	xswsInstallGlobals(the);
	for (i = 0; i < gPreloadCount; i++) {
		if (!xswsRunEntry(the, gPreload[i])) {
			fprintf(stderr, "xsws-sim: preloading \"%s\" failed\n", gPreload[i]);
			exit(XSWS_EXIT_ERROR);
		}
		xswsDrainJobs(the);
		if (gStartupFailed) {
			fprintf(stderr, "xsws-sim: preloading \"%s\" failed\n", gPreload[i]);
			exit(XSWS_EXIT_ERROR);
		}
	}
	fxCollectGarbage(the);
	gBaselineKeys = the->keyIndex;
	xswsHost.slotBaseline = the->currentHeapCount;
	xswsHost.chunkBaseline = the->currentChunksSize;
	fxDeleteMachine(the);
	xswsHost.gcCount = 0;
}

/* ---- entry ------------------------------------------------------------------------------ */

static void xswsEntryFulfilled(txMachine* the)
{
}

static void xswsEntryRejected(txMachine* the)
{
	gStartupFailed = 1;
	xswsStopRequested = 1;   /* a rejected top-level await ends the run, exit 1 */
	xswsReportValue(the, "xsws-sim: start-up failed", mxArgv(0));
}

static int xswsRunEntry(txMachine* the, const char* entry)
{
	int ok = 1;
	txSlot* realm = mxProgram.value.reference->next->value.module.realm;
	fxBeginHost(the);
	mxTry(the) {
		mxPushStringC((txString)entry);
		fxRunImport(the, realm, XS_NO_ID);
		mxDub();
		fxGetID(the, mxID(_then));
		mxCall();
		fxNewHostFunction(the, xswsEntryFulfilled, 1, XS_NO_ID, XS_NO_ID);
		fxNewHostFunction(the, xswsEntryRejected, 1, XS_NO_ID, XS_NO_ID);
		mxRunCount(2);
		mxPop();
	}
	mxCatch(the) {
		xswsReportException(the, "xsws-sim: start-up failed");
		ok = 0;
	}
	fxEndHost(the);
	return ok;
}

/* ---- signals ---------------------------------------------------------------------------- */

static void xswsOnSignal(int signal)
{
	char byte = 1;
	if (xswsStopRequested)
		_exit(0);    /* second signal: the firmware is stuck in JS, leave now */
	xswsStopRequested = 1;
	if (write(xswsSignalPipe[1], &byte, 1) < 0) {
	}
}

static void xswsInstallSignals(void)
{
	struct sigaction action;
	if (pipe(xswsSignalPipe) == 0) {
		fcntl(xswsSignalPipe[0], F_SETFL, O_NONBLOCK);
		fcntl(xswsSignalPipe[1], F_SETFL, O_NONBLOCK);
		fcntl(xswsSignalPipe[0], F_SETFD, FD_CLOEXEC);
		fcntl(xswsSignalPipe[1], F_SETFD, FD_CLOEXEC);
	}
	memset(&action, 0, sizeof(action));
	action.sa_handler = xswsOnSignal;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* a desktop heap serves thousands of connections: take the hard descriptor limit, not 1024 */
static void xswsRaiseDescriptorLimit(void)
{
	struct rlimit limit;
	if ((getrlimit(RLIMIT_NOFILE, &limit) == 0) && (limit.rlim_cur < limit.rlim_max)) {
		limit.rlim_cur = (limit.rlim_max > 65536) ? 65536 : limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
}

/* ---- main ------------------------------------------------------------------------------- */

static long xswsCountOption(const char* name, const char* value, long minimum)
{
	char* end = NULL;
	long result;
	if (!value) {
		fprintf(stderr, "xsws-sim: %s needs a value\n", name);
		xswsUsage(stderr);
		exit(XSWS_EXIT_USAGE);
	}
	result = strtol(value, &end, 10);
	if (!*value || *end || (result < minimum) || (result > 0x7FFFFFFF)) {
		fprintf(stderr, "xsws-sim: %s: invalid number \"%s\"\n", name, value);
		exit(XSWS_EXIT_USAGE);
	}
	return result;
}

static long xswsNumberOption(const char* name, const char* value)
{
	return xswsCountOption(name, value, 1);
}

#ifdef XSWS_SAN_SELFTEST
/* The sanitizer build only (make -C hosts/lin SAN=1): one deliberate heap overflow, which
   AddressSanitizer must report (npm run test:asan checks that it does). UBSan's own size check is
   off here so that the report is ASan's. */
__attribute__((noinline, no_sanitize("undefined"))) static void xswsOverflowOnPurpose(void)
{
	volatile int past = 8;
	char* volatile block = malloc(8);   /* volatile: the compiler may not drop the pair */
	((volatile char*)block)[past] = 1;   /* volatile: a store before free() is otherwise dead */
	free(block);
}
#endif

int main(int argc, char* argv[])
{
	const char* map = NULL;
	const char* entry = NULL;
	long slots = 4928, chunk = 78848, stack = 512, heapLimit = 0;
	const char* profilePath = NULL;
	FILE* profile = NULL;
	int fixed = 0, i, status;
	txMachine* the;

	for (i = 1; i < argc; i++) {
		const char* arg = argv[i];
		const char* value = (i + 1 < argc) ? argv[i + 1] : NULL;
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			xswsUsage(stdout);
			return 0;
		}
		else if (!strcmp(arg, "--version")) {
			xswsVersion();
			return 0;
		}
		else if (!strcmp(arg, "--map") && value) { map = value; i++; }
		else if (!strcmp(arg, "--entry") && value) { entry = value; i++; }
		else if (!strcmp(arg, "--resources") && value) { xswsHost.resourcesDir = value; i++; }
		else if (!strcmp(arg, "--slots")) { slots = xswsNumberOption(arg, value); i++; }
		else if (!strcmp(arg, "--chunk")) { chunk = xswsNumberOption(arg, value); i++; }
		else if (!strcmp(arg, "--stack")) { stack = xswsNumberOption(arg, value); i++; }
		else if (!strcmp(arg, "--fixed")) fixed = 1;
		else if (!strcmp(arg, "--slot-increment")) { gSlotIncrement = xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--chunk-increment")) { gChunkIncrement = xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--keys")) { gKeys = xswsNumberOption(arg, value); i++; }
		else if (!strcmp(arg, "--heap-limit")) { heapLimit = xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--tcp-pcbs")) { xswsLwip.tcpPcbs = (int)xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--listen-pcbs")) { xswsLwip.listenPcbs = (int)xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--udp-pcbs")) { xswsLwip.udpPcbs = (int)xswsCountOption(arg, value, 0); i++; }
		else if (!strcmp(arg, "--snd-buf")) { xswsLwip.sndBuf = (int)xswsCountOption(arg, value, 536); i++; }
		else if (!strcmp(arg, "--wnd")) { xswsLwip.wnd = (int)xswsCountOption(arg, value, 536); i++; }
		else if (!strcmp(arg, "--mss")) { xswsLwip.mss = (int)xswsCountOption(arg, value, 536); i++; }
		else if (!strcmp(arg, "--preload") && value) {
			if (gPreloadCount >= XSWS_MAX_PRELOAD) {
				fprintf(stderr, "xsws-sim: more than %d --preload modules\n", XSWS_MAX_PRELOAD);
				return XSWS_EXIT_USAGE;
			}
			gPreload[gPreloadCount++] = value;
			i++;
		}
		else if (!strcmp(arg, "--quiet")) gQuiet = 1;
		else if (!strcmp(arg, "--profile") && value) { profilePath = value; i++; }
#ifdef XSWS_SAN_SELFTEST
		else if (!strcmp(arg, "--asan-selftest")) {
			xswsOverflowOnPurpose();
			return 0;
		}
#endif
		else {
			fprintf(stderr, "xsws-sim: unknown or incomplete option \"%s\"\n", arg);
			xswsUsage(stderr);
			return XSWS_EXIT_USAGE;
		}
	}
	if (!entry) {
		fprintf(stderr, "xsws-sim: --entry is required\n");
		xswsUsage(stderr);
		return XSWS_EXIT_USAGE;
	}
	if (map && (xswsLoadModuleMap(map) < 0))
		return XSWS_EXIT_USAGE;

	xswsMeasureBaseline();
	xswsHost.slotLimit = slots;
	xswsHost.chunkLimit = chunk;
	xswsHost.stackLimit = stack;
	xswsHost.fixed = fixed;
	if (heapLimit) {
		/* the baseline is in flash on the board: on top of the budget, as for --slots and --chunk */
		long baseline = xswsHost.slotBaseline * (long)sizeof(txSlot) + xswsHost.chunkBaseline;
		long initial = (slots + xswsHost.slotBaseline + stack) * (long)sizeof(txSlot) + chunk + xswsHost.chunkBaseline;
		xswsHost.heapLimit = heapLimit + baseline;
		if (initial > xswsHost.heapLimit) {
			fprintf(stderr, "xsws-sim: the initial heap (%ld slots, %ld chunk bytes, stack %ld) exceeds --heap-limit %ld\n",
				slots, chunk, stack, heapLimit);
			return XSWS_EXIT_USAGE;
		}
	}
	if (!gQuiet) {
		fprintf(stderr, "xsws-sim %s, XS %d.%d.%d (LGPL-3.0-or-later), %d-bit: heap %ld+%ld slots, %ld+%ld chunk bytes, stack %ld, %s",
			XSWS_VERSION, XS_MAJOR_VERSION, XS_MINOR_VERSION, XS_PATCH_VERSION, (int)(sizeof(void*) * 8),
			slots, xswsHost.slotBaseline, chunk, xswsHost.chunkBaseline, stack, fixed ? "fixed" : "growable");
		if (heapLimit)
			fprintf(stderr, " up to %ld bytes", heapLimit);
		fprintf(stderr, "\nxsws-sim: ");
		if (gKeys)
			fprintf(stderr, "keys %ld+%ld; ", gKeys, gBaselineKeys);
		fprintf(stderr, "lwIP %d TCP, %d listening, %d UDP pcbs, send buffer %d, window %d, MSS %d\n",
			xswsLwip.tcpPcbs, xswsLwip.listenPcbs, xswsLwip.udpPcbs, xswsLwip.sndBuf, xswsLwip.wnd, xswsLwip.mss);
	}

	xswsInstallSignals();
	xswsRaiseDescriptorLimit();
	the = xswsCreate(slots + xswsHost.slotBaseline, chunk + xswsHost.chunkBaseline, stack, fixed);
	if (!the) {
		fprintf(stderr, "xsws-sim: cannot create the XS machine\n");
		return XSWS_EXIT_MEMORY;
	}
	xswsInstallGlobals(the);
	if (profilePath) {
#ifndef mxProfile
		fprintf(stderr, "xsws-sim: --profile: this build has no profiler; use build/lin/xsws-sim-profile (make -C hosts/lin PROFILE=1)\n");
		return XSWS_EXIT_USAGE;
#endif
		/* opened now: a path that cannot be written is an error at start, not at the end */
		profile = fopen(profilePath, "w");
		if (!profile) {
			fprintf(stderr, "xsws-sim: --profile %s: %s\n", profilePath, strerror(errno));
			return XSWS_EXIT_USAGE;
		}
		fxStartProfiling(the);
	}

	if (!xswsRunEntry(the, entry))
		return XSWS_EXIT_ERROR;
	xswsDrainJobs(the);
	if (gStartupFailed)
		return XSWS_EXIT_ERROR;
	status = xswsRunLoop(the);
	if (!xswsStopRequested && !status) {
		/* XS reports a rejection nobody handled when its promise is collected, or now */
		fxBeginHost(the);
		fxCheckUnhandledRejections(the, 1);
		fxEndHost(the);
	}
	if (profile) {
		fxStopProfiling(the, profile);   /* XS's fxPrintProfiler() closes the file */
		if (!gQuiet)
			fprintf(stderr, "xsws-sim: CPU profile written to %s\n", profilePath);
	}
	fflush(stdout);
	fflush(stderr);
	/* exit without tearing the machine down: sockets and files close with the process */
	if (gStartupFailed)
		return XSWS_EXIT_ERROR;
	return status;
}
