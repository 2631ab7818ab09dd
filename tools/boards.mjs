// xsws board profiles (MIT): hosts/boards.json read and applied. Node built-ins only.
//
// A profile is a Moddable ESP32 target's XS creation sizes and lwIP sizes. The simulator gets
// them as options (xsws-sim --slots ... --tcp-pcbs ...), the board build as the generated
// manifest's creation and the mcconfig platform. A manifest's own creation values win.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject, repositoryRoot } from './manifest.mjs';

export const boardsPath = join(repositoryRoot, 'hosts', 'boards.json');

/** The desktop heap (--desktop-heap): for load tests and comparisons with Linux servers. */
export const DESKTOP_HEAP = Object.freeze({ heap: 4 * 1024 * 1024, chunk: 64 * 1024 * 1024, stack: 8192 });

let table;
/** @returns {{ default: string, boards: Record<string, object> }} */
export function loadBoards() {
  table ??= JSON.parse(readFileSync(boardsPath, 'utf8'));
  return table;
}

export function boardNames() {
  return Object.keys(loadBoards().boards);
}

/** The profile called `name` (default: the table's default), or an error naming the choices. */
export function boardProfile(name) {
  const boards = loadBoards();
  const key = name ?? boards.default;
  const profile = boards.boards[key];
  if (!profile) throw new Error(`unknown board "${key}" (boards: ${boardNames().join(', ')})`);
  return { name: key, ...profile };
}

/** The profile's creation with the manifest's own values over it (mcconfig's order). */
export function effectiveCreation(profile, manifestCreation = {}) {
  const merged = structuredClone(profile.creation);
  for (const [key, value] of Object.entries(manifestCreation ?? {})) {
    if (isPlainObject(value) && isPlainObject(merged[key])) Object.assign(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

function count(value, what) {
  const number = Number(value ?? 0);
  if (!Number.isInteger(number) || number < 0) throw new Error(`creation ${what}: ${value} is not a count`);
  return number;
}

function initialSizes(creation) {
  return { heap: count(creation.heap?.initial, 'heap.initial'), chunk: count(creation.chunk?.initial, 'chunk.initial'), stack: count(creation.stack, 'stack') };
}

/**
 * xsws-sim options for a profile: the XS heap (fixed when nothing grows; growing in the creation's
 * steps up to `static` or the profile's PSRAM budget), and lwIP's sizes and pools. The desktop
 * heap lifts the heap and the pool limits; the buffer sizes stay the board's (they shape how the
 * code runs, not how much it holds).
 */
export function simulatorArgs({ board, manifestCreation, desktopHeap = false } = {}) {
  const profile = boardProfile(board);
  const lwip = profile.lwip;
  const args = [];
  if (desktopHeap) {
    args.push('--slots', String(DESKTOP_HEAP.heap), '--chunk', String(DESKTOP_HEAP.chunk), '--stack', String(DESKTOP_HEAP.stack),
      '--tcp-pcbs', '0', '--listen-pcbs', '0', '--udp-pcbs', '0');
  } else {
    const creation = effectiveCreation(profile, manifestCreation);
    const { heap: slots, chunk, stack } = initialSizes(creation);
    const slotIncrement = count(creation.heap?.incremental, 'heap.incremental');
    const chunkIncrement = count(creation.chunk?.incremental, 'chunk.incremental');
    const heapLimit = count(creation.static, 'static') || count(profile.heapLimit, 'heapLimit');
    if (!slots || !chunk || !stack) throw new Error('creation needs heap.initial, chunk.initial and stack');
    args.push('--slots', String(slots), '--chunk', String(chunk), '--stack', String(stack));
    if (!slotIncrement && !chunkIncrement) args.push('--fixed');
    else {
      // a heap that grows needs a bound: the static block, or the PSRAM the board has
      if (!heapLimit) throw new Error(`board "${profile.name}": a growing heap needs creation.static or heapLimit`);
      args.push('--slot-increment', String(slotIncrement), '--chunk-increment', String(chunkIncrement),
        '--heap-limit', String(heapLimit));
    }
    // run-time keys as mcconfig sizes them: keys.initial (or keys.available), else 256, and no
    // growth unless keys.incremental says so
    const keys = creation.keys ?? {};
    const keyCount = count(keys.initial ?? keys.available ?? 256, 'keys.initial');
    if (!(keys.initial && count(keys.incremental, 'keys.incremental'))) args.push('--keys', String(keyCount));
    args.push('--tcp-pcbs', String(lwip.tcpPcbs), '--listen-pcbs', String(lwip.listenPcbs), '--udp-pcbs', String(lwip.udpPcbs));
  }
  args.push('--snd-buf', String(lwip.sndBuf), '--wnd', String(lwip.wnd), '--mss', String(lwip.mss));
  return args;
}

/** The initial sizes (slots, chunk bytes, stack slots) a manifest gets on a board. */
export function creationSizes(manifestCreation, board) {
  return initialSizes(effectiveCreation(boardProfile(board), manifestCreation));
}

/**
 * What the firmware may know of its board, as mc/config `board` (the same in the simulator and in
 * the board build): the profile's name and lwIP's pool and buffer sizes. moddableHost() takes
 * tcpPcbs from it to size maxConnections.
 */
export function boardConfig(board) {
  const profile = boardProfile(board);
  return { name: profile.name, ...profile.lwip };
}

/** boardConfig as `key=value` config overrides (tools/manifest.mjs parseOverrides). */
export function boardConfigOverrides(board) {
  return Object.entries(boardConfig(board)).map(([key, value]) => `board.${key}=${value}`);
}
