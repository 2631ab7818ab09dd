#!/usr/bin/env node
// xsws zip-ui (MIT): zips a web UI directory for ZipFops. Node built-ins only.
//
//   node tools/zip-ui.mjs <dir> <out.zip>
//
// Deterministic: entries sorted by path ("/" separators, byte order), a fixed DOS date
// (1980-01-01 00:00), no directory entries, no extra fields. Each file is deflated
// (node:zlib deflateRawSync, level 9) and stored instead when deflating does not make it
// smaller. Names that are not ASCII are UTF-8 with the language-encoding flag (bit 11).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const MAX_ENTRIES = 0xffff;

/** Files under dir as [path relative to dir with "/" separators, absolute path], sorted by path bytes. */
export function listFiles(dir) {
  const out = [];
  const walk = (abs, rel) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(abs, entry.name), path);
      else if (entry.isFile()) out.push([path, join(abs, entry.name)]);
    }
  };
  walk(resolve(dir), '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

/**
 * Builds a zip from [name, bytes] pairs (in the given order). Options: level (default 9),
 * store (force method 0). Returns a Buffer.
 */
export function buildZip(files, { level = 9, store = false } = {}) {
  if (files.length > MAX_ENTRIES) throw new Error(`zip-ui: ${files.length} files, at most ${MAX_ENTRIES}`);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, bytes] of files) {
    const data = Buffer.from(bytes);
    const nameBytes = Buffer.from(name, 'utf8');
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
    const deflated = store ? null : zlib.deflateRawSync(data, { level });
    const method = deflated && deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = zlib.crc32(data) >>> 0;
    if (offset + 30 + nameBytes.length + body.length > 0xfffffffe) throw new Error('zip-ui: archive over 4 GiB (zip64 is not supported)');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);            // version needed: 2.0
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);          // made by: 2.0, MS-DOS attributes
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Zips the files under `dir` (sorted, deterministic); returns the zip as a Buffer. */
export function zipDirectory(dir, options = {}) {
  return buildZip(listFiles(dir).map(([name, abs]) => [name, readFileSync(abs)]), options);
}

/** Zips `dir` into the file `out`; returns {entries, bytes}. */
export function zipUi(dir, out, options = {}) {
  const files = listFiles(dir);
  const zip = buildZip(files.map(([name, abs]) => [name, readFileSync(abs)]), options);
  writeFileSync(out, zip);
  return { entries: files.length, bytes: zip.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, out] = process.argv.slice(2);
  if (!dir || !out || dir.startsWith('-')) {
    console.error('usage: node tools/zip-ui.mjs <dir> <out.zip>');
    process.exit(2);
  }
  try {
    const { entries, bytes } = zipUi(dir, out);
    console.log(`zip-ui: ${out}: ${entries} files, ${bytes} bytes`);
  } catch (error) {
    console.error(`zip-ui: ${error.message}`);
    process.exit(1);
  }
}
