// xsws/zlib (hosts/common/zlib: miniz CRC-32 and the bounded pull inflater) and ZipFops on XS in
// the simulator, against Node's zlib. Firmware: test/fixtures/zip/main.js (one task per run).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { buildZip } from '../../tools/zip-ui.mjs';
import { randomBytes, webText } from '../support/corpus.mjs';
import { BOMB_SIZE, bomb, runZipFirmware, simulator } from '../support/zip-sim.mjs';
import { repositoryRoot } from '../../tools/manifest.mjs';

const crcOf = (b) => zlib.crc32(b) >>> 0;

/** Bytes from [value, bit count] fields written least significant bit first (RFC 1951 header fields). */
function lsbBits(fields) {
  const out = [];
  let acc = 0, n = 0;
  for (const [value, count] of fields) {
    for (let i = 0; i < count; i++) {
      acc |= (i < 31 ? (value >>> i) & 1 : 0) << n;
      if (++n === 8) { out.push(acc); acc = 0; n = 0; }
    }
  }
  if (n) out.push(acc);
  return Buffer.from(out);
}

function zerosCrc(size) {
  const zero = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let left = size; left > 0; left -= zero.length) crc = zlib.crc32(left < zero.length ? zero.subarray(0, left) : zero, crc);
  return crc >>> 0;
}

describe('xsws/zlib and ZipFops on XS (simulator, board heap)', function () {
  this.timeout(180000);

  before(function () {
    if (!existsSync(simulator)) throw new Error(`${simulator} missing: run "npm run build"`);
  });

  it('crc32 matches zlib.crc32: whole, continued, views, ArrayBuffer; src/util/crc32 uses it after moddableHost()', function () {
    const data = randomBytes(100001, 5);
    const [r] = runZipFirmware({ task: 'crc' }, { 'crc.bin': data });
    const half = data.length >> 1;
    assert.equal(r.whole, crcOf(data));
    assert.equal(r.continued, crcOf(data));
    assert.equal(r.view, crcOf(data.subarray(3, 1003)));
    assert.equal(r.empty, 0);
    assert.equal(r.buffer, crcOf(data.subarray(0, 100)));
    assert.equal(r.registered, crcOf(data));
    assert.ok(half > 0);
  });

  describe('inflate', function () {
    const inputs = {};
    const expected = {};
    before(function () {
      const sizes = [0, 1, 100, 4096, 32768, 32769, 100000, 300000];
      let seed = 10;
      for (const size of sizes) {
        for (const kind of ['random', 'text']) {
          const data = kind === 'random' ? randomBytes(size, seed++) : webText(size, seed++);
          for (const level of [0, 1, 9]) {
            const name = `${kind}-${size}-${level}.def`;
            inputs[name] = zlib.deflateRawSync(data, { level });
            expected[name] = { length: data.length, crc: crcOf(data) };
          }
        }
      }
      const fixed = webText(50000, 99);
      inputs['fixed.def'] = zlib.deflateRawSync(fixed, { strategy: zlib.constants.Z_FIXED });
      expected['fixed.def'] = { length: fixed.length, crc: crcOf(fixed) };
    });

    for (const [out, maxIn, small] of [[4096, 3000], [1, 7, true], [1460, 1, true], [16384, 0]]) {
      it(`native (registered by moddableHost) matches zlib: ${out}-byte output, input pieces <= ${maxIn || 'all'}${small ? ', inputs up to 32769 bytes' : ''}`, function () {
        const names = Object.keys(inputs).filter((n) => !small || !/-(100000|300000)-/.test(n));
        const results = runZipFirmware({ task: 'inflate', files: names.join(','), out, maxIn, seed: out + maxIn }, inputs);
        assert.equal(results.length, names.length);
        for (const r of results) {
          assert.equal(r.native, true, 'createInflater() gives the native inflater');
          assert.deepEqual({ length: r.length, crc: r.crc }, expected[r.name], r.name);
        }
      });
    }

    it('the TypeScript inflater on XS matches zlib too (random pieces, 1000-byte output)', function () {
      const names = Object.keys(inputs).filter((n) => !n.includes('300000'));
      const results = runZipFirmware({ task: 'inflate-ts', files: names.join(','), out: 1000, maxIn: 2000 }, inputs);
      assert.equal(results.length, names.length);
      for (const r of results) {
        assert.equal(r.native, false);
        assert.deepEqual({ length: r.length, crc: r.crc }, expected[r.name], r.name);
      }
    });

    it('corrupt streams throw a clear error; a closed inflater refuses work', function () {
      const good = zlib.deflateRawSync(webText(20000, 3));
      const cases = {
        'type3.def': [Buffer.from([0x07, 0x00]), /inflate: corrupt data \(invalid block type\)/],
        'stored.def': [Buffer.from([0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]), /stored block length check failed/],
        // dynamic block whose code-length code is over-subscribed (three 1-bit codes)
        'oversubscribed.def': [lsbBits([[1, 1], [2, 2], [0, 5], [0, 5], [15, 4], [1, 3], [1, 3], [1, 3], [0, 48], [0, 16]]), /inflate: corrupt data \(invalid Huffman code lengths\)/],
        'truncated.def': [good.subarray(0, good.length - 20), /truncated/],
      };
      const resources = Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, v[0]]));
      for (const [, [data]] of Object.entries(cases)) assert.throws(() => zlib.inflateRawSync(data), Error, 'zlib rejects it too');
      const results = runZipFirmware({ task: 'corrupt', files: Object.keys(cases).join(','), out: 512, maxIn: 100 }, resources);
      for (const r of results.filter((x) => x.name)) assert.match(String(r.error), cases[r.name][1], r.name);
      assert.match(results.find((x) => 'closed' in x).closed, /closed/);
    });
    it('the C fuzz corpus of hostile streams (hosts/lin/fuzz/corpus/inflate) on XS: each inflates or throws "inflate: corrupt data", never worse', function () {
      // under npm run test:asan this is where a read or write outside the inflater would be reported:
      // the corpus keeps the stream that made tinfl overrun its dictionary (regress-length-code-overrun)
      const dir = join(repositoryRoot, 'hosts', 'lin', 'fuzz', 'corpus', 'inflate');
      const resources = {};
      for (const f of readdirSync(dir)) resources[`${f}.def`] = readFileSync(join(dir, f)).subarray(2);
      assert.ok(resources['regress-length-code-overrun.def'], 'the regression case is in the corpus');
      for (const [out, maxIn] of [[17, 9], [1, 1], [4096, 2049]]) {
        const results = runZipFirmware({ task: 'corrupt', files: Object.keys(resources).join(','), out, maxIn }, resources);
        for (const r of results.filter((x) => x.name)) {
          if (r.error !== null) assert.match(r.error, /^inflate: corrupt data|^truncated$/, `${r.name} (${out}/${maxIn})`);
          else {
            // what it accepts, zlib inflates to the same bytes, or refuses (tinfl is laxer: see fuzz_inflate.c)
            let ref = null;
            try { ref = zlib.inflateRawSync(resources[r.name]); } catch { /* zlib refuses */ }
            if (ref) assert.deepEqual([r.length, r.crc], [ref.length, crcOf(ref)], r.name);
          }
        }
      }
    });
  });

  it('ZipFops over a Resource: a 4 MiB entry inflates on the board heap (--fixed) with the XS heap bounded; gzip passthrough; stored', function () {
    const big = webText(4 << 20, 7);
    const index = webText(3000, 8);
    const noise = randomBytes(50000, 9);
    const zip = buildZip([['big.txt', big], ['index.html', index], ['img/noise.bin', noise]]);
    const gzipOf = (name, data) => {
      // what the passthrough must send: gzip header, the zip's raw deflate bytes, CRC-32 and size
      const eocd = zip.length - 22, count = zip.readUInt16LE(eocd + 10);
      for (let i = 0, p = zip.readUInt32LE(eocd + 16); i < count; i++) {
        const nlen = zip.readUInt16LE(p + 28);
        if (zip.toString('latin1', p + 46, p + 46 + nlen) === name) {
          const local = zip.readUInt32LE(p + 42), csize = zip.readUInt32LE(p + 20);
          const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
          const trailer = Buffer.alloc(8);
          trailer.writeUInt32LE(crcOf(data), 0);
          trailer.writeUInt32LE(data.length, 4);
          const gz = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), zip.subarray(start, start + csize), trailer]);
          assert.ok(zlib.gunzipSync(gz).equals(data), 'the expected gzip stream gunzips');
          return gz;
        }
        p += 46 + nlen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
      }
      throw new Error(name);
    };
    const results = runZipFirmware({ task: 'zip', files: 'big.txt,index.html,img/noise.bin' }, { 'ui.zip': zip });
    const get = (name, acceptGzip) => results.find((r) => r.name === name && r.acceptGzip === acceptGzip);
    const plain = get('big.txt', false);
    assert.equal(plain.length, big.length);
    assert.equal(plain.crc, crcOf(big));
    assert.equal(plain.contentEncoding, null);
    assert.equal(plain.vary, true);
    assert.equal(plain.etag, `"${crcOf(big).toString(16)}-${big.length.toString(16)}"`);
    // bounded: it ran to the end on the board's fixed heap; an open inflating stream holds a 1 KiB
    // input buffer and a few objects on the XS heap (the 32 KiB window is native), whatever the size
    assert.ok(plain.liveChunks < 2048, `an open stream holds ${plain.liveChunks} chunk bytes`);
    assert.ok(plain.liveSlots < 64, `an open stream holds ${plain.liveSlots} slots`);
    assert.ok(plain.leftChunks <= 128 && plain.leftSlots <= 64, `left after close: ${plain.leftSlots} slots, ${plain.leftChunks} chunk bytes`);
    const gz = get('big.txt', true);
    const expectGz = gzipOf('big.txt', big);
    assert.equal(gz.contentEncoding, 'gzip');
    assert.equal(gz.length, expectGz.length);
    assert.equal(gz.crc, crcOf(expectGz));
    assert.equal(gz.etag, `"${crcOf(big).toString(16)}-${big.length.toString(16)}-gz"`);
    assert.equal(get('index.html', false).crc, crcOf(index));
    assert.equal(get('index.html', true).crc, crcOf(gzipOf('index.html', index)));
    const stored = get('img/noise.bin', true);
    assert.equal(stored.contentEncoding, null, 'a stored entry is sent as it is');
    assert.equal(stored.vary, false);
    assert.equal(stored.crc, crcOf(noise));
    this.test.title += ` [4 MiB inflate: ${plain.ms} ms; live ${plain.liveSlots} slots + ${plain.liveChunks} chunk bytes; in use with garbage at most +${plain.peakSlots} slots / +${plain.peakChunks} bytes, ${plain.gcs} GCs]`;
  });

  it('a zip bomb (1 GiB of zeros, ~1 MB deflated) through a 4 KiB buffer costs time, not memory (native, board heap)', async function () {
    const def = await bomb();
    assert.ok(def.length < 1.2e6, `${def.length} bytes`);
    const [r] = runZipFirmware({ task: 'bomb' }, { 'bomb.def': def }, { timeout: 170000 });
    assert.equal(r.length, BOMB_SIZE);
    assert.equal(r.crc, zerosCrc(BOMB_SIZE));
    // live heap (after collections mid-stream): the 4 KiB output buffer and a few objects
    assert.ok(r.liveChunks < 8192 && r.liveSlots < 64, `XS heap holds ${r.liveSlots} slots, ${r.liveChunks} chunk bytes mid-stream`);
    this.test.title += ` [${r.ms} ms, ${(BOMB_SIZE / 1e6 / (r.ms / 1000)).toFixed(0)} MB/s; live ${r.liveSlots} slots + ${r.liveChunks} chunk bytes]`;
  });
});
