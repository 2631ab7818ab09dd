/*
 * xsws-sim: Moddable's `instrumentation` (MIT). Natives in hosts/lin/instrumentation.c.
 *   Instrumentation.map(name) -> index | undefined; .get(index) -> number; .name(index) -> string
 * Names: "XS Slot Heap Used", "XS Chunk Heap Used" (in use, baseline included), "Network Sockets",
 * "Timers", "Files", "XS Garbage Collection Count", "XS Keys Used", and xsws extras
 * "Network Listeners", "XS Slot Heap Limit", "XS Chunk Heap Limit" (the firmware's creation
 * sizes), "XS Slot Heap Baseline", "XS Chunk Heap Baseline" (empty machine, added on top),
 * "XS Slot Heap Peak", "XS Chunk Heap Peak", "XS Slot Heap Reserved", "XS Chunk Heap Reserved",
 * "XS Stack Limit", "XS Stack Used", "XS Module Code" (bytes of bytecode and string literals kept
 * outside the heaps, as in flash on the board). Indices differ from Moddable's: always use map().
 */
function get(index) @ "xs_instrumentation_get";
function map(name) @ "xs_instrumentation_map";
function name(index) @ "xs_instrumentation_name";

const Instrumentation = Object.freeze({ get, map, name });

export default Instrumentation;
