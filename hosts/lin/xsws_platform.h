/*
 * xsws-sim platform header (MIT). Selected with
 *   -DINCLUDE_XSPLATFORM -DXSPLATFORM="\"xsws_platform.h\""
 * and included by XS's xsPlatform.h after it has set every mx* OS flag to 0.
 */
#ifndef __XSWS_PLATFORM__
#define __XSWS_PLATFORM__

#if !defined(__GNUC__) || !defined(__linux__)
	#error xsws-sim builds on Linux with gcc or clang
#endif
#if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
	#error xsws-sim expects a little-endian host
#endif

/* gcc has no __has_feature (before 14), so XS's own allowances for AddressSanitizer, written for
   clang (e.g. its word-at-a-time UTF-8 length), would be left out of the sanitizer build (SAN=1) */
#if defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
	#define __has_feature(x) __xsws_feature_##x
	#define __xsws_feature_address_sanitizer 1
#endif

#undef mxLittleEndian
#define mxLittleEndian 1
#undef mxLinux
#define mxLinux 1
#define mxExport extern
#define mxImport extern
#define XS_FUNCTION_NORETURN __attribute__((noreturn))

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#define mxUseGCCAtomics 1
#define mxUsePOSIXThreads 1

/* Fields XS reserves in every txMachine for the host. */
#define mxMachinePlatform \
	int promiseJobs; \
	int abortStatus; \
	void* host; \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink;

/* Defaults from xsPlatforms.c we are happy with. */
#define mxUseDefaultBuildKeys 1
/* chunk and slot blocks: main.c, which counts them against the profile's static budget */
#define mxUseDefaultChunkAllocation 0
#define mxUseDefaultSlotAllocation 0
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultDebug 1
/* XS asks for the C stack limit on every machine, parser and RegExp compile; the default
   reads /proc/self/maps each time (pthread_getattr_np). main.c computes it once. */
#define mxUseDefaultCStackLimit 0

#if INTPTR_MAX == INT64_MAX
	#define mx32bitID 1
#endif

/* Strings are CESU-8 inside XS (as in xsnap); the host converts to UTF-8 on output. */
#define mxCESU8 1

#endif /* __XSWS_PLATFORM__ */
