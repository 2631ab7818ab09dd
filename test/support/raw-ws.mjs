// A raw WebSocket client for tests over real TCP: the upgrade request, masked frames built by
// hand (any RSV bits, any fragmentation), and the server's frames collected as they come.
import net from 'node:net';
import { HOST } from '../integration/sim.mjs';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The upgrade request; `extensions`, when given, is sent as Sec-WebSocket-Extensions. */
export function upgradeRequest(protocol, path = '/', extensions) {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n` +
    (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') + '\r\n';
}

export function frame(opcode, payload, { fin = true, rsv = 0, mask = true } = {}) {
  const data = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const m = mask ? 0x80 : 0;
  if (data.length < 126) head.push(m | data.length);
  else if (data.length < 65536) head.push(m | 126, data.length >> 8, data.length & 255);
  else { head.push(m | 127, 0, 0, 0, 0); const l = data.length; head.push(l >>> 24, (l >>> 16) & 255, (l >>> 8) & 255, l & 255); }
  const key = [1, 2, 3, 4];
  if (mask) { head.push(...key); for (let i = 0; i < data.length; i++) data[i] ^= key[i & 3]; }
  return Buffer.concat([Buffer.from(head), data]);
}

/** A raw WebSocket over TCP: resolves after the 101 (its head in `head`); collects server frames (with their RSV bits). */
export function rawWs(port, protocol, path, extensions) {
  return new Promise((res, rej) => {
    const s = net.connect(port, HOST);
    let buf = Buffer.alloc(0), upgraded = false;
    const frames = [];
    const api = { s, frames, closed: false, waiters: [] };
    const wake = () => { for (const w of api.waiters.splice(0)) w(); };
    s.on('connect', () => s.write(upgradeRequest(protocol, path, extensions)));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const e = buf.indexOf('\r\n\r\n');
        if (e < 0) return;
        const head = buf.subarray(0, e).toString();
        if (!head.startsWith('HTTP/1.1 101')) { rej(new Error(head)); return; }
        upgraded = true;
        api.head = head;
        buf = buf.subarray(e + 4);
        res(api);
      }
      for (;;) {
        if (buf.length < 2) break;
        let len = buf[1] & 127, at = 2;
        if (len === 126) { len = buf.readUInt16BE(2); at = 4; } else if (len === 127) { len = Number(buf.readBigUInt64BE(2)); at = 10; }
        if (buf.length < at + len) break;
        frames.push({ opcode: buf[0] & 15, fin: !!(buf[0] & 0x80), rsv: (buf[0] >> 4) & 7, payload: buf.subarray(at, at + len) });
        buf = buf.subarray(at + len);
      }
      wake();
    });
    s.on('error', () => {});
    s.on('close', () => { api.closed = true; wake(); });
  });
}

export async function until(api, pred, ms = 5000) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => { api.waiters.push(r); setTimeout(r, 50); });
  return pred();
}

export const closeCodeOf = (api) => {
  const c = api.frames.find((f) => f.opcode === 8);
  return c ? (c.payload.length >= 2 ? c.payload.readUInt16BE(0) : 1005) : 0;
};

