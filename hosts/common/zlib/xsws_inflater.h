/*
 * xsws inflater core (MIT): the bounded, pull-style raw-deflate inflater of xsws/zlib in plain C
 * over miniz's tinfl, with no XS in it, so that the fuzz harness (hosts/lin/fuzz) runs exactly
 * the code the board runs. Included by xsws_zlib.c (the XS binding) after miniz's declarations.
 */
#ifndef XSWS_INFLATER_H
#define XSWS_INFLATER_H

#include <string.h>

typedef struct {
	tinfl_decompressor decompressor;
	mz_uint32 dictSize;			/* 2^windowBits: tinfl's wrapping dictionary must be a power of two */
	mz_uint32 dictOffset;		/* start of the bytes produced but not yet delivered */
	mz_uint32 dictAvailable;	/* how many of them */
	mz_uint32 consumed;			/* input bytes taken by the last xswsInflaterRun() */
	int status;					/* last tinfl status */
	int overran;				/* tinfl wrote past the dictionary's end: see xswsInflaterRun */
	/*
	 * dictSize bytes, then XSWS_INFLATE_OVERRUN of slack: tinfl (Moddable's miniz, which the board
	 * compiles unchanged) takes the forbidden length codes 286 and 287 as a match of length 0, and
	 * its copy loop still moves 3 bytes: at the end of the dictionary that reads and writes up to 3
	 * bytes past it (the C fuzz harness found it under ASan). Those bytes land in the slack, and a
	 * call that wrote past the end is refused as corrupt; elsewhere the 3 stray bytes are output,
	 * which a zip entry's CRC-32 refuses.
	 */
	mz_uint8 dict[];
} xswsInflater;

#define XSWS_INFLATE_OVERRUN 8

/* the bytes an inflater with a window of 2^windowBits (9..15) takes, in one allocation */
static size_t xswsInflaterSize(int windowBits)
{
	return sizeof(xswsInflater) + ((size_t)1 << windowBits) + XSWS_INFLATE_OVERRUN;
}

/* inflater: zeroed memory of xswsInflaterSize(windowBits) (the dictionary must start zeroed, see xsws_zlib.c) */
static void xswsInflaterInit(xswsInflater *inflater, int windowBits)
{
	tinfl_init(&inflater->decompressor);
	inflater->dictSize = (mz_uint32)1 << windowBits;
	inflater->status = TINFL_STATUS_NEEDS_MORE_INPUT;
}

/*
 * A new stream in the same memory (permessage-deflate without context takeover). The dictionary
 * is zeroed again: a distance reaching before the stream's start must read zeros, never the last
 * stream's bytes (a pooled inflater serves other peers too).
 */
static void xswsInflaterReset(xswsInflater *inflater)
{
	mz_uint32 dictSize = inflater->dictSize;
	memset(inflater, 0, sizeof(xswsInflater) + dictSize + XSWS_INFLATE_OVERRUN);
	tinfl_init(&inflater->decompressor);
	inflater->dictSize = dictSize;
	inflater->status = TINFL_STATUS_NEEDS_MORE_INPUT;
}

/* output is waiting that needs no more input (delivered bytes, or tinfl stopped with its buffer full) */
static int xswsInflaterPending(const xswsInflater *inflater)
{
	return inflater->dictAvailable || (inflater->status == TINFL_STATUS_HAS_MORE_OUTPUT);
}

static const char *xswsInflaterFailure(const xswsInflater *inflater)
{
	if (inflater->overran)
		return "inflate: corrupt data (invalid length code)";
	switch (inflater->decompressor.m_state) {	/* tinfl's coroutine state indices where it fails */
	case 39: return "inflate: corrupt data (stored block length check failed)";
	case 10: return "inflate: corrupt data (invalid block type)";
	case 35: return "inflate: corrupt data (invalid Huffman code lengths)";
	case 17: return "inflate: corrupt data (code length repeat without a previous length)";
	case 21: return "inflate: corrupt data (too many code lengths)";
	case 37: return "inflate: corrupt data (distance too far back)";
	default: return "inflate: corrupt data";
	}
}

/* the stream ended and everything it produced was delivered */
static int xswsInflaterDone(const xswsInflater *inflater)
{
	return (inflater->status == TINFL_STATUS_DONE) && !inflater->dictAvailable;
}

/*
 * Produce at most outputLength bytes into output, taking only the input needed for them:
 * returns how many were produced (inflater->consumed says how much input was taken), or -1 when
 * the data is corrupt (then and on every later call; xswsInflaterFailure() says why).
 */
static long xswsInflaterRun(xswsInflater *inflater, const mz_uint8 *input, size_t inputLength, mz_uint8 *output, size_t outputLength)
{
	size_t inputOffset = 0, produced = 0;
	inflater->consumed = 0;
	if (inflater->status < 0)
		return -1;
	while (produced < outputLength) {
		size_t n, inBytes, outBytes;
		if (inflater->dictAvailable) {
			n = outputLength - produced;
			if (n > inflater->dictAvailable)
				n = inflater->dictAvailable;
			memcpy(output + produced, inflater->dict + inflater->dictOffset, n);
			produced += n;
			inflater->dictAvailable -= (mz_uint32)n;
			inflater->dictOffset = (inflater->dictOffset + (mz_uint32)n) & (inflater->dictSize - 1);
			continue;
		}
		if (inflater->status == TINFL_STATUS_DONE)
			break;
		if ((inflater->status == TINFL_STATUS_NEEDS_MORE_INPUT) && (inputOffset == inputLength))
			break;
		inBytes = inputLength - inputOffset;
		outBytes = inflater->dictSize - inflater->dictOffset;
		inflater->status = tinfl_decompress(&inflater->decompressor, input + inputOffset, &inBytes,
			inflater->dict, inflater->dict + inflater->dictOffset, &outBytes, TINFL_FLAG_HAS_MORE_INPUT);
		inputOffset += inBytes;
		if (outBytes > inflater->dictSize - inflater->dictOffset) {
			inflater->overran = 1;
			inflater->status = TINFL_STATUS_FAILED;
			outBytes = 0;
		}
		inflater->dictAvailable = (mz_uint32)outBytes;
		if (inflater->status < 0) {
			inflater->consumed = (mz_uint32)inputOffset;
			return -1;
		}
		if ((inflater->status == TINFL_STATUS_NEEDS_MORE_INPUT) && !inBytes && !outBytes)
			break;
	}
	inflater->consumed = (mz_uint32)inputOffset;
	return (long)produced;
}

#endif
