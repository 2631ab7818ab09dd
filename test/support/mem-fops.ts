import type { Fops, FopsFile } from "../../src/fs/fops.js";
import { joinPath } from "../../src/fs/fops.js";

/** fops over a Map of path → bytes, for unit tests. */
export class MemFops implements Fops {
	constructor(readonly files: Map<string, Uint8Array>) {}
	open(root: string, path: string): FopsFile | undefined {
		const data = this.files.get(joinPath(root, path));
		if (!data) return undefined;
		return {
			length: data.length,
			etag: `"e${data.length}"`,
			read(into: Uint8Array, position: number) {
				const n = Math.min(into.length, data.length - position);
				into.set(data.subarray(position, position + n));
				return n;
			},
			close() {},
		};
	}
	isDirectory(root: string, path: string): boolean {
		const p = joinPath(root, path).replace(/\/$/, "") + "/";
		for (const k of this.files.keys()) if (k.startsWith(p)) return true;
		return false;
	}
}
