/*
 * xsws-sim resources (MIT): Moddable's `Resource`. A resource is a file of the --resources
 * directory, mapped read-only and exposed as a petrified (read-only) HostBuffer, as on the
 * board where it lives in flash: `new Uint8Array(resource)`, `new DataView(resource)`,
 * `resource.byteLength` and `resource.slice(begin, end)` (an ArrayBuffer copy) work.
 */
#include "xsmc.h"
#include "host.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

typedef struct xswsMapping xswsMapping;
struct xswsMapping {
	xswsMapping* next;
	void* data;
	size_t size;
};
static xswsMapping* gMappings = NULL;
static uint8_t gEmpty[1];

void xs_resource_destructor(void* data)
{
	xswsMapping** address = &gMappings;
	xswsMapping* mapping;
	while ((mapping = *address)) {
		if (mapping->data == data) {
			*address = mapping->next;
			munmap(mapping->data, mapping->size);
			free(mapping);
			return;
		}
		address = &mapping->next;
	}
}

void xs_resource_constructor(xsMachine* the)
{
	char path[PATH_MAX];
	const char* name = xsmcToString(xsArg(0));
	struct stat info;
	void* data;
	int fd;
	if (xswsResourcePath(xswsHost.resourcesDir, name, path, sizeof(path)) < 0)
		xsUnknownError("Resource \"%s\" not found", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if ((fd < 0) || (fstat(fd, &info) < 0) || !S_ISREG(info.st_mode)) {
		if (fd >= 0)
			close(fd);
		xsUnknownError("Resource \"%s\" not found", name);
	}
	if (info.st_size == 0)
		data = gEmpty;
	else {
		xswsMapping* mapping = calloc(1, sizeof(xswsMapping));
		data = mmap(NULL, info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if ((data == MAP_FAILED) || !mapping) {
			close(fd);
			free(mapping);
			xsUnknownError("Resource \"%s\": cannot map", name);
		}
		mapping->data = data;
		mapping->size = info.st_size;
		mapping->next = gMappings;
		gMappings = mapping;
	}
	close(fd);
	xsmcSetHostBuffer(xsThis, data, (xsIntegerValue)info.st_size);
	xsmcPetrifyHostBuffer(xsThis);
}

void xs_resource_exists(xsMachine* the)
{
	char path[PATH_MAX];
	struct stat info;
	const char* name = xsmcToString(xsArg(0));
	xsmcSetBoolean(xsResult, (xswsResourcePath(xswsHost.resourcesDir, name, path, sizeof(path)) == 0) && (stat(path, &info) == 0) && S_ISREG(info.st_mode));
}

void xs_resource_get_byteLength(xsMachine* the)
{
	xsmcSetInteger(xsResult, xsmcGetHostBufferLength(xsThis));
}

/* slice(begin, end = byteLength) -> ArrayBuffer (a copy) */
void xs_resource_slice(xsMachine* the)
{
	xsIntegerValue length = xsmcGetHostBufferLength(xsThis);
	xsIntegerValue begin = 0, end = length;
	uint8_t* data;
	int argc = xsmcArgc;
	if (argc > 0) {
		begin = xsmcToInteger(xsArg(0));
		if (begin < 0) begin += length;
		if (begin < 0) begin = 0;
		if (begin > length) begin = length;
	}
	if ((argc > 1) && (xsmcTypeOf(xsArg(1)) != xsUndefinedType)) {
		end = xsmcToInteger(xsArg(1));
		if (end < 0) end += length;
		if (end < begin) end = begin;
		if (end > length) end = length;
	}
	data = xsmcGetHostData(xsThis);
	xsmcSetArrayBuffer(xsResult, data + begin, end - begin);
}
