// xsws/resolve (MIT): name resolution for src/host/moddable.ts, over the Moddable SDK's `net`
// module (Net.resolve: lwIP dns_gethostbyname on the ESP32; hosts/lin/net.c in the simulator).
// A module of its own so that src/ names no specifier that reads like one of Node's.
import Net from "net";

export default function resolve(host, callback) {
	Net.resolve(host, callback);
}
