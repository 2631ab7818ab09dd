/*
 * The module map parser (hosts/lin/modmap.c), on any bytes: no crash or leak, and what it keeps
 * maps a specifier to an absolute path, with later lines winning.
 */
#include "harness.h"
#include "../host.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *file;
	const char *probe[] = { "mc/config", "main", "", "xsws/zlib", "embedded:io/socket/tcp" };
	size_t i;
	int result;
	char first[64];
	if (!size)
		return 0;
	file = fmemopen((void *)data, size, "r");
	if (!file)
		return 0;
	result = xswsParseModuleMap(file, "fuzz", NULL);
	fclose(file);
	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		const char *path = xswsMapLookup(probe[i]);
		XSWS_FUZZ_CHECK(!path || (path[0] == '/'), "\"%s\" maps to a relative path", probe[i]);
	}
	/* the first line's specifier, when the first line was kept */
	if (result == 0) {
		size_t n = 0;
		while ((n < size) && (n < sizeof(first) - 1) && (data[n] != '\t') && (data[n] != '\n') && data[n])
			n++;
		if ((n < size) && (data[n] == '\t') && (data[0] != '#')) {
			memcpy(first, data, n);
			first[n] = 0;
			XSWS_FUZZ_CHECK(xswsMapLookup(first) != NULL, "the first line's specifier is not in the map");
		}
	}
	xswsFreeModuleMap();
	return 0;
}
