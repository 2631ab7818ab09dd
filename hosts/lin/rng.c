/*
 * xsws-sim `rng` (MIT): RNG.get(n), the Moddable SDK's random bytes (modules/crypt/etc/rng, an
 * RC4 stream the board seeds from its hardware RNG), here from the kernel's getrandom().
 */
#include "xsmc.h"
#include <errno.h>
#include <sys/random.h>

/* RNG.get(n) -> ArrayBuffer of n random bytes */
void xs_rng_get(xsMachine* the)
{
	xsIntegerValue n = xsmcToInteger(xsArg(0));
	uint8_t* bytes;
	xsIntegerValue done = 0;
	if ((n < 0) || (n > 65536))
		xsRangeError("invalid length");
	xsmcSetArrayBuffer(xsResult, NULL, n);
	bytes = xsmcToArrayBuffer(xsResult);
	while (done < n) {
		ssize_t got = getrandom(bytes + done, n - done, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			xsUnknownError("no random source");
		}
		done += (xsIntegerValue)got;
	}
}

/* RNG.init(seed): the board reseeds its stream; the kernel's source needs none */
void xs_rng_init(xsMachine* the)
{
}
