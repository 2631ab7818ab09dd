/*
 * xsws-sim natives table (MIT): the C functions that `@ "name"` declarations in module sources
 * bind to. Moddable's data modules (from build/xs) and the host's own modules (modules/NAME.js).
 */
#include <stddef.h>
#include <string.h>
#include "host.h"

#define XSWS_NATIVES(X) \
	/* text/decoder, text/encoder */ \
	X(xs_textdecoder_destructor) X(xs_textdecoder) X(xs_textdecoder_decode) \
	X(xs_textdecoder_get_encoding) X(xs_textdecoder_get_ignoreBOM) X(xs_textdecoder_get_fatal) \
	X(xs_textencoder_encode) X(xs_textencoder_encodeInto) \
	/* base64, crc, logical */ \
	X(xs_base64_encode) X(xs_base64_decode) \
	X(xs_crc8_destructor) X(xs_crc8) X(xs_crc8_close) X(xs_crc8_checksum) X(xs_crc8_reset) \
	X(xs_crc16_destructor) X(xs_crc16) X(xs_crc16_close) X(xs_crc16_checksum) X(xs_crc16_reset) \
	X(xs_logical_xor) X(xs_logical_and) X(xs_logical_or) \
	/* inflate (zlib/miniz) */ \
	X(xs_inflate_destructor) X(xs_inflate) X(xs_inflate_close) X(xs_inflate_push) \
	/* xsws/zlib (hosts/common/zlib) */ \
	X(xs_xsws_crc32) X(xs_xsws_inflater_destructor) X(xs_xsws_inflater) X(xs_xsws_inflater_inflate) \
	X(xs_xsws_inflater_get_consumed) X(xs_xsws_inflater_get_done) X(xs_xsws_inflater_close) \
	X(xs_xsws_inflater_reset) X(xs_xsws_inflater_get_pending) X(xs_xsws_inflater_get_memory) \
	X(xs_xsws_deflater_destructor) X(xs_xsws_deflater) X(xs_xsws_deflater_deflate) X(xs_xsws_deflater_bound) \
	X(xs_xsws_deflater_set_level) \
	X(xs_xsws_deflater_reset) X(xs_xsws_deflater_get_memory) X(xs_xsws_deflater_close) \
	/* url */ \
	X(fx_parseURL) X(fx_serializeURL) X(fx_parseQuery) X(fx_serializeQuery) \
	/* timer */ \
	X(xs_timer_set) X(xs_timer_repeat) X(xs_timer_schedule) X(xs_clearTimer) X(xs_timer_delay) \
	/* embedded:io/socket/tcp */ \
	X(xs_tcp_destructor) X(xs_tcp_constructor) X(xs_tcp_read) X(xs_tcp_write) X(xs_tcp_close) \
	X(xs_tcp_get_remoteAddress) X(xs_tcp_get_remotePort) \
	X(xs_tcp_get_format) X(xs_tcp_set_format) \
	/* embedded:io/socket/udp */ \
	X(xs_udp_destructor) X(xs_udp_constructor) X(xs_udp_read) X(xs_udp_write) X(xs_udp_close) \
	X(xs_udp_add) X(xs_udp_remove) X(xs_udp_get_format) X(xs_udp_set_format) \
	/* net (resolve), rng */ \
	X(xs_net_resolve) X(xs_rng_get) X(xs_rng_init) \
	/* embedded:io/socket/listener */ \
	X(xs_listener_destructor) X(xs_listener_constructor) X(xs_listener_read) \
	X(xs_listener_close) X(xs_listener_get_port) \
	/* file */ \
	X(xs_file_destructor) X(xs_file_constructor) X(xs_file_read_string) X(xs_file_read_buffer) \
	X(xs_file_write) X(xs_file_close) X(xs_file_get_length) X(xs_file_get_position) \
	X(xs_file_set_position) X(xs_file_delete) X(xs_file_exists) X(xs_file_rename) \
	X(xs_file_iterator_destructor) X(xs_file_iterator_constructor) X(xs_file_iterator_next) \
	X(xs_directory_create) X(xs_directory_delete) X(xs_file_system_config) X(xs_file_system_info) \
	/* Resource */ \
	X(xs_resource_destructor) X(xs_resource_constructor) X(xs_resource_exists) \
	X(xs_resource_get_byteLength) X(xs_resource_slice) \
	/* instrumentation, debug */ \
	X(xs_instrumentation_get) X(xs_instrumentation_map) X(xs_instrumentation_name) X(xs_debug_gc)

/* declared without a prototype: callbacks take a machine, destructors a data pointer */
#define XSWS_DECLARE(name) extern void name();
XSWS_NATIVES(XSWS_DECLARE)

typedef struct {
	const char* name;
	void (*function)();
} xswsNative;

#define XSWS_ENTRY(name) { #name, name },
static const xswsNative gNatives[] = {
	XSWS_NATIVES(XSWS_ENTRY)
	{ NULL, NULL }
};

void* xswsFindNative(const char* name)
{
	const xswsNative* native;
	for (native = gNatives; native->name; native++) {
		if (!strcmp(native->name, name))
			return (void*)native->function;
	}
	return NULL;
}
