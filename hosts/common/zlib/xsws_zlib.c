/*
 * xsws/zlib (MIT): CRC-32 and a bounded, pull-style raw-deflate inflater over miniz, for the
 * Linux simulator (hosts/lin) and the ESP32 (Moddable SDK), which both compile Moddable's
 * miniz.c for the `inflate` module. This file only includes miniz's declarations.
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

typedef struct {
	tinfl_decompressor decompressor;
	mz_uint32 dictOffset;		/* start of the bytes produced but not yet delivered */
	mz_uint32 dictAvailable;	/* how many of them */
	mz_uint32 consumed;			/* input bytes taken by the last inflate() */
	int status;					/* last tinfl status */
	mz_uint8 dict[TINFL_LZ_DICT_SIZE];
} xswsInflater;

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
	tinfl_init(&inflater->decompressor);
	inflater->status = TINFL_STATUS_NEEDS_MORE_INPUT;
	xsmcSetHostData(xsThis, inflater);
}

static xswsInflater *getInflater(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor);
	if (!inflater || ((void *)inflater == &gClosedDone))
		xsUnknownError("inflate: closed");
	return inflater;
}

static const char *failure(mz_uint32 state)
{
	switch (state) {	/* tinfl's coroutine state indices where it fails */
	case 39: return "inflate: corrupt data (stored block length check failed)";
	case 10: return "inflate: corrupt data (invalid block type)";
	case 35: return "inflate: corrupt data (invalid Huffman code lengths)";
	case 17: return "inflate: corrupt data (code length repeat without a previous length)";
	case 21: return "inflate: corrupt data (too many code lengths)";
	case 37: return "inflate: corrupt data (distance too far back)";
	default: return "inflate: corrupt data";
	}
}

/* inflate(input, output) -> bytes produced (<= output.byteLength); `consumed` input bytes */
void xs_xsws_inflater_inflate(xsMachine *the)
{
	xswsInflater *inflater = getInflater(the);
	mz_uint8 *input, *output;
	xsUnsignedValue inputLength, outputLength;
	size_t inputOffset = 0, produced = 0;

	/* no XS allocation from here to the end: the buffer pointers stay valid */
	xsmcGetBufferReadable(xsArg(0), (void **)&input, &inputLength);
	xsmcGetBufferWritable(xsArg(1), (void **)&output, &outputLength);
	inflater->consumed = 0;
	if (inflater->status < 0)
		xsUnknownError("%s", failure(inflater->decompressor.m_state));

	while (produced < outputLength) {
		size_t n, inBytes, outBytes;
		if (inflater->dictAvailable) {
			n = outputLength - produced;
			if (n > inflater->dictAvailable)
				n = inflater->dictAvailable;
			c_memcpy(output + produced, inflater->dict + inflater->dictOffset, n);
			produced += n;
			inflater->dictAvailable -= n;
			inflater->dictOffset = (inflater->dictOffset + n) & (TINFL_LZ_DICT_SIZE - 1);
			continue;
		}
		if (inflater->status == TINFL_STATUS_DONE)
			break;
		if ((inflater->status == TINFL_STATUS_NEEDS_MORE_INPUT) && (inputOffset == inputLength))
			break;
		inBytes = inputLength - inputOffset;
		outBytes = TINFL_LZ_DICT_SIZE - inflater->dictOffset;
		inflater->status = tinfl_decompress(&inflater->decompressor, input + inputOffset, &inBytes,
			inflater->dict, inflater->dict + inflater->dictOffset, &outBytes, TINFL_FLAG_HAS_MORE_INPUT);
		inputOffset += inBytes;
		inflater->dictAvailable = (mz_uint32)outBytes;
		if (inflater->status < 0) {
			inflater->consumed = (mz_uint32)inputOffset;
			xsUnknownError("%s", failure(inflater->decompressor.m_state));
		}
		if ((inflater->status == TINFL_STATUS_NEEDS_MORE_INPUT) && !inBytes && !outBytes)
			break;
	}
	inflater->consumed = (mz_uint32)inputOffset;
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
		xsmcSetBoolean(xsResult, inflater && (inflater->status == TINFL_STATUS_DONE) && !inflater->dictAvailable);
}

void xs_xsws_inflater_close(xsMachine *the)
{
	xswsInflater *inflater = xsmcGetHostData(xsThis);
	if (inflater && ((void *)inflater != &gClosedDone) && xsmcGetHostDataValidate(xsThis, xs_xsws_inflater_destructor)) {
		int done = (inflater->status == TINFL_STATUS_DONE) && !inflater->dictAvailable;
		xs_xsws_inflater_destructor(inflater);
		xsmcSetHostData(xsThis, done ? (void *)&gClosedDone : NULL);
	}
}
