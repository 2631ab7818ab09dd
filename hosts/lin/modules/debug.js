/*
 * xsws-sim: Moddable's `debug` module (MIT). Debug.gc() runs a full garbage collection now.
 */
function gc(enable) @ "xs_debug_gc";

const Debug = Object.freeze({ gc });

export default Debug;
