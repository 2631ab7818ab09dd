// Helpers for the integration tests: start a firmware on the XS simulator, talk raw HTTP/1.1 over
// loopback TCP, parse responses, run curl. Node built-ins only. All traffic goes to 127.0.0.1.
import { spawn, execFile } from 'node:child_process';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moddableCommand } from '../../tools/moddable-lin.mjs';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST = '127.0.0.1';

/**
 * `npm run test:moddable` runs these tests against the demo built with the user's Moddable SDK
 * and run in Moddable's own Linux simulator (mcsim) instead of ours (tools/test-moddable.mjs).
 */
export const ON_MODDABLE = process.env.XSWS_TARGET === 'moddable';
/** Time limits are multiplied by this there: Moddable's Linux sockets are polled every 20 ms. */
export const TIME_SCALE = Number(process.env.XSWS_TIME_SCALE) || 1;

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)\//;

/**
 * Run `node tools/xsws.mjs run --port 0 ...args` (cwd: the repository root) and wait for the
 * firmware's "listening on" line. Resolves { port, log(), stop(), exited }; rejects with the
 * log when the simulator exits or says nothing in time (e.g. "memory full" at start-up).
 * With ON_MODDABLE, the same firmware and config overrides run in Moddable's mcsim.
 */
export function startSim(args = [], { startTimeoutMs = 20000 } = {}) {
  const command = ON_MODDABLE
    ? moddableCommand(args)
    : { file: process.execPath, args: [join(repositoryRoot, 'tools', 'xsws.mjs'), 'run', '--port', '0', ...args], env: process.env };
  if (ON_MODDABLE) startTimeoutMs = Math.max(startTimeoutMs, 120000);	// the first run of a config builds it
  const child = spawn(command.file, command.args, {
    cwd: repositoryRoot,
    env: command.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,	// its own process group: stop() ends everything it started together
  });
  let text = '';
  let exitInfo = null;
  let stopping = false;
  const exited = new Promise((res) => child.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    // a simulator that dies under a test says why (a stack overflow names the JS calls)
    if (!stopping && text) process.stderr.write(`\nsimulator exited (${signal ?? code}) while in use; its last output:\n${text.slice(-4000)}\n`);
    res(exitInfo);
  }));
  const stop = async () => {
    stopping = true;
    if (exitInfo) return exitInfo;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    const r = await exited;
    clearTimeout(t);
    return r;
  };
  return new Promise((res, rej) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      stop();
      rej(new Error(`simulator did not start in ${startTimeoutMs} ms:\n${text}`));
    }, startTimeoutMs);
    const onData = (b) => {
      text += b.toString();
      if (text.length > 1 << 20) text = text.slice(-(1 << 19));
      const m = LISTENING.exec(text);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        res({ port: Number(m[1]), log: () => text, stop, exited, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const err = new Error(`simulator exited (${signal ?? code}) before listening:\n${text}`);
      err.log = text;
      rej(err);
    });
  });
}

/** Parse as many complete HTTP/1.1 responses as `buf` holds. `methods[i]` is the i-th request's method. */
export function parseResponses(buf, methods = []) {
  const out = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (headEnd < 0) break;
    const head = buf.subarray(pos, headEnd).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/(\d\.\d) (\d{3}) ?(.*)$/.exec(statusLine);
    if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
    const status = Number(m[2]);
    const headers = {};
    for (const l of lines) {
      const c = l.indexOf(':');
      const k = l.slice(0, c).toLowerCase();
      const v = l.slice(c + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    const method = methods[out.length] ?? 'GET';
    let p = headEnd + 4;
    let body;
    if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts = [];
      let complete = false;
      for (;;) {
        const le = buf.indexOf('\r\n', p, 'latin1');
        if (le < 0) break;
        const size = parseInt(buf.subarray(p, le).toString('latin1'), 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        if (size === 0) {
          // last-chunk, optional trailer fields, then an empty line
          const te = buf.indexOf('\r\n\r\n', le, 'latin1');
          if (te < 0) break;
          p = te + 4;
          complete = true;
          break;
        }
        if (le + 2 + size + 2 > buf.length) break;
        parts.push(buf.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (p + n > buf.length) break;
      body = buf.subarray(p, p + n);
      p += n;
    } else {
      // delimited by close: all that is left
      body = buf.subarray(p);
      p = buf.length;
    }
    out.push({ status, reason: m[3], version: m[1], headers, body, head });
    pos = p;
  }
  return { responses: out, rest: buf.subarray(pos) };
}

/**
 * One connection: write `data` (string or Buffer, or an array of pieces written in turn), then
 * read until `count` responses are complete, the peer closes, or `timeoutMs` passes. With
 * `thenEnd`, after `count` responses it ends its side and reads on until the server closes.
 * Resolves { responses, raw, closed, error, ms } (error: e.g. 'ECONNRESET').
 */
export function exchange(port, data, { count = 1, methods = [], timeoutMs = 5000, keepOpen = false, thenEnd = false } = {}) {
  return new Promise((res) => {
    const started = Date.now();
    const sock = net.connect(port, HOST);
    let raw = Buffer.alloc(0);
    let error = null;
    let closed = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      let parsed = { responses: [] };
      try { parsed = parseResponses(raw, methods); } catch (e) { error = error ?? `parse: ${e.message}`; }
      if (!keepOpen) sock.destroy();
      res({ responses: parsed.responses, raw, closed, error, ms: Date.now() - started, socket: sock });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (b) => {
      raw = Buffer.concat([raw, b]);
      if (count > 0) {
        try {
          if (parseResponses(raw, methods).responses.length >= count) {
            // thenEnd: half-close like a polite client and wait for the server's close
            if (thenEnd) { if (!sock.writableEnded) sock.end(); } else finish();
          }
        } catch { /* wait for more */ }
      }
    });
    sock.on('error', (e) => { error = e.code ?? e.message; });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('connect', () => {
      for (const piece of Array.isArray(data) ? data : [data]) sock.write(piece);
    });
  });
}

/** A keep-alive client: sequential requests on one socket. */
export class Conn {
  constructor(port) {
    this.port = port;
    this.raw = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.waiter = null;
  }

  open(timeoutMs = 5000) {
    return new Promise((res, rej) => {
      this.sock = net.connect(this.port, HOST);
      const t = setTimeout(() => rej(new Error('connect timed out')), timeoutMs);
      this.sock.on('connect', () => { clearTimeout(t); res(this); });
      this.sock.on('data', (b) => { this.raw = Buffer.concat([this.raw, b]); this.waiter?.(); });
      this.sock.on('error', (e) => { this.error = e.code ?? e.message; clearTimeout(t); rej(e); this.waiter?.(); });
      this.sock.on('close', () => { this.closed = true; this.waiter?.(); });
    });
  }

  write(data) {
    this.sock.write(data);
  }

  /** Send `data`, resolve with the next `count` responses (rejects on close or timeout). */
  request(data, { method = 'GET', count = 1, timeoutMs = 5000 } = {}) {
    if (data) this.sock.write(data);
    const methods = Array(count).fill(method);
    return new Promise((res, rej) => {
      const check = () => {
        let parsed;
        try { parsed = parseResponses(this.raw, methods); } catch (e) { done(); rej(e); return; }
        if (parsed.responses.length >= count) {
          done();
          // keep what belongs to later responses
          const used = this.raw.length - parsed.rest.length;
          const mine = parseResponses(this.raw.subarray(0, used), methods).responses.slice(0, count);
          this.raw = this.raw.subarray(used);
          res(count === 1 ? mine[0] : mine);
        } else if (this.closed || this.error) {
          done();
          rej(new Error(`connection ${this.error ?? 'closed'} with ${parsed.responses.length}/${count} responses`));
        }
      };
      const t = setTimeout(() => { done(); rej(new Error(`no response in ${timeoutMs} ms`)); }, timeoutMs);
      const done = () => { clearTimeout(t); this.waiter = null; };
      this.waiter = check;
      check();
    });
  }

  close() {
    this.sock?.destroy();
  }
}

/** A GET with the usual headers. */
export function get(path, extra = '') {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
}

/** Run curl; resolves { code, stdout, stderr }. */
export function curl(args, { timeoutMs = 10000 } = {}) {
  return new Promise((res) => {
    execFile('curl', ['--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], { encoding: 'latin1', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => res({ code: err ? err.code ?? 1 : 0, stdout, stderr }));
  });
}

/** GET /status.json on a fresh connection (the server runs a GC first). */
export async function status(port) {
  const r = await exchange(port, get('/status.json', 'Connection: close\r\n'), { timeoutMs: 5000 });
  if (!r.responses.length) throw new Error(`no status (${r.error ?? 'closed'})`);
  return JSON.parse(r.responses[0].body.toString());
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
