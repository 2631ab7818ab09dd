/*
 * xsws-sim: ECMA-419 `embedded:io/socket/udp` (MIT). Natives in hosts/lin/udp.c, which follow
 * the board's implementation (Moddable SDK modules/io/socket/lwip/udp.c); see hosts/lin/README.md.
 *   new UDP({port, timeToLive, onReadable(count), format: "buffer", target})   every interface
 *   read()                    -> the oldest datagram (ArrayBuffer with address and port), or undefined
 *   write(buffer, address, port)  one datagram; address an IPv4 literal; throws "UDP send failed"
 *   add(address), remove(address) join or leave a multicast group
 *   close()
 * onReadable(count): datagrams arrived; count is all queued. Those not read are not announced
 * again. Each socket is one of lwIP's UDP pcbs: with none left the constructor throws "no socket".
 */
class UDP @ "xs_udp_destructor" {
	constructor(options) @ "xs_udp_constructor";
	read() @ "xs_udp_read";
	write(buffer, address, port) @ "xs_udp_write";
	add(address) @ "xs_udp_add";
	remove(address) @ "xs_udp_remove";
	close() @ "xs_udp_close";
	get format() @ "xs_udp_get_format";
	set format(value) @ "xs_udp_set_format";
}
Object.freeze(UDP.prototype);

export default UDP;
