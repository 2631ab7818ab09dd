/*
 * xsws-sim: ECMA-419 `embedded:io/socket/listener` (MIT). Natives in hosts/lin/sockets.c.
 *   new Listener({port = 0, address = "0.0.0.0", onReadable(count), onError(), target})
 *   read()   -> an accepted connection for new TCP({from}), or undefined
 *   close()
 *   port     -> the bound port (the real one when created with port 0)
 *   pause(paused = true)   xsws extension: stop/resume reporting onReadable; connections wait
 *                          in the kernel backlog (128) meanwhile
 * The listener never accepts on its own: onReadable(1) reports pending connections once per
 * event-loop wake-up; a report that reads nothing is not repeated until something else happens.
 */
class Listener @ "xs_listener_destructor" {
	constructor(options) @ "xs_listener_constructor";
	read() @ "xs_listener_read";
	close() @ "xs_listener_close";
	pause(paused) @ "xs_listener_pause";
	get port() @ "xs_listener_get_port";
}
Object.freeze(Listener.prototype);

export default Listener;
