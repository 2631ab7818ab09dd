/**
 * HostIo over Moddable's modules: ECMA-419 sockets, `timer`, `file`,
 * `instrumentation`, and the native data modules for UTF-8 and CRC. The
 * same specifiers exist in the Moddable SDK on ESP32 and in hosts/lin.
 */
import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import UDP from "embedded:io/socket/udp";
import resolveName from "xsws/resolve";
import RNG from "rng";
import Timer from "timer";
import Instrumentation from "instrumentation";
import Debug from "debug";
import TextDecoder from "text/decoder";
import TextEncoder from "text/encoder";
import { File, Iterator } from "file";
import Logical from "logical";
import Base64 from "base64";
import { crc32 as nativeCrc32, Inflater, Deflater } from "xsws/zlib";
import type { HostIo, TcpCallbacks, TcpListener, TcpSocket, UdpCallbacks, UdpSocket, HeapFigures } from "../core/io.js";
import { setUtf8Codec } from "../util/utf8.js";
import { setXorMask } from "../util/xor.js";
import { setBase64 } from "../util/base64.js";
import { setCrc32 } from "../util/crc32.js";
import { setInflaterFactory } from "../fs/inflate.js";
import { setPmdCompressors } from "../ws/compressors.js";
import { HostFops } from "../fs/host-fops.js";
import type { FileClass, IteratorClass } from "../fs/host-fops.js";
import Resource from "Resource";
import { ZipFops } from "../fs/zip-fops.js";
import { bytesSource, fileSource } from "../fs/zip.js";
import type { ByteSource, ReadableFile } from "../fs/zip.js";
import { zipOrFiles } from "../fs/fops.js";
import type { Fops } from "../fs/fops.js";

type ListenerWithPending = Listener & { onPending?: (l: TcpListener, n: number) => void };

function figure(name: string): number {
	const i = Instrumentation.map(name as Parameters<typeof Instrumentation.map>[0]);
	return i === undefined ? 0 : Instrumentation.get(i) ?? 0;
}

/** What every TCP socket of ours is made with, accepted or connected. */
function tcpOptions(cb: TcpCallbacks, target: unknown) {
	return {
		onReadable: cb.onReadable as unknown as (this: TCP, n: number) => void,
		onWritable: cb.onWritable as unknown as (this: TCP, n: number) => void,
		onError: cb.onError as unknown as (this: TCP) => void,
		format: "buffer" as const,
		// responses go out in pieces (head, then body per WRITEABLE): without this, Nagle holds
		// each small tail for the peer's delayed ACK (~40 ms on Linux)
		nodelay: true,
		target,
	};
}

/** Options of `moddableHost`. */
export interface ModdableHostOptions {
	/**
	 * lwIP's pool of TCP pcbs in this build (MEMP_NUM_TCP_PCB, CONFIG_LWIP_MAX_ACTIVE_TCP: 8 on
	 * the ESP32, 16 on the S3 and C3; mc/config `board.tcpPcbs` from the board profile). Every
	 * connection takes one from the SYN on, so one is kept for a newcomer: maxSockets is one fewer.
	 */
	tcpPcbs?: number;
	/** Connections the context holds (default maxConnections); default tcpPcbs - 1. */
	maxSockets?: number;
}

/** CONFIG_LWIP_MAX_ACTIVE_TCP in Moddable's ESP32 sdkconfig.defaults. */
const ESP32_TCP_PCBS = 8;

/** The host seam over Moddable's ECMA-419 sockets (`embedded:io/socket/*`), `Timer` and `Instrumentation`: what a firmware passes to `createContext` on the board and in the simulator (lws's platform layer, `lws_plat_*`). */
export function moddableHost(opts: ModdableHostOptions = {}): HostIo {
	const decoder = new TextDecoder("utf-8", { fatal: true });
	const encoder = new TextEncoder();
	setUtf8Codec(
		(s) => new Uint8Array(encoder.encode(s)),
		(b) => {
			try { return decoder.decode(b); }
			catch { return undefined; }
		},
	);
	// Hot byte work goes native on both the board and the simulator (Moddable's data modules).
	setXorMask((data, mask) => Logical.xor(data, mask));
	setBase64((b) => Base64.encode(b));
	// xsws/zlib (hosts/common/zlib, miniz): CRC-32 and the bounded pull inflater
	setCrc32((data, crc) => nativeCrc32(data, crc));
	setInflaterFactory(() => new Inflater());
	// and permessage-deflate's: the inflater with the negotiated window, our bounded deflater
	setPmdCompressors({
		inflater: (windowBits) => new Inflater(windowBits),
		deflater: (windowBits, level) => new Deflater(windowBits, level),
	});
	return {
		// a pcb is left for a newcomer to arrive, so that an idle connection can make room for it
		maxSockets: opts.maxSockets ?? Math.max(1, (opts.tcpPcbs && opts.tcpPcbs > 0 ? opts.tcpPcbs : ESP32_TCP_PCBS) - 1),
		listen(port, address, onPending) {
			// Moddable's lwIP listener binds every interface whatever `address` says (its tcp.c:
			// "//@@ address"), and hosts/lin keeps that: a vhost meant for one interface would be
			// served on all of them, so refuse it rather than expose it
			if (address && address !== "0.0.0.0")
				throw new RangeError(`vhost iface ${address} (port ${port}): Moddable's lwIP listener binds every interface, so this host cannot limit a listener to one address`);
			const l: ListenerWithPending = new Listener({
				port,
				onReadable(this: ListenerWithPending, count: number) { this.onPending?.(this as unknown as TcpListener, count); },
			}) as ListenerWithPending;
			l.onPending = onPending;
			return l as unknown as TcpListener;
		},
		accept(listener, cb: TcpCallbacks, target) {
			const from = (listener as unknown as Listener).read();
			if (!from) return undefined;
			return new TCP({ from, ...tcpOptions(cb, target) }) as unknown as TcpSocket;
		},
		connect(address, port, cb: TcpCallbacks, target) {
			return new TCP({ address, port, ...tcpOptions(cb, target) }) as unknown as TcpSocket;
		},
		udp(port, cb: UdpCallbacks, target) {
			return new UDP({
				port,
				onReadable: cb.onReadable as unknown as (this: UDP, n: number) => void,
				format: "buffer",
				target,
			}) as unknown as UdpSocket;
		},
		resolve(host, onResolved) {
			resolveName(host, onResolved);
		},
		random(into) {
			into.set(new Uint8Array(RNG.get(into.length)));
		},
		setTimer(fn, ms, repeat) {
			return repeat ? Timer.repeat(fn, ms) : Timer.set(fn, ms);
		},
		clearTimer(handle) {
			Timer.clear(handle as ReturnType<typeof Timer.set>);
		},
		rescheduleTimer(handle, ms, repeatMs) {
			Timer.schedule(handle as ReturnType<typeof Timer.set>, ms, repeatMs);
		},
		now: () => Date.now(),
		heap(): HeapFigures {
			Debug.gc();
			return {
				slotsUsed: figure("XS Slot Heap Used"),
				chunksUsed: figure("XS Chunk Heap Used"),
				slotsLimit: figure("XS Slot Heap Limit"),
				chunksLimit: figure("XS Chunk Heap Limit"),
				slotsBaseline: figure("XS Slot Heap Baseline"),
				chunksBaseline: figure("XS Chunk Heap Baseline"),
			};
		},
	};
}

/** fops over the host's file system. */
export function moddableFops(): HostFops {
	return new HostFops(File as unknown as FileClass, Iterator as unknown as IteratorClass);
}

/** A zip by name: a resource in flash (Moddable `Resource`), else a file. */
function zipSource(name: string): ByteSource | undefined {
	if (Resource.exists(name)) return bytesSource(new Uint8Array(new Resource(name) as unknown as ArrayBuffer));
	if (File.exists(name)) return fileSource(new File(name) as unknown as ReadableFile);
	return undefined;
}

/** The fops a firmware wants: mounts whose origin ends in ".zip" serve from that zip, others from files. */
export function moddableMountFops(): Fops {
	return zipOrFiles(new ZipFops(zipSource), moddableFops());
}
