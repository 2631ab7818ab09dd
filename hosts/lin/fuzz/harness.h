/*
 * xsws-sim C fuzz harnesses (MIT): each harness is one libFuzzer entry point,
 * LLVMFuzzerTestOneInput(data, size), over host code that parses input. The same file builds two
 * ways (hosts/lin/Makefile `fuzz`):
 * - with clang -fsanitize=fuzzer,address,undefined: a coverage-guided libFuzzer binary
 *   (npm run fuzz:c);
 * - with gcc -fsanitize=address,undefined and driver.c: a replayer of the corpus that also tries
 *   seeded random mutations of it, which npm test runs (no clang needed).
 * A harness reports a broken property with XSWS_FUZZ_CHECK, which aborts, as a sanitizer does.
 */
#ifndef XSWS_FUZZ_HARNESS_H
#define XSWS_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define XSWS_FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "xsws fuzz: %s:%d: property broken: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

#endif
