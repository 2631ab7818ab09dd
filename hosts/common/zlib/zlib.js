/*
 * xsws/zlib (MIT): natives in xsws_zlib.c (miniz). Same module on hosts/lin and the ESP32.
 *   crc32(buffer, crc = 0) -> number       CRC-32 (IEEE, zip/gzip) of buffer, continuing crc
 *   new Inflater()                          raw deflate (RFC 1951), pull style, bounded memory
 *     inflater.inflate(input, output) -> n  at most output.byteLength bytes produced
 *     inflater.consumed                     input bytes taken by the last inflate()
 *     inflater.done                         the final block ended and all output was delivered
 *                                           (still true after close(); false for a closed unfinished one)
 *     inflater.close()                      frees the 32 KiB dictionary now
 * Corrupt data throws Error("inflate: corrupt data (...)").
 */
function crc32(buffer, crc) @ "xs_xsws_crc32";

class Inflater @ "xs_xsws_inflater_destructor" {
	constructor() @ "xs_xsws_inflater";
	inflate(input, output) @ "xs_xsws_inflater_inflate";
	get consumed() @ "xs_xsws_inflater_get_consumed";
	get done() @ "xs_xsws_inflater_get_done";
	close() @ "xs_xsws_inflater_close";
}

export { crc32, Inflater };
