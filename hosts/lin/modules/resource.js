/*
 * xsws-sim: Moddable's `Resource` (MIT). Natives in hosts/lin/resources.c.
 *   new Resource(path)  a read-only HostBuffer of the file `path` in the --resources directory
 *                       (usable with new Uint8Array(resource) / new DataView(resource))
 *   resource.byteLength, resource.slice(begin, end) -> ArrayBuffer copy
 *   Resource.exists(path)
 */
class Resource @ "xs_resource_destructor" {
	constructor(path) @ "xs_resource_constructor";
	get byteLength() @ "xs_resource_get_byteLength";
	slice(begin, end) @ "xs_resource_slice";
	static exists(path) @ "xs_resource_exists";
}
Object.freeze(Resource.prototype);

export default Resource;
