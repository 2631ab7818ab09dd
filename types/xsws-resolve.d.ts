// xsws/resolve: hosts/common/resolve, over Moddable's `net` (Net.resolve), on hosts/lin and the ESP32.

declare module "xsws/resolve" {
	/** Resolve `host` to an IPv4 address: `callback(host, address)` later, address undefined when it does not resolve. */
	export default function resolve(host: string, callback: (host: string, address?: string) => void): void;
}
