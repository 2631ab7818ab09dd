/*
 * xsws-sim: ECMA-419 `embedded:io/socket/tcp` (MIT). Natives in hosts/lin/sockets.c, which follow
 * the board's implementation (Moddable SDK modules/io/socket/lwip/tcp.c); see hosts/lin/README.md.
 *   new TCP({address, port} | {from}, onReadable(count), onWritable(count), onError(),
 *           format: "buffer", nodelay, target})     address: an IPv4 literal, no host names
 *   read()        -> ArrayBuffer of everything buffered, or undefined if nothing is
 *   read(n)       -> ArrayBuffer of n bytes; throws if n is more than is buffered
 *   read(buffer)  -> fills the whole ArrayBuffer/view and returns its length; throws if it is
 *                    larger than what is buffered
 *   write(buffer) -> the send space left; all or nothing: throws "would block" if buffer is
 *                    larger than the space; throws "not ready" before connecting and once an
 *                    error was noted; does nothing (undefined) on a connection reset before that
 *   close()       -> closes now: FIN after the bytes write() took, or RST if received bytes
 *                    were never read
 *   remoteAddress, remotePort, format
 * onReadable(count): new bytes arrived; count is everything buffered (at most 8192, lwIP's
 * TCP_WND: until they are read nothing more is received and TCP pushes back on the peer).
 * onWritable(count): room in the send buffer (8192, lwIP's TCP_SND_BUF, less what is unacked).
 * onError(): the peer closed or the connection failed; delivered after the buffered bytes
 * have been read.
 */
class TCP @ "xs_tcp_destructor" {
	constructor(options) @ "xs_tcp_constructor";
	read(what) @ "xs_tcp_read";
	write(buffer) @ "xs_tcp_write";
	close() @ "xs_tcp_close";
	get remoteAddress() @ "xs_tcp_get_remoteAddress";
	get remotePort() @ "xs_tcp_get_remotePort";
	get format() @ "xs_tcp_get_format";
	set format(value) @ "xs_tcp_set_format";
}
Object.freeze(TCP.prototype);

export default TCP;
