/*
 * Resource names to paths (hosts/lin/paths.c), on any name: a path it gives is the directory, a
 * slash, and the name without its leading slashes, and never has a ".." segment.
 */
#include "harness.h"
#include "../host.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[512];
	char path[64];
	const char *rest, *s;
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = 0;
	if (xswsResourcePath("/res", name, path, sizeof(path)) < 0)
		return 0;
	XSWS_FUZZ_CHECK(!strncmp(path, "/res/", 5), "path %s is outside the directory", path);
	for (rest = name; *rest == '/'; rest++)
		;
	XSWS_FUZZ_CHECK(!strcmp(path + 5, rest), "path %s is not the name %s", path, name);
	for (s = path; (s = strstr(s, "..")); s++)
		XSWS_FUZZ_CHECK(!((s[-1] == '/') && ((s[2] == '/') || !s[2])), "path %s has a \"..\" segment", path);
	return 0;
}
