/*
 * The replayer for builds without libFuzzer (MIT): runs LLVMFuzzerTestOneInput on each file
 * named (a directory: each file in it), then, with --mutate N, on N seeded random mutations of
 * them (bit flips, byte changes, inserts, deletes, splices of two inputs), within --seconds S.
 * A sanitizer report or a harness check aborts, so the exit status says whether anything broke;
 * the input that broke it is written to --crash FILE as the process dies, to be kept in the corpus.
 *   driver [--mutate N] [--seed S] [--seconds S] [--max-len N] [--crash FILE] [--asan-selftest] PATH...
 */
#include "harness.h"
#include <dirent.h>
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

typedef struct { uint8_t *data; size_t size; } Input;

static Input *gInputs = NULL;
static size_t gCount = 0;
static const char *gCrash = NULL;
/* the input being run, for the crash file */
static const uint8_t *gCurrent = NULL;
static size_t gCurrentSize = 0;
static uint64_t gState = 0x9e3779b97f4a7c15ull;

static uint32_t next(void)
{
	/* xorshift64*: reproducible from --seed */
	gState ^= gState >> 12;
	gState ^= gState << 25;
	gState ^= gState >> 27;
	return (uint32_t)((gState * 0x2545f4914f6cdd1dull) >> 32);
}

static void add(const char *path)
{
	FILE *file = fopen(path, "rb");
	Input in = { NULL, 0 };
	long length;
	if (!file || fseek(file, 0, SEEK_END) || ((length = ftell(file)) < 0) || fseek(file, 0, SEEK_SET)) {
		fprintf(stderr, "driver: cannot read %s\n", path);
		exit(2);
	}
	in.data = malloc(length ? length : 1);
	in.size = fread(in.data, 1, length, file);
	fclose(file);
	gInputs = realloc(gInputs, (gCount + 1) * sizeof(Input));
	gInputs[gCount++] = in;
}

static void addPath(const char *path)
{
	struct stat info;
	if (stat(path, &info)) {
		fprintf(stderr, "driver: no such file %s\n", path);
		exit(2);
	}
	if (S_ISDIR(info.st_mode)) {
		DIR *dir = opendir(path);
		struct dirent *entry;
		char name[4096];
		while (dir && (entry = readdir(dir))) {
			if (entry->d_name[0] == '.')
				continue;
			snprintf(name, sizeof(name), "%s/%s", path, entry->d_name);
			add(name);
		}
		if (dir)
			closedir(dir);
	}
	else
		add(path);
}

/* the dying process keeps the input that killed it (only async-signal-safe calls: it may run from SIGABRT) */
static void saveCrash(void)
{
	int fd;
	if (!gCrash || !gCurrent)
		return;
	fd = open(gCrash, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, gCurrent, gCurrentSize) < 0) { /* nothing more to do while dying */ }
		close(fd);
	}
	gCurrent = NULL;
}

/* a harness check (XSWS_FUZZ_CHECK) aborts; the sanitizers die through their death callback */
static void onAbort(int sig)
{
	saveCrash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const uint8_t *data, size_t size)
{
	gCurrent = data;
	gCurrentSize = size;
	LLVMFuzzerTestOneInput(data, size);
	gCurrent = NULL;
}

static size_t mutate(uint8_t *out, size_t maxLen)
{
	const Input *a = &gInputs[next() % gCount];
	size_t size = a->size < maxLen ? a->size : maxLen;
	int steps = 1 + next() % 8, i;
	memcpy(out, a->data, size);
	for (i = 0; i < steps; i++) {
		size_t at = size ? next() % size : 0;
		switch (next() % 6) {
		case 0: if (size) out[at] ^= 1u << (next() % 8); break;
		case 1: if (size) out[at] = (uint8_t)next(); break;
		case 2: if (size) out[at] = (uint8_t[]){ 0, 0xff, 0x7f, 0x80, '\t', '\n', '/', '.' }[next() % 8]; break;
		case 3: {	/* insert a few bytes */
			size_t n = 1 + next() % 8, j;
			if (size + n > maxLen) break;
			memmove(out + at + n, out + at, size - at);
			for (j = 0; j < n; j++) out[at + j] = (uint8_t)next();
			size += n;
			break;
		}
		case 4: {	/* delete a run */
			size_t n = size ? 1 + next() % (size - at) : 0;
			if (n > 16) n = 16;
			memmove(out + at, out + at + n, size - at - n);
			size -= n;
			break;
		}
		case 5: {	/* splice: the head of this, the tail of another */
			const Input *b = &gInputs[next() % gCount];
			size_t from = b->size ? next() % b->size : 0, n = b->size - from;
			if (at + n > maxLen) n = maxLen - at;
			memcpy(out + at, b->data + from, n);
			size = at + n;
			break;
		}
		}
	}
	return size;
}

int main(int argc, char *argv[])
{
	long mutations = 0, done = 0;
	double seconds = 0;
	size_t maxLen = 4096, i;
	int argi;
	uint8_t *scratch;
	time_t start = time(NULL);
	for (argi = 1; argi < argc; argi++) {
		const char *arg = argv[argi];
		const char *value = argi + 1 < argc ? argv[argi + 1] : "0";
		if (!strcmp(arg, "--mutate")) { mutations = atol(value); argi++; }
		else if (!strcmp(arg, "--seed")) { gState ^= strtoull(value, NULL, 10) * 0x100000001b3ull; argi++; }
		else if (!strcmp(arg, "--seconds")) { seconds = atof(value); argi++; }
		else if (!strcmp(arg, "--max-len")) { maxLen = strtoul(value, NULL, 10); argi++; }
		else if (!strcmp(arg, "--crash")) { gCrash = value; argi++; }
		else if (!strcmp(arg, "--asan-selftest")) {
			/* one deliberate heap overflow: shows this build's sanitizer reports and fails */
			volatile char *p = malloc(8);
			p[8] = 1;
			free((void *)p);
			return 0;
		}
		else addPath(arg);
	}
	if (!gCount) {
		fprintf(stderr, "usage: driver [--mutate N] [--seed S] [--seconds S] [--max-len N] [--crash FILE] PATH...\n");
		return 2;
	}
	if (!maxLen)
		maxLen = 1;
	if (gCrash) {
		__sanitizer_set_death_callback(saveCrash);
		signal(SIGABRT, onAbort);
	}
	for (i = 0; i < gCount; i++)
		run(gInputs[i].data, gInputs[i].size);
	scratch = malloc(maxLen);
	for (; done < mutations; done++) {
		if (seconds && ((done & 255) == 0) && (difftime(time(NULL), start) >= seconds))
			break;
		run(scratch, mutate(scratch, maxLen));
	}
	printf("driver: %zu corpus inputs and %ld mutations, nothing broke\n", gCount, done);
	free(scratch);
	return 0;
}
