/*
 * xsws-sim: the Moddable SDK's `rng` module (MIT). Natives in hosts/lin/rng.c.
 *   RNG.get(n) -> ArrayBuffer of n random bytes
 *   RNG.init(seed)   (the board reseeds its RC4 stream; here a no-op: the kernel's source)
 */
const RNG = {
	get(n) @ "xs_rng_get",
	init(seed) @ "xs_rng_init",
};
Object.freeze(RNG);

export default RNG;
