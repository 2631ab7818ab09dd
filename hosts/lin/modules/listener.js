/*
 * xsws-sim: ECMA-419 `embedded:io/socket/listener` (MIT). Natives in hosts/lin/sockets.c, which
 * follow the board's implementation (Moddable SDK modules/io/socket/lwip/tcp.c, listener.js).
 *   new Listener({port = 0, onReadable(count), target})   every interface, as on the board
 *   read()   -> the oldest held connection, for new TCP({from}), or undefined
 *   close()  -> closes the held connections too
 *   port     -> the bound port (the real one when created with port 0)
 * Connections are accepted at once and held until read() takes them. onReadable(count) is
 * raised only when new ones arrive, with count = all held: a firmware that reads none of them
 * hears about them again only when another arrives.
 */
class Listener @ "xs_listener_destructor" {
	constructor(options) @ "xs_listener_constructor";
	read() @ "xs_listener_read";
	close() @ "xs_listener_close";
	get port() @ "xs_listener_get_port";
}
Object.freeze(Listener.prototype);

export default Listener;
