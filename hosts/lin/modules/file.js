/*
 * xsws-sim: Moddable's `file` module (MIT). Natives in hosts/lin/files.c. Paths are used as
 * given (relative to the simulator's working directory).
 *   new File(path, write = false)   throws on a missing file (read mode) or a directory
 *   file.read(ArrayBuffer | String, count = length - position), file.write(...values)
 *   file.length, file.position (get/set), file.close()
 *   File.exists(path), File.delete(path), File.rename(from, to)
 *   new Iterator(path).next() -> {name, length} (length undefined for a directory) | undefined
 *   Directory.create(path), Directory.delete(path); System.config(), System.info()
 */
function readString(count) @ "xs_file_read_string";
function readBuffer(count) @ "xs_file_read_buffer";

class File @ "xs_file_destructor" {
	constructor(path, write) @ "xs_file_constructor";
	read(type, count) {
		if (type === String)
			return readString.call(this, count);
		if (type === ArrayBuffer)
			return readBuffer.call(this, count);
		throw new TypeError("read: type must be ArrayBuffer or String");
	}
	write(value) @ "xs_file_write";
	close() @ "xs_file_close";
	get length() @ "xs_file_get_length";
	get position() @ "xs_file_get_position";
	set position(value) @ "xs_file_set_position";
	static delete(path) @ "xs_file_delete";
	static exists(path) @ "xs_file_exists";
	static rename(from, to) @ "xs_file_rename";
}

class Iterator @ "xs_file_iterator_destructor" {
	constructor(path) @ "xs_file_iterator_constructor";
	next() @ "xs_file_iterator_next";
	[Symbol.iterator]() {
		return { next: () => { const value = this.next(); return { value, done: value === undefined }; } };
	}
}

class Directory {
	static create(path) @ "xs_directory_create";
	static delete(path) @ "xs_directory_delete";
}

class System {
	static config() @ "xs_file_system_config";
	static info() @ "xs_file_system_info";
}

export { File, Iterator, Directory, System };
export default File;
