/** xsws public API. */
export { Context } from "./core/context.js";
export type { Vhost } from "./core/vhost.js";
export { RoleRegistry } from "./core/role.js";
export type { Role, UpgradeRequest, RoomClass } from "./core/role.js";
export type { Handled } from "./core/reasons.js";
export type { ContextStats, ContextStatus } from "./core/stats.js";
export { Wsi, Timeout } from "./core/wsi.js";
export { Reason, WriteProtocol } from "./core/reasons.js";
export { MountProtocol } from "./core/types.js";
export type { Protocol, ProtocolCallback, CallbackData, Mount, VhostOptions, ContextOptions, PmdOptions } from "./core/types.js";
export type { HostIo, HeapFigures, TcpSocket, TcpCallbacks, TcpListener, UdpSocket, UdpCallbacks, Datagram } from "./core/io.js";
export { CONTEXT_OPTIONS, CONTEXT_STRING_OPTIONS, VHOST_OPTIONS, VHOST_STRING_OPTIONS, PMD_OPTIONS, PMD_FLAGS, PMD_LIMITS, TIMINGS, PARSER_LIMITS } from "./core/options.js";
export type { NumberOption, StringOption, FlagOption, FixedValue, NumericOption, ResolvedOptions, ResolvedPmd } from "./core/options.js";
export { lwsl, setLogLevel, LogLevel } from "./core/log.js";
export type { LogEmit } from "./core/log.js";
export type { Fops, FopsFile, FopsOpenOptions } from "./fs/fops.js";
export type { ReadableFile } from "./fs/zip.js";
export { HostFops } from "./fs/host-fops.js";
export type { FileClass, IteratorClass, ModdableFile, DirEntry } from "./fs/host-fops.js";
/** The HTTP API for protocol authors, lws names as free functions on a wsi (lws `lws_hdr_copy`, `lws_add_http_header_*`, `lws_return_http_status`, ...). */
export * as http from "./roles/h1/api.js";
/** The WebSocket API for protocol authors, lws names (`lws_write`, `lws_is_final_fragment`, `lws_close_reason`, ...). */
export * as ws from "./roles/ws/api.js";
export { CloseStatus } from "./ws/close-codes.js";
export { decodeUtf8, encodeUtf8 } from "./util/utf8.js";

import { Context } from "./core/context.js";
import type { ContextOptions } from "./core/types.js";
import type { HostIo } from "./core/io.js";
import { serverRoles } from "./roles/index.js";
export { serverRoles } from "./roles/index.js";

/** lws_create_context(): a server with the standard roles. */
export function createContext(options: ContextOptions, io: HostIo): Context {
	return new Context(options, io, serverRoles());
}
