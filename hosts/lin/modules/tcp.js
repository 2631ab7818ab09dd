/*
 * xsws-sim: ECMA-419 `embedded:io/socket/tcp` (MIT). Natives in hosts/lin/sockets.c.
 *   new TCP({address | host, port} | {from}, onReadable(count), onWritable(count), onError(),
 *           format: "buffer", nodelay, keepalive: {idle, interval, count} (ms), target})
 *   read()        -> ArrayBuffer of what is available (at most 16384 bytes), or undefined
 *   read(n)       -> ArrayBuffer of at most n bytes, or undefined
 *   read(buffer)  -> number of bytes read into the ArrayBuffer/view (xsws: returns the count)
 *   write(buffer) -> bytes still writable; never blocks; throws "would block" if buffer is larger
 *                    than the writable count (16384 after onWritable)
 *   close()       -> closes now; bytes accepted by write() are still delivered
 *   remoteAddress, remotePort, format
 *   pause(paused = true)  xsws extension: stop/resume reading; data waits in the kernel and TCP
 *                         flow control pushes back on the peer
 * onWritable(16384) follows a write once everything written has gone to the kernel, and once
 * when the socket becomes usable (connected, or adopted from a listener). onError() reports the
 * end of the stream or an error, after the remaining readable bytes have been reported.
 */
class TCP @ "xs_tcp_destructor" {
	constructor(options) @ "xs_tcp_constructor";
	read(what) @ "xs_tcp_read";
	write(buffer) @ "xs_tcp_write";
	close() @ "xs_tcp_close";
	pause(paused) @ "xs_tcp_pause";
	get remoteAddress() @ "xs_tcp_get_remoteAddress";
	get remotePort() @ "xs_tcp_get_remotePort";
	get format() @ "xs_tcp_get_format";
	set format(value) @ "xs_tcp_set_format";
}
Object.freeze(TCP.prototype);

export default TCP;
