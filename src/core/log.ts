/**
 * Logging with lws levels (lwsl_err ... lwsl_client). Levels are bits so a
 * user can pick any mix; the default matches lws: err | warn | notice.
 */
export enum LogLevel {
	/** errors (lws `LLL_ERR`) */
	ERR = 1 << 0,
	/** warnings (lws `LLL_WARN`) */
	WARN = 1 << 1,
	/** notices: start-up, listening (lws `LLL_NOTICE`) */
	NOTICE = 1 << 2,
	/** per-connection events: closes and their reasons (lws `LLL_INFO`) */
	INFO = 1 << 3,
	/** debugging detail (lws `LLL_DEBUG`) */
	DEBUG = 1 << 4,
	/** parser detail (lws `LLL_PARSER`) */
	PARSER = 1 << 5,
	/** headers (lws `LLL_HEADER`) */
	HEADER = 1 << 6,
	/** extensions (lws `LLL_EXT`) */
	EXT = 1 << 7,
	/** client connections (lws `LLL_CLIENT`) */
	CLIENT = 1 << 8,
}

/** Where log lines go: by default the host's console (Moddable `trace`). */
export type LogEmit = (level: LogLevel, line: string) => void;

const NAMES: Record<number, string> = {
	[LogLevel.ERR]: "E", [LogLevel.WARN]: "W", [LogLevel.NOTICE]: "N", [LogLevel.INFO]: "I",
	[LogLevel.DEBUG]: "D", [LogLevel.PARSER]: "P", [LogLevel.HEADER]: "H", [LogLevel.EXT]: "X",
	[LogLevel.CLIENT]: "C",
};

type TraceFn = (s: string) => void;

function defaultEmit(level: LogLevel, line: string): void {
	const g = globalThis as { trace?: TraceFn; console?: { log(s: string): void } };
	const text = `[xsws] ${NAMES[level] ?? "?"}: ${line}`;
	// On XS `trace` is the native console; under Node tests, console.
	if (g.trace) g.trace(text + "\n");
	else g.console?.log(text);
}

let mask: number = LogLevel.ERR | LogLevel.WARN | LogLevel.NOTICE;
// Starts undefined, not a function: a preloaded module's `let` that holds a function at
// link time becomes constant on the board (XS preload), so the hook could never be set.
let emit: LogEmit | undefined;

/** lws_set_log_level(): choose levels and, optionally, where lines go. */
export function setLogLevel(levels: number, emitter?: LogEmit): void {
	mask = levels;
	if (emitter) emit = emitter;
}

export function logEnabled(level: LogLevel): boolean {
	return (mask & level) !== 0;
}

function out(level: LogLevel, msg: string): void {
	if (mask & level) (emit ?? defaultEmit)(level, msg);
}

/** lwsl_* functions. Build messages lazily at call sites on hot paths (check logEnabled first). */
export const lwsl = {
	/** lws `lwsl_err` */
	err: (m: string) => out(LogLevel.ERR, m),
	/** lws `lwsl_warn` */
	warn: (m: string) => out(LogLevel.WARN, m),
	/** lws `lwsl_notice` */
	notice: (m: string) => out(LogLevel.NOTICE, m),
	/** lws `lwsl_info` */
	info: (m: string) => out(LogLevel.INFO, m),
	/** lws `lwsl_debug` */
	debug: (m: string) => out(LogLevel.DEBUG, m),
	/** lws `lwsl_parser` */
	parser: (m: string) => out(LogLevel.PARSER, m),
	/** lws `lwsl_header` */
	header: (m: string) => out(LogLevel.HEADER, m),
	/** lws `lwsl_ext` */
	ext: (m: string) => out(LogLevel.EXT, m),
	/** lws `lwsl_client` */
	client: (m: string) => out(LogLevel.CLIENT, m),
};
