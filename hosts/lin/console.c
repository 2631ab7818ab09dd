/*
 * xsws-sim globals (MIT): trace(), console.{log,info,debug,warn,error}, and the timer globals
 * (setTimeout & co., implemented in timers.c). Output is converted from XS's CESU-8 to UTF-8.
 */
#include "xsmc.h"
#include "host.h"

extern void xs_setTimeout(xsMachine* the);
extern void xs_clearTimer(xsMachine* the);
extern void xs_setInterval(xsMachine* the);

void xswsWriteCESU8(FILE* file, const char* string, size_t length)
{
	const unsigned char* s = (const unsigned char*)string;
	const unsigned char* end = s + length;
	const unsigned char* run = s;
	while (s < end) {
		/* a surrogate pair encoded as two 3-byte sequences: ED A0..AF xx ED B0..BF xx */
		if ((s[0] == 0xED) && (end - s >= 6) && ((s[1] & 0xF0) == 0xA0) && (s[3] == 0xED) && ((s[4] & 0xF0) == 0xB0)) {
			unsigned hi = ((s[1] & 0x0F) << 6) | (s[2] & 0x3F);
			unsigned lo = ((s[4] & 0x0F) << 6) | (s[5] & 0x3F);
			unsigned c = 0x10000 + (hi << 10) + lo;
			unsigned char utf8[4];
			fwrite(run, 1, s - run, file);
			utf8[0] = 0xF0 | (c >> 18);
			utf8[1] = 0x80 | ((c >> 12) & 0x3F);
			utf8[2] = 0x80 | ((c >> 6) & 0x3F);
			utf8[3] = 0x80 | (c & 0x3F);
			fwrite(utf8, 1, 4, file);
			s += 6;
			run = s;
		}
		else if ((s[0] == 0xC0) && (end - s >= 2) && (s[1] == 0x80)) {
			/* XS's modified UTF-8 NUL */
			fwrite(run, 1, s - run, file);
			fputc(0, file);
			s += 2;
			run = s;
		}
		else
			s++;
	}
	fwrite(run, 1, s - run, file);
}

static void xswsWriteArguments(xsMachine* the, FILE* file, const char* separator, const char* end)
{
	int i, argc = xsmcArgc;
	for (i = 0; i < argc; i++) {
		const char* string;
		if (i && separator)
			fputs(separator, file);
		string = xsmcToString(xsArg(i));
		xswsWriteCESU8(file, string, strlen(string));
	}
	if (end)
		fputs(end, file);
	fflush(file);
}

/* Moddable's trace: arguments as strings, no separator, no newline added */
void xs_trace(xsMachine* the)
{
	xswsWriteArguments(the, stdout, NULL, NULL);
}

void xs_console_log(xsMachine* the)
{
	xswsWriteArguments(the, stdout, " ", "\n");
}

void xs_console_error(xsMachine* the)
{
	fflush(stdout);
	xswsWriteArguments(the, stderr, " ", "\n");
}

/* A host object that lives as long as the machine and whose marker runs once per collection:
   the garbage collection counter for Instrumentation. */
static void xswsGCCounterMark(xsMachine* the, void* data, xsMarkRoot markRoot)
{
	xswsHost.gcCount++;
}
static void xswsGCCounterDestroy(void* data)
{
}
static xsHostHooks gxGCCounterHooks = { xswsGCCounterDestroy, xswsGCCounterMark, NULL };
static xsSlot gxGCCounter;

void xswsInstallGlobals(xsMachine* machine)
{
	xsBeginHost(machine);
	{
		xsmcVars(2);
		xsVar(0) = xsNewHostFunction(xs_trace, 1);
		xsmcDefine(xsGlobal, xsID("trace"), xsVar(0), xsDontEnum);

		xsVar(0) = xsNewObject();
		xsVar(1) = xsNewHostFunction(xs_console_log, 1);
		xsmcSet(xsVar(0), xsID("log"), xsVar(1));
		xsmcSet(xsVar(0), xsID("info"), xsVar(1));
		xsmcSet(xsVar(0), xsID("debug"), xsVar(1));
		xsVar(1) = xsNewHostFunction(xs_console_error, 1);
		xsmcSet(xsVar(0), xsID("warn"), xsVar(1));
		xsmcSet(xsVar(0), xsID("error"), xsVar(1));
		xsmcDefine(xsGlobal, xsID("console"), xsVar(0), xsDontEnum);

		xsVar(0) = xsNewHostFunction(xs_setTimeout, 2);
		xsmcDefine(xsGlobal, xsID("setTimeout"), xsVar(0), xsDontEnum);
		xsVar(0) = xsNewHostFunction(xs_setInterval, 2);
		xsmcDefine(xsGlobal, xsID("setInterval"), xsVar(0), xsDontEnum);
		xsVar(0) = xsNewHostFunction(xs_clearTimer, 1);
		xsmcDefine(xsGlobal, xsID("clearTimeout"), xsVar(0), xsDontEnum);
		xsmcDefine(xsGlobal, xsID("clearInterval"), xsVar(0), xsDontEnum);

		gxGCCounter = xsNewHostObject(NULL);
		/* XS calls a marker only for host objects with data */
		xsmcSetHostData(gxGCCounter, &xswsHost);
		xsSetHostHooks(gxGCCounter, &gxGCCounterHooks);
		xsRemember(gxGCCounter);
	}
	xsEndHost(machine);
}
