/*
 * xsws-sim paths (MIT): a name from JavaScript made into a file path under a directory, as
 * Moddable's `Resource` does for the --resources directory. Plain C with no XS in it, so
 * hosts/lin/fuzz/fuzz_paths.c runs this very code.
 */
#include "host.h"
#include <stdio.h>

int xswsResourcePath(const char* dir, const char* name, char* path, size_t size)
{
	const char* s;
	if (!dir || !name[0])
		return -1;
	/* no way out of the directory: no ".." segment */
	for (s = name; *s; s++) {
		if ((s[0] == '.') && (s[1] == '.') && ((s == name) || (s[-1] == '/')) && ((s[2] == '/') || !s[2]))
			return -1;
	}
	while (*name == '/')
		name++;
	if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
		return -1;
	return 0;
}
