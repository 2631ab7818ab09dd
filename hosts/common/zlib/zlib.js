/*
 * xsws/zlib (MIT): natives in xsws_zlib.c (miniz). Same module on hosts/lin and the ESP32.
 *   crc32(buffer, crc = 0) -> number       CRC-32 (IEEE, zip/gzip) of buffer, continuing crc
 *   new Inflater(windowBits = 15)           raw deflate (RFC 1951), pull style, bounded memory
 *     inflater.reset()                      a new stream, the window cleared
 *     inflater.pending                      output is waiting that needs no more input
 *     inflater.memory                       bytes held outside the XS heap
 *     inflater.inflate(input, output) -> n  at most output.byteLength bytes produced
 *     inflater.consumed                     input bytes taken by the last inflate()
 *     inflater.done                         the final block ended and all output was delivered
 *                                           (still true after close(); false for a closed unfinished one)
 *     inflater.close()                      frees the 32 KiB dictionary now
 *   new Deflater(windowBits, level)         raw deflate with a 2^windowBits window (8..15), level 0..9
 *     deflater.deflate(input, output) -> n  all of input, ending in a sync flush (00 00 FF FF);
 *                                           output must hold deflater.bound(input.byteLength)
 *     deflater.bound(length), setLevel(level), reset(), memory, close()
 * Corrupt data throws Error("inflate: corrupt data (...)").
 */
function crc32(buffer, crc) @ "xs_xsws_crc32";

class Inflater @ "xs_xsws_inflater_destructor" {
	constructor(windowBits) @ "xs_xsws_inflater";
	inflate(input, output) @ "xs_xsws_inflater_inflate";
	reset() @ "xs_xsws_inflater_reset";
	get pending() @ "xs_xsws_inflater_get_pending";
	get memory() @ "xs_xsws_inflater_get_memory";
	get consumed() @ "xs_xsws_inflater_get_consumed";
	get done() @ "xs_xsws_inflater_get_done";
	close() @ "xs_xsws_inflater_close";
}

class Deflater @ "xs_xsws_deflater_destructor" {
	constructor(windowBits, level) @ "xs_xsws_deflater";
	deflate(input, output) @ "xs_xsws_deflater_deflate";
	bound(length) @ "xs_xsws_deflater_bound";
	setLevel(level) @ "xs_xsws_deflater_set_level";
	reset() @ "xs_xsws_deflater_reset";
	get memory() @ "xs_xsws_deflater_get_memory";
	close() @ "xs_xsws_deflater_close";
}

export { crc32, Inflater, Deflater };
