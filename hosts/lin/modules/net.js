/*
 * xsws-sim: the Moddable SDK's `net` module, its name resolution (MIT). Natives in hosts/lin/net.c,
 * which follow the board's (modules/network/net/esp/modResolve.c, lwIP dns_gethostbyname):
 *   Net.resolve(name, callback)   callback(name, address) later, from the loop; address is a
 *                                 dotted quad, or undefined when the name does not resolve
 * One look-up runs at a time, in order. Net.get() (the Wi-Fi link's figures) is the board's alone.
 */
class Net {
	static resolve(name, callback) @ "xs_net_resolve";
}
Object.freeze(Net);

export default Net;
