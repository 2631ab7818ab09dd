/*
 * xsws deflater core (MIT): a small raw-deflate (RFC 1951) compressor for permessage-deflate
 * (RFC 7692), in plain C with no XS in it, so that the fuzz harness (hosts/lin/fuzz) runs exactly
 * the code the board runs. Included by xsws_zlib.c.
 *
 * Why our own: miniz's tdefl (what Moddable's `deflate` uses) keeps about 300 KB of state, always
 * with a 32 KiB window, and zlib's deflate at its defaults 256 KB; neither fits an ESP32 next to
 * a server. Here the window is chosen per stream (8 to 15 bits, as server_max_window_bits asks)
 * and everything is allocated once, up front:
 *   window  2 * max(2^bits, 512) bytes      the history matches come from, plus the input ahead
 *   prev    max(2^bits, 512) * 2 bytes      hash chains
 *   head    2^hashBits * 2 bytes            hashBits = bits - 1, at least 8
 *   symbols XSWS_DEFLATE_SYMBOLS * 3 bytes  one block's literals and matches, before it is coded
 * (32-bit, as on the board: 5,716 bytes at 8 or 9 bits, 8,276 at 10, 166,996 at 15). xswsDeflaterSize()
 * says exactly.
 *
 * Each call compresses all it is given and ends with a sync flush (an empty stored block, so the
 * output ends in 00 00 FF FF and the peer can inflate it whole): one call per WebSocket frame.
 * Matches are greedy along a hash chain bounded by the level. Each block is coded with the fixed
 * Huffman codes or stored, whichever is shorter, so the output is never more than the input plus
 * 5 bytes per block (xswsDeflateBound()).
 */
#ifndef XSWS_DEFLATER_H
#define XSWS_DEFLATER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define XSWS_DEFLATE_SYMBOLS 1024	/* symbols per block: bounds the block buffer (3 bytes each) */
#define XSWS_DEFLATE_MIN_MATCH 3
#define XSWS_DEFLATE_MAX_MATCH 258
#define XSWS_DEFLATE_LOOKAHEAD (XSWS_DEFLATE_MAX_MATCH + XSWS_DEFLATE_MIN_MATCH + 1)
/* a stored block holds at most 65,535 bytes: a block ends before its input could pass that */
#define XSWS_DEFLATE_BLOCK_BYTES (65535 - XSWS_DEFLATE_MAX_MATCH)

typedef struct {
	uint32_t wsize;			/* 2^bits: the farthest a match may reach back */
	uint32_t half;			/* max(wsize, 512): the window buffer is two halves */
	uint32_t hashBits;
	uint32_t maxChain;		/* candidates looked at per position (the level) */
	uint32_t niceLength;	/* a match this long ends the search */
	uint32_t strstart;		/* where the next symbol starts in window[] */
	uint32_t lookahead;		/* bytes from strstart not yet coded */
	uint32_t nsyms;
	uint32_t blockBytes;	/* input bytes the block's symbols cover */
	uint32_t fixedBits;		/* the block's cost with the fixed codes, so far */
	uint32_t bitBuf;
	int bitCount;
	uint8_t *out;
	size_t outLength, outPos;
	int overflow;
	uint8_t *window;
	uint16_t *prev;
	uint16_t *head;
	uint16_t *dists;		/* per symbol: 0 for a literal, else the match distance */
	uint8_t *lits;			/* per symbol: the literal, or the match length - 3 */
} xswsDeflater;

static const uint16_t xswsLengthBase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t xswsLengthExtra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t xswsDistBase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t xswsDistExtra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* per level 0..9: hash candidates tried, and the length that ends the search */
static const uint16_t xswsChain[10] = { 0, 4, 8, 12, 16, 32, 64, 128, 256, 1024 };
static const uint16_t xswsNice[10] = { 0, 16, 32, 48, 64, 128, 128, 258, 258, 258 };

static uint32_t xswsDeflaterHalf(int bits)
{
	uint32_t w = 1u << bits;
	return w < 512 ? 512 : w;
}

static uint32_t xswsDeflaterHashBits(int bits)
{
	return bits - 1 < 8 ? 8 : (uint32_t)(bits - 1);
}

/* the bytes one deflater of `bits` (8..15) takes: the struct and its arrays, in one allocation */
static size_t xswsDeflaterSize(int bits)
{
	uint32_t half = xswsDeflaterHalf(bits);
	return sizeof(xswsDeflater) + 2 * half + half * 2 + ((size_t)2 << xswsDeflaterHashBits(bits)) + XSWS_DEFLATE_SYMBOLS * 3;
}

/* the most one call can write for `length` input bytes: stored blocks (5 bytes each) and the flush */
static size_t xswsDeflateBound(size_t length)
{
	return length + 5 * (length / XSWS_DEFLATE_SYMBOLS + 2) + 6;
}

/* memory of xswsDeflaterSize(bits), zeroed, or NULL when bits or level is out of range */
static xswsDeflater *xswsDeflaterInit(void *memory, int bits, int level)
{
	xswsDeflater *d = (xswsDeflater *)memory;
	uint8_t *p;
	if ((bits < 8) || (bits > 15) || (level < 0) || (level > 9))
		return NULL;
	d->wsize = 1u << bits;
	d->half = xswsDeflaterHalf(bits);
	d->hashBits = xswsDeflaterHashBits(bits);
	d->maxChain = xswsChain[level];
	d->niceLength = xswsNice[level];
	p = (uint8_t *)(d + 1);
	d->prev = (uint16_t *)p;	p += d->half * 2;
	d->head = (uint16_t *)p;	p += (size_t)2 << d->hashBits;
	d->dists = (uint16_t *)p;	p += XSWS_DEFLATE_SYMBOLS * 2;
	d->window = p;				p += 2 * d->half;
	d->lits = p;
	return d;
}

/* the search effort from now on: 0 if level is out of range */
static int xswsDeflaterSetLevel(xswsDeflater *d, int level)
{
	if ((level < 0) || (level > 9))
		return 0;
	d->maxChain = xswsChain[level];
	d->niceLength = xswsNice[level];
	return 1;
}

/* forget the history (no context takeover): the next call starts a stream afresh */
static void xswsDeflaterReset(xswsDeflater *d)
{
	memset(d->head, 0, (size_t)2 << d->hashBits);
	memset(d->prev, 0, d->half * 2);
	d->strstart = 0;
	d->lookahead = 0;
}

static void xswsPutBits(xswsDeflater *d, uint32_t value, int count)
{
	d->bitBuf |= value << d->bitCount;
	d->bitCount += count;
	while (d->bitCount >= 8) {
		if (d->outPos < d->outLength)
			d->out[d->outPos++] = (uint8_t)d->bitBuf;
		else
			d->overflow = 1;
		d->bitBuf >>= 8;
		d->bitCount -= 8;
	}
}

static void xswsAlign(xswsDeflater *d)
{
	if (d->bitCount)
		xswsPutBits(d, 0, 8 - d->bitCount);
}

/* Huffman codes go out most significant bit first: reverse them for the LSB-first bit stream */
static uint32_t xswsReverse(uint32_t code, int length)
{
	uint32_t r = 0;
	while (length--) {
		r = (r << 1) | (code & 1);
		code >>= 1;
	}
	return r;
}

/* a literal/length symbol (0..287) in the fixed code (RFC 1951 3.2.6) */
static void xswsPutFixed(xswsDeflater *d, uint32_t symbol)
{
	if (symbol < 144) xswsPutBits(d, xswsReverse(0x30 + symbol, 8), 8);
	else if (symbol < 256) xswsPutBits(d, xswsReverse(0x190 + symbol - 144, 9), 9);
	else if (symbol < 280) xswsPutBits(d, xswsReverse(symbol - 256, 7), 7);
	else xswsPutBits(d, xswsReverse(0xc0 + symbol - 280, 8), 8);
}

static int xswsLengthCode(uint32_t length)
{
	int c = 0;
	while ((c < 28) && (xswsLengthBase[c + 1] <= length))
		c++;
	return c;
}

static int xswsDistCode(uint32_t dist)
{
	int c = 0;
	while ((c < 29) && (xswsDistBase[c + 1] <= dist))
		c++;
	return c;
}

static uint32_t xswsFixedLitBits(uint32_t lit)
{
	return lit < 144 ? 8 : 9;
}

static uint32_t xswsFixedMatchBits(uint32_t length, uint32_t dist)
{
	int lc = xswsLengthCode(length), dc = xswsDistCode(dist);
	return (lc + 257 < 280 ? 7 : 8) + xswsLengthExtra[lc] + 5 + xswsDistExtra[dc];
}

/* code the block: `raw` is its input (blockBytes of it), for a stored block */
static void xswsFlushBlock(xswsDeflater *d, const uint8_t *raw)
{
	uint32_t i, n = d->blockBytes;
	/* stored: 3 header bits, up to 7 to align, LEN and NLEN, the bytes */
	uint32_t storedBits = 3 + ((8 - ((d->bitCount + 3) & 7)) & 7) + 32 + 8 * n;
	uint32_t fixedBits = 3 + d->fixedBits + 7;
	if (!n)
		return;
	if (storedBits <= fixedBits) {
		xswsPutBits(d, 0, 3);	/* BFINAL 0, BTYPE 00 */
		xswsAlign(d);
		xswsPutBits(d, n & 0xffff, 16);
		xswsPutBits(d, ~n & 0xffff, 16);
		if (d->outPos + n <= d->outLength) {
			memcpy(d->out + d->outPos, raw, n);
			d->outPos += n;
		}
		else
			d->overflow = 1;
	}
	else {
		xswsPutBits(d, 2, 3);	/* BFINAL 0, BTYPE 01 */
		for (i = 0; i < d->nsyms; i++) {
			uint32_t dist = d->dists[i];
			if (!dist)
				xswsPutFixed(d, d->lits[i]);
			else {
				uint32_t length = d->lits[i] + XSWS_DEFLATE_MIN_MATCH;
				int lc = xswsLengthCode(length), dc = xswsDistCode(dist);
				xswsPutFixed(d, 257 + lc);
				if (xswsLengthExtra[lc]) xswsPutBits(d, length - xswsLengthBase[lc], xswsLengthExtra[lc]);
				xswsPutBits(d, xswsReverse(dc, 5), 5);
				if (xswsDistExtra[dc]) xswsPutBits(d, dist - xswsDistBase[dc], xswsDistExtra[dc]);
			}
		}
		xswsPutFixed(d, 256);
	}
	d->nsyms = 0;
	d->blockBytes = 0;
	d->fixedBits = 0;
}

static uint32_t xswsHash(const xswsDeflater *d, uint32_t at)
{
	const uint8_t *w = d->window + at;
	uint32_t v = (uint32_t)w[0] | ((uint32_t)w[1] << 8) | ((uint32_t)w[2] << 16);
	return (v * 2654435761u) >> (32 - d->hashBits);
}

/* position `at` (with 3 bytes after it in the window) joins its hash chain */
static void xswsInsert(xswsDeflater *d, uint32_t at)
{
	uint32_t h = xswsHash(d, at);
	d->prev[at & (d->half - 1)] = d->head[h];
	d->head[h] = (uint16_t)at;
}

/* the window's upper half moves down: positions in the lower half are forgotten (0 is "none") */
static void xswsSlide(xswsDeflater *d)
{
	uint32_t i, half = d->half, n = (uint32_t)1 << d->hashBits;
	memmove(d->window, d->window + half, half);
	d->strstart -= half;
	for (i = 0; i < n; i++)
		d->head[i] = d->head[i] >= half ? (uint16_t)(d->head[i] - half) : 0;
	for (i = 0; i < half; i++)
		d->prev[i] = d->prev[i] >= half ? (uint16_t)(d->prev[i] - half) : 0;
}

/* the longest match for strstart along its chain: its length (0 if under 3), *dist its distance */
static uint32_t xswsLongestMatch(xswsDeflater *d, uint32_t *dist)
{
	const uint8_t *w = d->window, *s = w + d->strstart;
	uint32_t best = XSWS_DEFLATE_MIN_MATCH - 1, chain = d->maxChain;
	uint32_t most = d->lookahead < XSWS_DEFLATE_MAX_MATCH ? d->lookahead : XSWS_DEFLATE_MAX_MATCH;
	/* a candidate must be within the peer's window (and so, in the chain, never stale) */
	uint32_t limit = d->strstart > d->wsize ? d->strstart - d->wsize : 0;
	uint32_t cur;
	if (most < XSWS_DEFLATE_MIN_MATCH)
		return 0;
	cur = d->head[xswsHash(d, d->strstart)];
	while ((cur > limit) && (cur < d->strstart) && chain--) {
		const uint8_t *m = w + cur;
		if ((m[best] == s[best]) && (m[0] == s[0]) && (m[1] == s[1])) {
			uint32_t n = 2;
			while ((n < most) && (m[n] == s[n]))
				n++;
			if (n > best) {
				best = n;
				*dist = d->strstart - cur;
				if (n >= d->niceLength || n == most)
					break;
			}
		}
		cur = d->prev[cur & (d->half - 1)];
	}
	return best >= XSWS_DEFLATE_MIN_MATCH ? best : 0;
}

/*
 * Compress input[0..length) into out[0..outLength), ending with a sync flush; returns the bytes
 * written, or -1 when out is smaller than the output needed (it never is at xswsDeflateBound()).
 */
static long xswsDeflate(xswsDeflater *d, const uint8_t *input, size_t length, uint8_t *out, size_t outLength)
{
	size_t inPos = 0;			/* input bytes copied into the window */
	size_t blockStart = 0;		/* where in input the current block starts */
	d->out = out;
	d->outLength = outLength;
	d->outPos = 0;
	d->overflow = 0;
	d->bitBuf = 0;
	d->bitCount = 0;
	d->nsyms = d->blockBytes = d->fixedBits = 0;
	for (;;) {
		uint32_t matchLength, dist = 0;
		if ((d->lookahead < XSWS_DEFLATE_LOOKAHEAD) && (inPos < length)) {
			uint32_t end = d->strstart + d->lookahead, room = 2 * d->half - end, take;
			if (!room) {
				/* full with less than a match ahead: strstart is past 2 * half - 262, in the upper half */
				xswsSlide(d);
				end = d->strstart + d->lookahead;
				room = 2 * d->half - end;
			}
			take = (length - inPos) < room ? (uint32_t)(length - inPos) : room;
			memcpy(d->window + end, input + inPos, take);
			d->lookahead += take;
			inPos += take;
			continue;
		}
		if (!d->lookahead)
			break;
		matchLength = (d->maxChain && d->strstart) ? xswsLongestMatch(d, &dist) : 0;
		if (matchLength) {
			uint32_t i;
			d->dists[d->nsyms] = (uint16_t)dist;
			d->lits[d->nsyms] = (uint8_t)(matchLength - XSWS_DEFLATE_MIN_MATCH);
			d->fixedBits += xswsFixedMatchBits(matchLength, dist);
			for (i = 0; i < matchLength; i++, d->strstart++, d->lookahead--) {
				if (d->lookahead >= XSWS_DEFLATE_MIN_MATCH)
					xswsInsert(d, d->strstart);
			}
		}
		else {
			uint8_t c = d->window[d->strstart];
			d->dists[d->nsyms] = 0;
			d->lits[d->nsyms] = c;
			d->fixedBits += xswsFixedLitBits(c);
			if (d->lookahead >= XSWS_DEFLATE_MIN_MATCH && d->strstart)
				xswsInsert(d, d->strstart);
			matchLength = 1;
			d->strstart++;
			d->lookahead--;
		}
		d->nsyms++;
		d->blockBytes += matchLength;
		if ((d->nsyms == XSWS_DEFLATE_SYMBOLS) || (d->blockBytes >= XSWS_DEFLATE_BLOCK_BYTES)) {
			size_t n = d->blockBytes;
			xswsFlushBlock(d, input + blockStart);
			blockStart += n;
		}
	}
	xswsFlushBlock(d, input + blockStart);
	/* sync flush: an empty stored block, byte-aligned, then 00 00 FF FF */
	xswsPutBits(d, 0, 3);
	xswsAlign(d);
	xswsPutBits(d, 0x0000, 16);
	xswsPutBits(d, 0xffff, 16);
	d->out = NULL;
	return d->overflow ? -1 : (long)d->outPos;
}

#endif
