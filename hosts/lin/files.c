/*
 * xsws-sim files (MIT): Moddable's `file` module — File, Iterator, Directory, System — over
 * stdio and POSIX. Paths are used as given (relative to the simulator's working directory).
 */
#include "xsmc.h"
#include "host.h"
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

typedef struct {
	FILE* file;
} xswsFileRecord;

void xs_file_destructor(void* data)
{
	xswsFileRecord* record = data;
	if (record) {
		if (record->file) {
			fclose(record->file);
			xswsHost.files--;
		}
		free(record);
	}
}

static FILE* xswsFileGet(xsMachine* the)
{
	xswsFileRecord* record = xsmcGetHostDataValidate(xsThis, (void*)xs_file_destructor);
	if (!record || !record->file)
		xsUnknownError("file closed");
	return record->file;
}

/* new File(path, write = false) */
void xs_file_constructor(xsMachine* the)
{
	const char* path;
	int write = (xsmcArgc > 1) && xsmcTest(xsArg(1));
	struct stat info;
	FILE* file;
	xswsFileRecord* record;
	if (xsmcArgc < 1)
		xsTypeError("path required");
	path = xsmcToString(xsArg(0));
	if ((stat(path, &info) == 0) && S_ISDIR(info.st_mode))
		xsUnknownError("%s: is a directory", path);
	file = fopen(path, write ? "rb+" : "rb");
	if (!file && write && (errno == ENOENT))
		file = fopen(path, "wb+");
	if (!file)
		xsUnknownError("%s: %s", path, strerror(errno));
	record = calloc(1, sizeof(xswsFileRecord));
	if (!record) {
		fclose(file);
		xsUnknownError("out of memory");
	}
	record->file = file;
	xswsHost.files++;
	xsmcSetHostData(xsThis, record);
}

static long xswsFileLength(FILE* file)
{
	struct stat info;
	fflush(file);
	if (fstat(fileno(file), &info) < 0)
		return 0;
	return (long)info.st_size;
}

/* read(ArrayBuffer | String, count = length - position): the shim picks one of these two */
static void xswsFileRead(xsMachine* the, int asString)
{
	FILE* file = xswsFileGet(the);
	long position = ftell(file), length = xswsFileLength(file), count;
	size_t got;
	count = length - position;
	if ((xsmcArgc > 0) && (xsmcTypeOf(xsArg(0)) != xsUndefinedType)) {
		long wanted = xsmcToInteger(xsArg(0));
		if (wanted < 0)
			xsRangeError("invalid count");
		if (wanted < count)
			count = wanted;
	}
	if (count < 0)
		count = 0;
	if (asString) {
		char* buffer;
		xsmcSetStringBuffer(xsResult, NULL, (xsIntegerValue)count + 1);
		buffer = xsmcToString(xsResult);
		got = fread(buffer, 1, count, file);
		buffer[got] = 0;
	}
	else {
		xsmcSetArrayBuffer(xsResult, NULL, (xsIntegerValue)count);
		got = fread(xsmcToArrayBuffer(xsResult), 1, count, file);
		if ((long)got < count)
			xsmcSetArrayBufferLength(xsResult, (xsIntegerValue)got);
	}
}

void xs_file_read_string(xsMachine* the)
{
	xswsFileRead(the, 1);
}

void xs_file_read_buffer(xsMachine* the)
{
	xswsFileRead(the, 0);
}

/* write(value, ...values): strings (as UTF-8) and buffers */
void xs_file_write(xsMachine* the)
{
	FILE* file = xswsFileGet(the);
	int i, argc = xsmcArgc;
	for (i = 0; i < argc; i++) {
		if (xsmcTypeOf(xsArg(i)) == xsStringType) {
			const char* string = xsmcToString(xsArg(i));
			xswsWriteCESU8(file, string, strlen(string));
		}
		else {
			void* data;
			xsUnsignedValue length;
			xsmcGetBufferReadable(xsArg(i), &data, &length);
			if (fwrite(data, 1, length, file) != length)
				xsUnknownError("write: %s", strerror(errno));
		}
	}
	if (ferror(file))
		xsUnknownError("write failed");
	fflush(file);
}

void xs_file_close(xsMachine* the)
{
	xswsFileRecord* record = xsmcGetHostDataValidate(xsThis, (void*)xs_file_destructor);
	if (record && record->file) {
		fclose(record->file);
		record->file = NULL;
		xswsHost.files--;
	}
}

void xs_file_get_length(xsMachine* the)
{
	xsmcSetNumber(xsResult, (double)xswsFileLength(xswsFileGet(the)));
}

void xs_file_get_position(xsMachine* the)
{
	xsmcSetNumber(xsResult, (double)ftell(xswsFileGet(the)));
}

void xs_file_set_position(xsMachine* the)
{
	FILE* file = xswsFileGet(the);
	long position = (long)xsmcToNumber(xsArg(0));
	if ((position < 0) || fseek(file, position, SEEK_SET))
		xsRangeError("invalid position");
}

void xs_file_delete(xsMachine* the)
{
	const char* path = xsmcToString(xsArg(0));
	xsmcSetBoolean(xsResult, unlink(path) == 0);
}

void xs_file_exists(xsMachine* the)
{
	struct stat info;
	const char* path = xsmcToString(xsArg(0));
	xsmcSetBoolean(xsResult, (stat(path, &info) == 0) && S_ISREG(info.st_mode));
}

/* rename(from, to): `to` without a slash names a file in from's directory */
void xs_file_rename(xsMachine* the)
{
	char from[PATH_MAX], to[PATH_MAX];
	const char* name;
	snprintf(from, sizeof(from), "%s", xsmcToString(xsArg(0)));
	name = xsmcToString(xsArg(1));
	if (!strchr(name, '/')) {
		char* slash = strrchr(from, '/');
		if (slash)
			snprintf(to, sizeof(to), "%.*s/%s", (int)(slash - from), from, name);
		else
			snprintf(to, sizeof(to), "%s", name);
	}
	else
		snprintf(to, sizeof(to), "%s", name);
	xsmcSetBoolean(xsResult, rename(from, to) == 0);
}

/* ---- Iterator ------------------------------------------------------------------------- */

typedef struct {
	DIR* dir;
	char path[PATH_MAX];
} xswsIteratorRecord;

void xs_file_iterator_destructor(void* data)
{
	xswsIteratorRecord* record = data;
	if (record) {
		if (record->dir)
			closedir(record->dir);
		free(record);
	}
}

void xs_file_iterator_constructor(xsMachine* the)
{
	const char* path = xsmcToString(xsArg(0));
	xswsIteratorRecord* record;
	DIR* dir = opendir(path);
	if (!dir)
		xsUnknownError("%s: %s", path, strerror(errno));
	record = calloc(1, sizeof(xswsIteratorRecord));
	if (!record) {
		closedir(dir);
		xsUnknownError("out of memory");
	}
	record->dir = dir;
	snprintf(record->path, sizeof(record->path), "%s", path);
	xsmcSetHostData(xsThis, record);
}

/* next() -> {name, length} (length undefined for a directory) or undefined at the end */
void xs_file_iterator_next(xsMachine* the)
{
	xswsIteratorRecord* record = xsmcGetHostDataValidate(xsThis, (void*)xs_file_iterator_destructor);
	struct dirent* entry;
	if (!record || !record->dir)
		return;
	while ((entry = readdir(record->dir))) {
		char full[PATH_MAX * 2];
		struct stat info;
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		snprintf(full, sizeof(full), "%s/%s", record->path, entry->d_name);
		if (stat(full, &info) < 0)
			continue;
		xsmcVars(1);
		xsmcSetNewObject(xsResult);
		xsmcSetString(xsVar(0), entry->d_name);
		xsmcSet(xsResult, xsID("name"), xsVar(0));
		if (S_ISDIR(info.st_mode))
			xsVar(0) = xsUndefined;
		else
			xsmcSetNumber(xsVar(0), (double)info.st_size);
		xsmcSet(xsResult, xsID("length"), xsVar(0));
		return;
	}
	closedir(record->dir);
	record->dir = NULL;
}

/* ---- Directory, System ----------------------------------------------------------------- */

void xs_directory_create(xsMachine* the)
{
	const char* path = xsmcToString(xsArg(0));
	if ((mkdir(path, 0777) < 0) && (errno != EEXIST))
		xsUnknownError("%s: %s", path, strerror(errno));
}

void xs_directory_delete(xsMachine* the)
{
	const char* path = xsmcToString(xsArg(0));
	xsmcSetBoolean(xsResult, rmdir(path) == 0);
}

void xs_file_system_config(xsMachine* the)
{
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetInteger(xsVar(0), PATH_MAX - 1);
	xsmcSet(xsResult, xsID("maxPathLength"), xsVar(0));
}

void xs_file_system_info(xsMachine* the)
{
	struct statvfs info;
	double total = 0, used = 0;
	if (statvfs(".", &info) == 0) {
		total = (double)info.f_blocks * info.f_frsize;
		used = total - (double)info.f_bfree * info.f_frsize;
	}
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetNumber(xsVar(0), used);
	xsmcSet(xsResult, xsID("used"), xsVar(0));
	xsmcSetNumber(xsVar(0), total);
	xsmcSet(xsResult, xsID("total"), xsVar(0));
}
