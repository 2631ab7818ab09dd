/*
 * The deflater of xsws/zlib (hosts/common/zlib/xsws_deflater.h), as permessage-deflate drives it:
 * the first byte picks the window (8 to 15 bits) and the level, the second how the rest is cut
 * into messages and whether each starts afresh (no context takeover). Each message is deflated
 * with a sync flush and inflated by zlib (the reference) with exactly that window, as the peer
 * would. Properties:
 * - the output fits xswsDeflateBound() and ends in 00 00 FF FF;
 * - zlib inflates it, with no distance beyond the window, to the same bytes, taking all of it.
 */
#include "harness.h"
#include <string.h>
#include "../../common/zlib/xsws_deflater.h"
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int bits, level, fresh;
	size_t piece, offset = 2;
	xswsDeflater *d;
	void *memory;
	z_stream z;
	if (size < 2)
		return 0;
	bits = 8 + (data[0] & 7);
	level = (data[0] >> 3) % 10;
	piece = 1 + (size_t)(data[1] & 0x7f) * 37;
	fresh = data[1] >> 7;
	memory = calloc(1, xswsDeflaterSize(bits));
	if (!memory)
		abort();
	d = xswsDeflaterInit(memory, bits, level);
	XSWS_FUZZ_CHECK(d != NULL, "bits %d level %d refused", bits, level);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -bits) != Z_OK)
		abort();
	do {
		size_t n = size - offset < piece ? size - offset : piece, bound = xswsDeflateBound(n);
		uint8_t *out = malloc(bound), *back = malloc(n + 1);
		long m;
		int status;
		if (!out || !back)
			abort();
		if (fresh) {
			xswsDeflaterReset(d);
			inflateReset(&z);
		}
		m = xswsDeflate(d, data + offset, n, out, bound);
		XSWS_FUZZ_CHECK(m >= 4, "%zu bytes overflowed the bound %zu", n, bound);
		XSWS_FUZZ_CHECK(!memcmp(out + m - 4, "\0\0\xff\xff", 4), "no sync flush at the end");
		z.next_in = out;
		z.avail_in = (uInt)m;
		z.next_out = back;
		z.avail_out = (uInt)n + 1;
		status = inflate(&z, Z_SYNC_FLUSH);
		XSWS_FUZZ_CHECK((status == Z_OK) || ((status == Z_BUF_ERROR) && !n), "zlib: %d %s", status, z.msg ? z.msg : "");
		XSWS_FUZZ_CHECK(z.avail_in == 0, "%u bytes left after the flush", z.avail_in);
		XSWS_FUZZ_CHECK(n + 1 - z.avail_out == n, "%zu bytes back of %zu", n + 1 - z.avail_out, n);
		XSWS_FUZZ_CHECK(!memcmp(back, data + offset, n), "inflated bytes differ");
		free(out);
		free(back);
		offset += n;
	} while (offset < size);
	inflateEnd(&z);
	free(memory);
	return 0;
}
