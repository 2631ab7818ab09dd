/*
 * xsws/zlib (MIT): CRC-32, a bounded, pull-style raw-deflate inflater over miniz and a bounded deflater, for the
 * Linux simulator (hosts/lin) and the ESP32 (Moddable SDK), which both compile Moddable's
 * miniz.c for the `inflate` module. This file only includes miniz's declarations; the
 * inflater's core is plain C in xsws_inflater.h, which the C fuzz harness runs too.
 *
 * Why not Moddable's `inflate`: its push() inflates everything it is given and calls onData
 * synchronously for every 1 KiB it produces, with no way to say "stop, my output is full".
 * High-ratio input (1 MB of deflate can be 1 GB of output) therefore cannot be bounded in
 * memory or in time per call. Here the caller pulls: each inflate() call produces at most
 * output.byteLength bytes and takes only the input it needs.
 *
 * Memory per inflater, outside the XS heap (c_malloc): one tinfl_decompressor (about 11 KB on
 * 32-bit targets) plus its circular dictionary of 2^windowBits bytes (32 KiB by default; 9 to 15
 * bits, as permessage-deflate negotiates), independent of the size of the data. It is freed by
 * close() (or by the garbage collector).
 *
 * The deflater (xsws_deflater.h, our own: miniz's tdefl needs ~300 KB) compresses for
 * permessage-deflate with a chosen window and a sync flush per call.
 *
 * tinfl in circular-buffer mode (no TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF) does not detect a
 * distance reaching before the start of the stream: the dictionary is zeroed at allocation, so
 * such a stream yields zeros (never foreign memory) and a zip entry's CRC-32 check catches it.
 * The same goes for the forbidden distance codes 30 and 31, which tinfl takes as distance 0.
 * The forbidden length codes 286 and 287 copy 3 stray bytes: where that would pass the
 * dictionary's end the stream is refused (xsws_inflater.h), elsewhere the CRC-32 catches it.
 */
#include "xsmc.h"
#include "xsHost.h"

#define MINIZ_HEADER_FILE_ONLY
/*
 * Moddable's miniz.c is in $(MODDABLE)/modules/data/zlib, which mcconfig does not put on the
 * include path (it adds only the directories of .h files a manifest lists, and that directory
 * has none). Every Moddable build (lin, esp32, ...) has -I$(MODDABLE)/xs/includes, from which
 * "../../modules/data/zlib/miniz.c" is that file. hosts/lin passes -I.../modules/data/zlib.
 */
#if defined(__has_include)
#if __has_include("../../modules/data/zlib/miniz.c")
#include "../../modules/data/zlib/miniz.c"
#else
#include "miniz.c"
#endif
#else
#include "miniz.c"
#endif

#include "xsws_inflater.h"
#include "xsws_deflater.h"

/* crc32(buffer, crc = 0) -> the CRC-32 (IEEE) of buffer, continuing crc */
void xs_xsws_crc32(xsMachine *the)
{
	void *data;
	xsUnsignedValue count;
	mz_ulong crc = 0;
	if ((xsmcArgc > 1) && xsmcTest(xsArg(1)))
		crc = (mz_uint32)xsmcToNumber(xsArg(1));
	xsmcGetBufferReadable(xsArg(0), &data, &count);
	crc = mz_crc32(crc, (const mz_uint8 *)data, count);
	xsmcSetNumber(xsResult, (double)(mz_uint32)crc);
}

/* the host data of an inflater closed after its stream ended (so `done` stays true) */
static char gClosedDone;

void xs_xsws_inflater_destructor(void *data)
{
	if (data && (data != &gClosedDone))
		c_free(data);
}

static xswsInflater *getInflater(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	if (!inflater || ((void *)inflater == &gClosedDone))
		xsUnknownError("inflate: closed");
	return inflater;
}

/* new Inflater(windowBits = 15): a window of 2^windowBits (9..15) bytes */
void xs_xsws_inflater(xsMachine *the)
{
	xswsInflater *inflater;
	int windowBits = 15;
	if ((xsmcArgc > 0) && xsmcTest(xsArg(0)))
		windowBits = xsmcToInteger(xsArg(0));
	if ((windowBits < 9) || (windowBits > 15))
		xsRangeError("inflate: windowBits must be 9 to 15, got %d", windowBits);
	inflater = c_calloc(1, xswsInflaterSize(windowBits));
	if (!inflater)
		xsUnknownError("inflate: no memory for a %d-bit window (%d bytes)", windowBits, (int)xswsInflaterSize(windowBits));
	xswsInflaterInit(inflater, windowBits);
	xsmcSetHostData(xsThis, inflater);
}

/* a new stream in the same memory: the window is cleared (permessage-deflate, no context takeover) */
void xs_xsws_inflater_reset(xsMachine *the)
{
	xswsInflaterReset(getInflater(the));
}

void xs_xsws_inflater_get_pending(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	xsmcSetBoolean(xsResult, inflater && ((void *)inflater != &gClosedDone) && xswsInflaterPending(inflater));
}

/* bytes this inflater holds outside the XS heap (0 once closed) */
void xs_xsws_inflater_get_memory(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	int bytes = 0;
	if (inflater && ((void *)inflater != &gClosedDone))
		bytes = (int)(sizeof(xswsInflater) + inflater->dictSize + XSWS_INFLATE_OVERRUN);
	xsmcSetInteger(xsResult, bytes);
}

/* inflate(input, output) -> bytes produced (<= output.byteLength); `consumed` input bytes */
void xs_xsws_inflater_inflate(xsMachine *the)
{
	xswsInflater *inflater = getInflater(the);
	mz_uint8 *input, *output;
	xsUnsignedValue inputLength, outputLength;
	long produced;

	/* no XS allocation between taking the buffer pointers and using them */
	xsmcGetBufferReadable(xsArg(0), (void **)&input, &inputLength);
	xsmcGetBufferWritable(xsArg(1), (void **)&output, &outputLength);
	produced = xswsInflaterRun(inflater, input, inputLength, output, outputLength);
	if (produced < 0)
		xsUnknownError("%s", xswsInflaterFailure(inflater));
	xsmcSetInteger(xsResult, (xsIntegerValue)produced);
}

void xs_xsws_inflater_get_consumed(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	xsmcSetInteger(xsResult, (inflater && ((void *)inflater != &gClosedDone)) ? inflater->consumed : 0);
}

void xs_xsws_inflater_get_done(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	if ((void *)inflater == &gClosedDone)
		xsmcSetTrue(xsResult);
	else
		xsmcSetBoolean(xsResult, inflater && xswsInflaterDone(inflater));
}

void xs_xsws_inflater_close(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostData(xsThis);
	if (inflater && ((void *)inflater != &gClosedDone) && xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor)) {
		int done = xswsInflaterDone(inflater);
		xs_xsws_inflater_destructor(inflater);
		xsmcSetHostData(xsThis, done ? (void *)&gClosedDone : NULL);
	}
}

/*
 * The deflater (xsws_deflater.h): new Deflater(windowBits, level). Its memory (xswsDeflaterSize)
 * is allocated once here, outside the XS heap, and freed by close() or the garbage collector.
 */
void xs_xsws_deflater_destructor(void *data)
{
	if (data)
		c_free(data);
}

void xs_xsws_deflater(xsMachine *the)
{
	int windowBits = xsmcToInteger(xsArg(0)), level = xsmcToInteger(xsArg(1));
	void *memory;
	if ((windowBits < 8) || (windowBits > 15))
		xsRangeError("deflate: windowBits must be 8 to 15, got %d", windowBits);
	if ((level < 0) || (level > 9))
		xsRangeError("deflate: level must be 0 to 9, got %d", level);
	memory = c_calloc(1, xswsDeflaterSize(windowBits));
	if (!memory)
		xsUnknownError("deflate: no memory for a %d-bit window (%d bytes)", windowBits, (int)xswsDeflaterSize(windowBits));
	xswsDeflaterInit(memory, windowBits, level);
	xsmcSetHostData(xsThis, memory);
}

static xswsDeflater *getDeflater(xsMachine *the)
{
	xswsDeflater *d = xsmcGetHostDataValidate(xsThis, xs_xsws_deflater_destructor);
	if (!d)
		xsUnknownError("deflate: closed");
	return d;
}

/* deflate(input, output) -> bytes written: all of input, then a sync flush */
void xs_xsws_deflater_deflate(xsMachine *the)
{
	xswsDeflater *d = getDeflater(the);
	uint8_t *input, *output;
	xsUnsignedValue inputLength, outputLength;
	long written;
	/* no XS allocation between taking the buffer pointers and using them */
	xsmcGetBufferReadable(xsArg(0), (void **)&input, &inputLength);
	xsmcGetBufferWritable(xsArg(1), (void **)&output, &outputLength);
	if (outputLength < xswsDeflateBound(inputLength))
		xsRangeError("deflate: output of %d bytes is under bound(%d) = %d", (int)outputLength, (int)inputLength, (int)xswsDeflateBound(inputLength));
	written = xswsDeflate(d, input, inputLength, output, outputLength);
	if (written < 0)
		xsUnknownError("deflate: output overflowed its bound");
	xsmcSetInteger(xsResult, (xsIntegerValue)written);
}

/* bound(length) -> the output deflate() needs for `length` input bytes */
void xs_xsws_deflater_bound(xsMachine *the)
{
	xsmcSetInteger(xsResult, (xsIntegerValue)xswsDeflateBound((size_t)xsmcToInteger(xsArg(0))));
}

/* setLevel(level): the search effort (0..9) from the next deflate() on */
void xs_xsws_deflater_set_level(xsMachine *the)
{
	xswsDeflater *d = getDeflater(the);
	int level = xsmcToInteger(xsArg(0));
	if (!xswsDeflaterSetLevel(d, level))
		xsRangeError("deflate: level must be 0 to 9, got %d", level);
}

void xs_xsws_deflater_reset(xsMachine *the)
{
	xswsDeflaterReset(getDeflater(the));
}

void xs_xsws_deflater_get_memory(xsMachine *the)
{
	xswsDeflater *d = xsmcGetHostDataValidate(xsThis, xs_xsws_deflater_destructor);
	xsmcSetInteger(xsResult, d ? (xsIntegerValue)xswsDeflaterSize(__builtin_ctz(d->wsize)) : 0);
}

void xs_xsws_deflater_close(xsMachine *the)
{
	void *d = xsmcGetHostData(xsThis);
	if (d && xsmcGetHostDataValidate(xsThis, xs_xsws_deflater_destructor)) {
		xs_xsws_deflater_destructor(d);
		xsmcSetHostData(xsThis, NULL);
	}
}
