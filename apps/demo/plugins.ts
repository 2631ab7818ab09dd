/**
 * The statically linked plugins: the manifest's config "plugins" lists the
 * module specifiers to link (each exports its protocols as default).
 */
import config from "mc/config";
import type { Protocol } from "../../src/index.js";

export async function linkedPlugins(): Promise<Protocol[]> {
	const names = (config as { plugins?: string[] }).plugins ?? [];
	const out: Protocol[] = [];
	for (const name of names) {
		const mod = (await import(name)) as { default: Protocol[] | Protocol };
		const list = Array.isArray(mod.default) ? mod.default : [mod.default];
		out.push(...list);
	}
	return out;
}
