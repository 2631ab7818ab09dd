/*
 * The bounded inflater of xsws/zlib (hosts/common/zlib/xsws_inflater.h), on any bytes: the first
 * byte picks the output buffer's size, the second the input pieces' size and (its low 3 bits) the
 * window, 2^9 to 2^15 bytes as permessage-deflate negotiates; the rest is raw deflate. The
 * reference is zlib with the same window. Properties:
 * - a call never produces more than its output buffer or takes more than its input;
 * - a call with input left and room for output never makes no progress (the JS caller would loop);
 * - where zlib (the reference, strict) ends the stream within the input and within the cap,
 *   the streamed output is the same bytes and the stream ends there; so the inflater never calls
 *   corrupt what zlib accepts.
 * The reverse may differ, and does: tinfl accepts the distance codes 30 and 31 that RFC 1951
 * forbids, and in circular mode a distance before the start of the stream reads zeros. Both stay
 * inside the inflater's own dictionary; a zip entry's CRC-32 refuses what they change.
 */
#include "harness.h"
#include <string.h>
#define MINIZ_HEADER_FILE_ONLY
#define MINIZ_NO_ZLIB_COMPATIBLE_NAMES	/* zlib's own names are zlib's here */
#include "miniz.c"
#include "../../common/zlib/xsws_inflater.h"
#include <zlib.h>

/* stop comparing past this much output: a bomb's worth of time per input is bounded */
#define OUTPUT_CAP (1u << 18)

/* allocated per input at its window's size, so that ASan sees any write past it */
static xswsInflater *gInflaterMemory;
#define gInflater (*gInflaterMemory)
static uint8_t gOut[OUTPUT_CAP];
static uint8_t gReferenceOut[OUTPUT_CAP + 1];

/* zlib's output size when the stream ends within the input and within the cap, else -1 */
static long reference(const uint8_t *stream, size_t size, int windowBits)
{
	z_stream z;
	int status;
	long produced;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -windowBits) != Z_OK)
		abort();
	z.next_in = (Bytef *)stream;
	z.avail_in = (uInt)size;
	z.next_out = gReferenceOut;
	if (windowBits == 15) {
		z.avail_out = sizeof(gReferenceOut);
		status = inflate(&z, Z_NO_FLUSH);
	}
	else {
		/*
		 * zlib refuses a distance past its window only when it reaches before the output of the
		 * current call: one byte of room per call makes every distance count against the window
		 */
		do {
			z.avail_out = 1;
			status = inflate(&z, Z_NO_FLUSH);
		} while ((status == Z_OK) && (z.total_out < sizeof(gReferenceOut)));
	}
	produced = (long)z.total_out;
	inflateEnd(&z);
	return ((status == Z_STREAM_END) && (produced <= OUTPUT_CAP)) ? produced : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outSize, pieceSize, offset = 0, total = 0;
	long referenceSize;
	const uint8_t *stream;
	size_t streamSize;
	uint8_t buffer[4096];
	int failed = 0, capped = 0, windowBits;
	if (size < 2)
		return 0;
	outSize = 1 + (data[0] * 16) % sizeof(buffer);
	pieceSize = 1 + data[1] * 8;
	stream = data + 2;
	streamSize = size - 2;

	windowBits = 15 - (data[1] & 7);
	if (windowBits < 9)
		windowBits = 9;
	gInflaterMemory = calloc(1, xswsInflaterSize(windowBits));
	if (!gInflaterMemory)
		abort();
	xswsInflaterInit(&gInflater, windowBits);
	for (;;) {
		size_t piece = streamSize - offset < pieceSize ? streamSize - offset : pieceSize;
		long produced = xswsInflaterRun(&gInflater, stream + offset, piece, buffer, outSize);
		if (produced < 0) {
			failed = 1;
			break;
		}
		XSWS_FUZZ_CHECK((size_t)produced <= outSize, "produced %ld into %zu bytes", produced, outSize);
		XSWS_FUZZ_CHECK(gInflater.consumed <= piece, "took %u of %zu input bytes", gInflater.consumed, piece);
		offset += gInflater.consumed;
		if (total + produced > OUTPUT_CAP) {
			capped = 1;
			break;
		}
		memcpy(gOut + total, buffer, produced);
		total += produced;
		if (xswsInflaterDone(&gInflater))
			break;
		if (!produced && !gInflater.consumed) {
			XSWS_FUZZ_CHECK(offset == streamSize, "no progress with %zu input bytes left and %zu bytes of room", streamSize - offset, outSize);
			break;
		}
	}

	referenceSize = reference(stream, streamSize, windowBits);
	if ((referenceSize >= 0) && !capped) {
		XSWS_FUZZ_CHECK(!failed, "called corrupt what the reference inflates (%ld bytes)", referenceSize);
		XSWS_FUZZ_CHECK(xswsInflaterDone(&gInflater), "the stream did not end where the reference's did");
		XSWS_FUZZ_CHECK(total == (size_t)referenceSize, "%zu bytes out, the reference %ld", total, referenceSize);
		XSWS_FUZZ_CHECK(!memcmp(gOut, gReferenceOut, total), "output differs from the reference");
	}
	free(gInflaterMemory);
	gInflaterMemory = NULL;
	return 0;
}
