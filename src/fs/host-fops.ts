import type { Fops, FopsFile } from "./fops.js";
import { joinPath } from "./fops.js";
import { crc32 } from "../util/crc32.js";
import { fileSource } from "./zip.js";
import type { ByteSource, ReadableFile } from "./zip.js";

/** Files up to this size get an ETag from a CRC-32 of their content; larger ones none (it would cost a second read). */
export const ETAG_MAX_SIZE = 1024 * 1024;

/** The parts of Moddable's `file` module that directory fops use. */
export interface FileClass {
	/** Open a file (Moddable `new File(path, write)`). */
	new (path: string, write?: boolean): ModdableFile;
	/** Whether a file exists (Moddable `File.exists`). */
	exists(path: string): boolean;
}
/** An open Moddable `File`. */
export interface ModdableFile extends ReadableFile {
	/** Close the file. */
	close(): void;
}
/** One name in a directory, as Moddable's `File.Iterator` gives it. */
export interface DirEntry {
	/** the file's or directory's name */
	name: string;
	/** a file's length; absent for a directory */
	length?: number;
}

/** Moddable's `File.Iterator`: the names in a directory. */
export interface IteratorClass {
	/** Iterate the directory at `path`. */
	new (path: string): {
		/** the next name, undefined after the last */
		next(): DirEntry | undefined;
	};
}

/** fops over the host's file system (Moddable `file`: SPIFFS/LittleFS on the board, the disk in the simulator). */
export class HostFops implements Fops {
	constructor(private readonly File: FileClass, private readonly Iterator: IteratorClass) {}

	open(root: string, path: string): FopsFile | undefined {
		const full = joinPath(root, path);
		if (!this.File.exists(full)) return undefined;
		let f: ModdableFile;
		try {
			f = new this.File(full);
		}
		catch {
			return undefined;	// a directory, or unreadable
		}
		return new HostFile(f);
	}

	isDirectory(root: string, path: string): boolean {
		try {
			new this.Iterator(joinPath(root, path));
			return true;
		}
		catch {
			return false;
		}
	}
}

class HostFile implements FopsFile {
	readonly length: number;
	private readonly source: ByteSource;
	constructor(private readonly f: ModdableFile) {
		this.source = fileSource(f);
		this.length = this.source.length;
	}
	/** Moddable's file API has no modification time, so the validator is the content's CRC-32. */
	get etag(): string | undefined {
		if (this.length > ETAG_MAX_SIZE) return undefined;
		const buf = new Uint8Array(Math.min(this.length, 4096) || 1);
		let crc = 0;
		for (let pos = 0; pos < this.length;) {
			const n = this.read(buf, pos);
			if (n <= 0) return undefined;
			crc = crc32(n === buf.length ? buf : buf.subarray(0, n), crc);
			pos += n;
		}
		return `"${this.length.toString(16)}-${crc.toString(16)}"`;
	}
	read(into: Uint8Array, position: number): number {
		return this.source.read(into, position);
	}
	close(): void {
		this.f.close();
	}
}
