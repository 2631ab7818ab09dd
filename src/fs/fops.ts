/**
 * File access for mounts (lws `struct lws_plat_file_ops`): a small table a
 * directory, a zip or a resource can stand behind.
 */
export interface FopsFile {
	/** Total length in bytes of what read() gives. */
	readonly length: number;
	/** Fill `into` from `position`; returns bytes read (0 at the end). */
	read(into: Uint8Array, position: number): number;
	/** Release the file (lws `lws_vfs_file_close`). */
	close(): void;
	/** A strong validator for If-None-Match, when the fops knows one cheaply. */
	readonly etag?: string;
	/** Set when read() gives an encoded representation (Content-Encoding: gzip); `length` is the encoded length. */
	readonly contentEncoding?: "gzip";
	/** The representation depends on the request's Accept-Encoding: answer with `Vary: Accept-Encoding`. */
	readonly varyAcceptEncoding?: boolean;
}

/** What the server tells a fops about the request when it opens a file. */
export interface FopsOpenOptions {
	/** The client accepts `Content-Encoding: gzip` (its Accept-Encoding allows gzip). */
	acceptGzip?: boolean;
}

/** File operations a FILE mount reads through (lws `struct lws_plat_file_ops`): a directory, a zip, or anything else. */
export interface Fops {
	/** Open a file by its path under `root`; undefined if there is no such file (directories included). */
	open(root: string, path: string, opts?: FopsOpenOptions): FopsFile | undefined;
	/** True if `path` under `root` is a directory. */
	isDirectory(root: string, path: string): boolean;
}

/** A fops cannot open one more file now (a bounded resource is in use): the server answers 503. */
export class FopsBusyError extends Error {}

/** Joins a mount origin and a normalized URL path (which starts with "/"). */
export function joinPath(root: string, path: string): string {
	return root.endsWith("/") ? root + path.slice(1) : root + path;
}

/**
 * Stack fops the lws way: mounts whose origin names a zip (ends in ".zip")
 * go to `zip`, every other origin to `files`.
 */
export function zipOrFiles(zip: Fops, files: Fops): Fops {
	const pick = (root: string): Fops => (root.toLowerCase().endsWith(".zip") ? zip : files);
	return {
		open: (root, path, opts) => pick(root).open(root, path, opts),
		isDirectory: (root, path) => pick(root).isDirectory(root, path),
	};
}
