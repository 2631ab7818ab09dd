/*
 * xsws/zlib (MIT): CRC-32 and a bounded, pull-style raw-deflate inflater over miniz, for the
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
 * 32-bit targets) plus its 32 KiB circular dictionary (TINFL_LZ_DICT_SIZE), independent of the
 * size of the data. It is freed by close() (or by the garbage collector).
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

void xs_xsws_inflater(xsMachine *the)
{
	xswsInflater *inflater = c_calloc(1, sizeof(xswsInflater));
	if (!inflater)
		xsUnknownError("inflate: no memory");
	xswsInflaterInit(inflater);
	xsmcSetHostData(xsThis, inflater);
}

static xswsInflater *getInflater(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	if (!inflater || ((void *)inflater == &gClosedDone))
		xsUnknownError("inflate: closed");
	return inflater;
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
