/*
 * xsws-sim module map (MIT): the --map file that tools/manifest.mjs writes from the manifests,
 * lines "specifier<TAB>/absolute/path.js" ('#' comments and empty lines skipped, CRLF taken).
 * Plain C with no XS in it, so hosts/lin/fuzz/fuzz_modmap.c runs this very parser.
 */
#include "host.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef struct {
	char* specifier;
	char* path;
} xswsMapEntry;

static xswsMapEntry* gMap = NULL;
static int gMapCount = 0;
static int gMapCapacity = 0;

static int xswsMapAdd(const char* specifier, const char* path)
{
	char* s;
	char* p;
	if (gMapCount == gMapCapacity) {
		int capacity = gMapCapacity ? gMapCapacity * 2 : 64;
		xswsMapEntry* grown = realloc(gMap, capacity * sizeof(xswsMapEntry));
		if (!grown)
			return -1;
		gMap = grown;
		gMapCapacity = capacity;
	}
	s = strdup(specifier);
	p = strdup(path);
	if (!s || !p) {
		free(s);
		free(p);
		return -1;
	}
	gMap[gMapCount].specifier = s;
	gMap[gMapCount].path = p;
	gMapCount++;
	return 0;
}

int xswsParseModuleMap(FILE* file, const char* name, FILE* errors)
{
	char* line = NULL;
	size_t size = 0;
	ssize_t length;
	int number = 0, result = 0;
	while ((length = getline(&line, &size, file)) >= 0) {
		char* tab;
		number++;
		while ((length > 0) && ((line[length - 1] == '\n') || (line[length - 1] == '\r')))
			line[--length] = 0;
		if (!length || (line[0] == '#'))
			continue;
		/* a NUL inside the line would silently cut the specifier or the path */
		tab = strchr(line, '\t');
		if (!tab || (tab[1] != '/') || (strlen(line) != (size_t)length)) {
			if (errors)
				fprintf(errors, "xsws-sim: %s:%d: expected specifier<TAB>/absolute/path.js\n", name, number);
			result = -1;
			break;
		}
		*tab = 0;
		if (xswsMapAdd(line, tab + 1) < 0) {
			if (errors)
				fprintf(errors, "xsws-sim: %s:%d: out of memory\n", name, number);
			result = -1;
			break;
		}
	}
	free(line);
	return result;
}

int xswsLoadModuleMap(const char* path)
{
	FILE* file = fopen(path, "r");
	int result;
	if (!file) {
		fprintf(stderr, "xsws-sim: cannot open module map %s: %s\n", path, strerror(errno));
		return -1;
	}
	result = xswsParseModuleMap(file, path, stderr);
	fclose(file);
	return result;
}

const char* xswsMapLookup(const char* specifier)
{
	int i;
	/* later lines win, like later manifests overriding earlier ones */
	for (i = gMapCount - 1; i >= 0; i--) {
		if (!strcmp(gMap[i].specifier, specifier))
			return gMap[i].path;
	}
	return NULL;
}

void xswsFreeModuleMap(void)
{
	int i;
	for (i = 0; i < gMapCount; i++) {
		free(gMap[i].specifier);
		free(gMap[i].path);
	}
	free(gMap);
	gMap = NULL;
	gMapCount = gMapCapacity = 0;
}
