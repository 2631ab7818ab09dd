// Tests of the Linux simulator (hosts/lin, build/lin/xsws-sim) on tiny firmwares in
// test/fixtures/host/. Real loopback TCP; every loop is bounded in count and time.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { processManifest, repositoryRoot, simulatorPath } from '../../tools/manifest.mjs';
import { boardProfile, creationSizes, simulatorArgs } from '../../tools/boards.mjs';
import { execFileSync } from 'node:child_process';

const simulator = simulatorPath;
const fixtures = join(repositoryRoot, 'test', 'fixtures', 'host');

function prepare(name, overrides = {}) {
  return processManifest(join(fixtures, name, 'manifest.json'), {
    name: `test-host-${name}`, overrides, warn: () => {},
  });
}

function simArgs(app, extra = []) {
  const sizes = creationSizes(app.creation);
  return ['--quiet', '--map', app.mapPath, '--entry', app.entry, '--resources', app.resourcesDir,
    '--slots', String(sizes.heap), '--chunk', String(sizes.chunk), '--stack', String(sizes.stack), ...extra];
}

/** Run a firmware to completion (bounded by timeout): {status, stdout, stderr}. */
function runToEnd(name, { extra = ['--fixed'], timeout = 15000, overrides } = {}) {
  const app = prepare(name, overrides);
  const result = spawnSync(simulator, simArgs(app, extra), { encoding: 'utf8', timeout });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Start a server firmware; resolves once it printed "listening <port>". */
function startServer(name, extra = ['--fixed']) {
  const app = prepare(name, { port: 0 });
  const child = spawn(simulator, simArgs(app, extra), { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { child, stdout: '', stderr: '', port: 0 };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => { server.stderr += text; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line: ${server.stderr}`)), 10000);
    child.stdout.on('data', (text) => {
      server.stdout += text;
      const match = /listening (\d+)/.exec(server.stdout);
      if (match && !server.port) {
        server.port = Number(match[1]);
        clearTimeout(timer);
        resolve(server);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!server.port) reject(new Error(`exited ${code}: ${server.stderr}`));
    });
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      resolve(server.child.exitCode);
      return;
    }
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    server.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    server.child.kill('SIGTERM');
  });
}

function pattern(length, seed) {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buffer[i] = (i * 31 + seed + (i >> 8)) & 0xFF;
  return buffer;
}

/** Send data, collect the same number of bytes back (bounded by timeout). */
function echo(port, data, timeout = 15000) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let received = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`echo timed out after ${received} of ${data.length} bytes`));
    }, timeout);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= data.length) {
        clearTimeout(timer);
        socket.end();
        resolve(Buffer.concat(chunks));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** CPU time (user + system, in clock ticks) a process has used so far. */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client that sends `x` and records what comes back. */
function backlogClient(port) {
  const client = { socket: null, reply: '', error: null };
  client.socket = net.connect(port, '127.0.0.1', () => client.socket.write('x'));
  client.socket.setEncoding('latin1');
  client.socket.on('data', (text) => { client.reply += text; });
  client.socket.on('error', (error) => { client.error = error; });
  return client;
}

async function waitFor(predicate, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!predicate() && Date.now() < deadline) await sleep(10);
  return predicate();
}

describe('hosts/lin simulator', function () {
  this.timeout(30000);

  before(function () {
    const result = spawnSync(simulator, ['--version'], { encoding: 'utf8' });
    if (result.error) throw new Error(`${simulator} missing: run "npm run build" (${result.error.message})`);
  });

  it('--version names XS 13.3.0, its LGPL licence and the npm source', function () {
    const result = spawnSync(simulator, ['--version'], { encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^xsws-sim \S+ .*XS 13\.3\.0/);
    assert.match(result.stdout, /LGPL-3\.0-or-later/);
    assert.match(result.stdout, /@agoric\/xsnap 0\.15\.0/);
    assert.match(result.stdout, /MIT/);
  });

  it('usage errors exit 2', function () {
    const result = spawnSync(simulator, ['--bogus'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: xsws-sim/);
  });

  describe('TCP echo server (Listener + TCP)', function () {
    let server;
    before(async function () {
      server = await startServer('echo');
    });
    after(async function () {
      const status = await stopServer(server);
      assert.equal(status, 0, `SIGTERM should exit 0; stderr: ${server.stderr}`);
    });

    it('echoes 1 MB correctly through partial writes', async function () {
      const data = pattern(1 << 20, 1);
      const back = await echo(server.port, data);
      assert.equal(back.length, data.length);
      assert.ok(back.equals(data), 'echoed bytes differ');
    });

    it('serves 50 concurrent clients', async function () {
      const sends = [];
      for (let i = 0; i < 50; i++) sends.push(pattern(20000 + i * 100, i));
      const backs = await Promise.all(sends.map((data) => echo(server.port, data)));
      backs.forEach((back, i) => assert.ok(back.equals(sends[i]), `client ${i} got different bytes`));
    });

    it('an exception in onReadable is reported with its stack and the server keeps serving', async function () {
      await new Promise((resolve) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.write('!boom'));
        socket.on('error', () => {});
        socket.on('data', () => {});
        setTimeout(() => { socket.destroy(); resolve(); }, 300);
      });
      const deadline = Date.now() + 5000;
      while (!server.stderr.includes('boom in onReadable') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.match(server.stderr, /Error: boom in onReadable/);
      assert.match(server.stderr, /main\.js:\d+/, 'stack line with file:line');
      const data = pattern(100000, 7);
      assert.ok((await echo(server.port, data)).equals(data));
    });
  });

  it('at max connections peers wait in the listen backlog (not reset), without busy looping', async function () {
    const server = await startServer('backlog');
    const clients = [];
    try {
      for (let i = 0; i < 4; i++) clients.push(backlogClient(server.port));
      assert.ok(await waitFor(() => clients[0].reply && clients[1].reply), 'first two served');
      assert.deepEqual([clients[0].reply, clients[1].reply].sort(), ['ok1', 'ok2']);
      const before = cpuTicks(server.child.pid);
      await sleep(500);
      const used = cpuTicks(server.child.pid) - before;
      assert.ok(used < 15, `simulator used ${used} ticks of CPU while waiting (busy loop?)`);
      assert.equal(clients[2].reply + clients[3].reply, '', 'third and fourth wait');
      assert.equal(clients[2].error ?? clients[3].error, null, 'waiting peers are not reset');
      clients[0].socket.end();
      assert.ok(await waitFor(() => clients[2].reply || clients[3].reply), 'a waiting peer is served after a close');
      clients[1].socket.end();
      assert.ok(await waitFor(() => clients[2].reply && clients[3].reply), 'both waiting peers served');
      assert.deepEqual([clients[2].reply, clients[3].reply].sort(), ['ok3', 'ok4']);
    } finally {
      clients.forEach((client) => client.socket.destroy());
      await stopServer(server);
    }
  });

  /** The semantics fixture (one scenario per connection, JSON lines): simulator options of `args(app)`. */
  async function startSemantics(args) {
    const app = prepare('semantics', { port: 0, heldPort: 0, flood: 100000 });
    const child = spawn(simulator, args(app), { stdio: ['ignore', 'pipe', 'pipe'] });
    const fixture = { server: { child, stderr: '' }, lines: [] };
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const parts = text.split('\n');
      text = parts.pop();
      for (const line of parts) if (line.trim()) fixture.lines.push(JSON.parse(line));
    });
    child.stderr.on('data', (chunk) => { fixture.server.stderr += chunk; });
    assert.ok(await waitFor(() => fixture.lines.some((l) => l.heldPort), 10000), `no start: ${fixture.server.stderr}`);
    fixture.ports = fixture.lines.find((l) => l.heldPort);
    fixture.seen = (predicate, timeout = 5000) => waitFor(() => fixture.lines.some(predicate), timeout).then(() => fixture.lines.filter(predicate));
    return fixture;
  }

  const open = (port) => new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });

  /** Scenario F: 100,000 bytes the server does not read for 500 ms; `reply()` is what it sends back. */
  async function flood(port) {
    const socket = await open(port);
    const bytes = Buffer.alloc(100000, 3);
    bytes[0] = 'F'.charCodeAt(0);
    let reply = '';
    socket.on('data', (b) => { reply += b; });
    socket.write(bytes);
    return { socket, reply: () => reply };
  }

  describe('the board\'s socket semantics (Moddable lwIP tcp.c), as hosts/lin/README.md tabulates', function () {
    let server;
    let lines = [];
    let ports;
    let seen;

    before(async function () {
      ({ server, lines, ports, seen } = await startSemantics((app) => simArgs(app, ['--fixed'])));
    });
    after(async function () {
      await stopServer(server);
    });

    it('no pause() on TCP or Listener', function () {
      assert.deepEqual(lines[0], { tcpPause: 'undefined', listenerPause: 'undefined' });
    });

    it('write() is all or nothing within the reported space (8192, lwIP TCP_SND_BUF) and throws past it', async function () {
      const socket = await open(ports.port);
      socket.on('data', () => {});
      socket.write('W');
      const [r] = await seen((l) => l.scenario === 'W');
      socket.destroy();
      assert.equal(r.count, 8192);
      assert.equal(r.over, 'would block', 'one byte over the space');
      assert.equal(r.left, 0, 'write() returns the space left');
      assert.equal(r.more, 'would block', 'no space left');
      const [again] = await seen((l) => l.scenario === 'W' && l.stage === 'writable again');
      assert.ok(again.count > 0 && again.count <= 8192, `once bytes are taken, onWritable reports the room again (${again.count})`);
    });

    it('the peer\'s close is delivered only after the buffered bytes are read; write() then throws "not ready"', async function () {
      const socket = await open(ports.port);
      socket.end(Buffer.concat([Buffer.from('E'), Buffer.alloc(100, 7)]));
      socket.on('data', () => {});
      socket.on('error', () => {});
      const r = await seen((l) => l.scenario === 'E' && l.stage === 'after');
      const [before] = lines.filter((l) => l.scenario === 'E' && l.stage === 'before read');
      const [read] = lines.filter((l) => l.scenario === 'E' && l.stage === 'read');
      assert.equal(before.errors, 0, 'no onError while 100 bytes wait unread');
      assert.equal(before.write, 'not ready', 'the close was noted: writes are refused');
      assert.deepEqual(before.counts, [100]);
      assert.equal(read.bytes, 100);
      assert.equal(read.errors, 0, 'onError comes after read(), on the next turn');
      assert.equal(read.again, undefined, 'nothing left: read() returns undefined');
      assert.equal(r[0].errors, 1);
    });

    it('a reset with bytes unread: the error waits for the drain too', async function () {
      const socket = await open(ports.port);
      socket.on('error', () => {});
      socket.write(Buffer.concat([Buffer.from('R'), Buffer.alloc(50, 1)]));
      await sleep(100);
      socket.resetAndDestroy();
      const r = await seen((l) => l.scenario === 'R' && l.stage === 'after');
      const [first] = lines.filter((l) => l.scenario === 'R' && !l.stage);
      assert.equal(first.errorsBefore, 0);
      assert.equal(first.write, 'not ready');
      assert.equal(first.bytes, 50, 'the bytes received before the reset are still read');
      assert.equal(r[0].errors, 1);
    });

    it('close() with received bytes unread sends RST (lwIP tcp_close)', async function () {
      const socket = await open(ports.port);
      const error = new Promise((resolve) => {
        socket.on('error', (e) => resolve(e.code));
        socket.on('close', () => resolve('closed'));
      });
      socket.write('C');
      await sleep(20);
      socket.write('unread');
      assert.equal(await error, 'ECONNRESET');
    });

    it('onReadable reports at most the window (8192, lwIP TCP_WND) while nothing is read: TCP pushes back', async function () {
      const { socket, reply } = await flood(ports.port);
      const [held] = await seen((l) => l.scenario === 'F' && l.stage === 'held');
      assert.ok(held.max <= 8192 && held.max > 0, `largest report ${held.max}`);
      const [done] = await seen((l) => l.scenario === 'F' && l.total);
      assert.equal(done.total, 100000);
      assert.ok(await waitFor(() => reply() === 'OK'));
      socket.destroy();
    });

    it('a listener holds new connections for read() and announces only arrivals, with the count held', async function () {
      const clients = [];
      for (let i = 0; i < 3; i++) {
        const c = await open(ports.heldPort);
        c.reply = '';
        c.on('data', (b) => { c.reply += b; });
        clients.push(c);
        await sleep(100);
      }
      await sleep(300);
      const control = await open(ports.port);
      control.write('L');
      const [r] = await seen((l) => l.scenario === 'L');
      control.destroy();
      assert.deepEqual(r.heldCounts, [1, 2, 3], 'one report per arrival, none repeated');
      assert.equal(r.taken, 3);
      assert.ok(await waitFor(() => clients.every((c) => c.reply)));
      assert.deepEqual(clients.map((c) => c.reply), ['1', '2', '3'], 'oldest first');
      clients.forEach((c) => c.destroy());
    });
  });

  // Sized as on the board: each profile's lwIP figures (hosts/boards.json), seen from outside
  for (const board of ['esp32', 'esp32s3']) {
    describe(`lwIP's sizes and pools of the ${board} profile`, function () {
      const { lwip } = boardProfile(board);
      let server;
      let lines = [];
      let ports;
      let seen;

      before(async function () {
        ({ server, lines, ports, seen } = await startSemantics((app) => ['--quiet', '--map', app.mapPath, '--entry', app.entry,
          '--resources', app.resourcesDir, ...simulatorArgs({ board, manifestCreation: app.creation })]));
      });
      after(async function () {
        await stopServer(server);
      });

      it(`the writable space is the send buffer (${lwip.sndBuf}, TCP_SND_BUF) and never more`, async function () {
        const socket = await open(ports.port);
        socket.on('data', () => {});
        socket.write('W');
        const [r] = await seen((l) => l.scenario === 'W' && !l.stage);
        const [again] = await seen((l) => l.scenario === 'W' && l.stage === 'writable again');
        socket.destroy();
        assert.equal(r.count, lwip.sndBuf);
        assert.ok(again.count > 0 && again.count <= lwip.sndBuf, `onWritable ${again.count}`);
      });

      it(`a reader that stalls pushes the peer back after about the window (${lwip.wnd}, TCP_WND)`, async function () {
        const { socket, reply } = await flood(ports.port);
        await sleep(250);
        // what the server side holds: the host's bytes for read() plus the kernel's (ss Recv-Q)
        const row = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${ports.port} and dport = :${socket.localPort} )`], { encoding: 'utf8' }).trim();
        const kernel = Number(row.split(/\s+/)[0]);
        const [held] = await seen((l) => l.scenario === 'F' && l.stage === 'held');
        const total = held.max + kernel;
        this.test.title += ` [held ${held.max} + kernel ${kernel} = ${total} bytes]`;
        assert.equal(held.max, lwip.wnd, 'the host holds a window for read()');
        assert.ok(Number.isInteger(kernel) && total >= lwip.wnd && total <= lwip.wnd + lwip.mss, `the server took ${total} bytes`);
        const [done] = await seen((l) => l.scenario === 'F' && l.total);
        assert.equal(done.total, 100000);
        assert.ok(await waitFor(() => reply() === 'OK'));
        socket.destroy();
      });

      it(`at most ${lwip.listenPcbs} listeners (MEMP_NUM_TCP_PCB_LISTEN): one more throws "no memory"`, function () {
        const r = lines.find((l) => l.listeners !== undefined);
        assert.deepEqual(r, { listeners: lwip.listenPcbs, listenerError: 'no memory' });
      });
    });
  }

  it('UDP as on the board: lwIP\'s pool of UDP pcbs, IPv4 literals only, onReadable with the count queued, replies to the sender', async function () {
    const client = dgram.createSocket('udp4');
    await new Promise((resolve) => client.bind(0, '127.0.0.1', resolve));
    const probe = dgram.createSocket('udp4');
    await new Promise((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    const app = prepare('udp', { port });
    const child = spawn(simulator, ['--quiet', '--map', app.mapPath, '--entry', app.entry, '--resources', app.resourcesDir,
      ...simulatorArgs({ manifestCreation: app.creation })], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = { child, stderr: '' };
    const lines = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { for (const line of chunk.split('\n')) if (line.trim()) lines.push(JSON.parse(line)); });
    child.stderr.on('data', (chunk) => { server.stderr += chunk; });
    try {
      assert.ok(await waitFor(() => lines.some((l) => 'pool' in l)), `no start: ${server.stderr}`);
      const { udpPcbs } = boardProfile().lwip;
      assert.deepEqual(lines.find((l) => 'pool' in l), { pool: udpPcbs, error: 'no socket', address: 'invalid IP address' });
      const replies = [];
      client.on('message', (message, from) => replies.push([message.toString(), from.port]));
      // three datagrams in one go: queued in one loop turn, announced once with the count
      for (const text of ['a', 'bb', 'ccc']) client.send(text, port, '127.0.0.1');
      assert.ok(await waitFor(() => replies.length === 3), `replies: ${JSON.stringify(replies)} ${server.stderr}`);
      assert.deepEqual(replies.map((r) => r[0]).sort(), ['echo:a', 'echo:bb', 'echo:ccc']);
      assert.ok(replies.every((r) => r[1] === port), 'replies come from the bound port');
      const counts = lines.filter((l) => 'readable' in l).map((l) => l.readable);
      // each delivery reads everything queued: the counts are the arrivals of each turn, 3 in all
      assert.equal(counts.reduce((a, b) => a + b, 0), 3, `onReadable counts ${counts}`);
    } finally {
      client.close();
      await stopServer(server);
    }
  });

  it('outgoing TCP: connect, write, read to end of stream; connection refused gives onError', async function () {
    const peer = net.createServer((socket) => socket.on('data', (data) => socket.end(`world:${data}`)));
    await new Promise((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const closed = net.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    try {
      const app = prepare('client', { serverPort: peer.address().port, closedPort });
      const child = spawn(simulator, simArgs(app, ['--fixed']), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (data) => { stdout += data; });
      child.stderr.on('data', (data) => { stderr += data; });
      const status = await new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
      });
      assert.equal(status, 0, stderr);
      assert.match(stdout, /connected writable 8192 remote 127\.0\.0\.1:true/);
      assert.match(stdout, /reply world:hello/);
      assert.match(stdout, /refused ok/);
      assert.doesNotMatch(stdout, /unexpected/);
    } finally {
      peer.close();
    }
  });

  it('file: write, read as String and ArrayBuffer, position, rename, Iterator, delete', function () {
    const dir = mkdtempSync(join(tmpdir(), 'xsws-files-'));
    try {
      const result = runToEnd('files', { overrides: { dir } });
      assert.equal(result.status, 0, result.stderr);
      const r = JSON.parse(result.stdout);
      assert.equal(r.length, Buffer.byteLength('hello wörld!\n'));
      assert.equal(r.text, 'hello wörld!\n');
      assert.deepEqual(r.bytes, [...Buffer.from('wö')]);
      assert.equal(r.position, 9);
      assert.equal(r.exists, true);
      assert.equal(r.renamed, true);
      assert.deepEqual(r.existsAfterRename, [false, true]);
      assert.equal(r.missingThrows, true);
      assert.equal(r.directoryThrows, true);
      assert.deepEqual(r.entries, [`b.txt:${r.length}`, 'sub:undefined']);
      assert.equal(r.deleted, true);
      assert.equal(r.existsAfterDelete, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs timers in order; Timer.clear, clearTimeout, clearInterval, Timer.schedule work', function () {
    const result = runToEnd('timers');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'micro,t0,iv1,iv2,r0,t17,r1,stxy,r2,t50,rescheduled');
  });

  it('a start-up exception exits 1 with its message', function () {
    const result = runToEnd('startup-error');
    assert.equal(result.status, 1);
    assert.match(result.stdout, /helper ran/);
    assert.match(result.stderr, /startup failure in main/);
    assert.match(result.stderr, /main\.js:3/);
  });

  it('a missing module is named', function () {
    const result = runToEnd('missing-module');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /module "no\/such\/module" not found/);
  });

  it('a syntax error names file and line', function () {
    const result = runToEnd('syntax-error');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /SyntaxError: \S*bad\.js:2: /);
  });

  it('--fixed: exhausting the board heap aborts with "memory full", exit 3', function () {
    const result = runToEnd('memory');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /memory full/);
    assert.doesNotMatch(result.stdout, /not reached/);
  });

  it('--keys: run-time keys are the board\'s (creation keys.initial, no growth): one more aborts "not enough keys", exit 3', function () {
    const over = runToEnd('keys', { extra: ['--fixed', '--keys', '256'], overrides: { count: 300 } });
    assert.equal(over.status, 3, over.stderr);
    assert.match(over.stderr, /not enough keys/);
    assert.match(over.stdout, /keys 200/);
    const within = runToEnd('keys', { extra: ['--fixed', '--keys', '256'], overrides: { count: 200 } });
    assert.equal(within.status, 0, within.stderr);
    assert.match(within.stdout, /done 200/);
  });

  it('unbounded recursion aborts with "stack overflow", exit 4', function () {
    const result = runToEnd('overflow');
    assert.equal(result.status, 4, result.stderr);
    assert.match(result.stderr, /stack overflow/);
  });

  describe('xsws command line', function () {
    const cli = join(repositoryRoot, 'tools', 'xsws.mjs');

    it('xsws run --help documents --manifest, --port and --desktop-heap', function () {
      const result = spawnSync(process.execPath, [cli, 'run', '--help'], { encoding: 'utf8' });
      assert.equal(result.status, 0);
      for (const option of ['--manifest', '--port', '--desktop-heap', 'key=value']) assert.ok(result.stdout.includes(option), option);
    });

    it('xsws run --port N runs a manifest on the board heap and forwards SIGTERM (exit 0)', async function () {
      const child = spawn(process.execPath, [cli, 'run', '--manifest', join(fixtures, 'echo', 'manifest.json'), '--port', '0'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (data) => { stdout += data; });
      child.stderr.on('data', (data) => { stderr += data; });
      try {
        assert.ok(await waitFor(() => /listening \d+/.test(stdout), 10000), `no listening line: ${stderr}`);
        assert.match(stderr, /XS 13\.3\.0/, 'start-up line names the XS version');
        assert.match(stderr, /4928\+\d+ slots, 78848\+\d+ chunk bytes, stack 512, fixed/);
        const port = Number(/listening (\d+)/.exec(stdout)[1]);
        const data = pattern(5000, 3);
        assert.ok((await echo(port, data)).equals(data));
      } finally {
        const status = await new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
          child.kill('SIGTERM');
        });
        assert.equal(status, 0);
      }
    });
  });

  it('xsws run --profile FILE writes a CPU profile (Chrome DevTools .cpuprofile) of the firmware\'s JS when the run ends', async function () {
    this.timeout(90000);	// the first use builds build/lin/xsws-sim-profile
    const dir = mkdtempSync(join(tmpdir(), 'xsws-profile-'));
    const file = join(dir, 'echo.cpuprofile');
    const child = spawn(process.execPath, [join(repositoryRoot, 'tools', 'xsws.mjs'), 'run', '--manifest', join(fixtures, 'echo', 'manifest.json'),
      '--port', '0', '--profile', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => { stdout += data; });
    child.stderr.on('data', (data) => { stderr += data; });
    try {
      assert.ok(await waitFor(() => /listening \d+/.test(stdout), 60000), `no listening line: ${stderr}`);
      const port = Number(/listening (\d+)/.exec(stdout)[1]);
      for (let i = 0; i < 20; i++) await echo(port, pattern(50000, i));
      const status = await new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
        child.kill('SIGTERM');
      });
      assert.equal(status, 0, stderr);
      assert.match(stderr, /CPU profile written to/);
      const profile = JSON.parse(readFileSync(file, 'utf8'));
      assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 2, 'call tree nodes');
      assert.ok(Array.isArray(profile.samples) && profile.samples.length > 0 && profile.samples.length === profile.timeDeltas.length, 'samples with their time deltas');
      assert.ok(profile.endTime > profile.startTime);
      const names = profile.nodes.map((n) => n.callFrame.functionName);
      assert.ok(names.includes('(host)') && names.includes('(gc)'), 'XS\'s host and gc nodes');
      assert.ok(profile.nodes.some((n) => /main\.js$/.test(n.callFrame.url ?? '') || /main\.js/.test(n.callFrame.functionName)), `a node of the firmware's own file: ${names.slice(0, 30)}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run fit measures a board profile in board bytes (bench/fit.mjs esp32)', function () {
    this.timeout(120000);
    const dir = mkdtempSync(join(tmpdir(), 'xsws-fit-'));
    try {
      const out = join(dir, 'fit.json');
      const r = spawnSync(process.execPath, [join(repositoryRoot, 'bench', 'fit.mjs'), 'esp32'], { encoding: 'utf8', timeout: 110000, env: { ...process.env, FIT_OUT: out } });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      const [row] = JSON.parse(readFileSync(out, 'utf8')).rows;
      assert.equal(row.board, 'esp32');
      assert.equal(row.maxConnections, 7);
      assert.equal(row.wsWithinLwip, 6, 'six idle WebSockets and the status request fill lwIP\'s pool less one');
      assert.ok(row.perKeepAlive > 0 && row.perKeepAlive < 1024, `per keep-alive ${row.perKeepAlive} B`);
      assert.ok(row.perWebSocket > 0 && row.perWebSocket < 1024, `per WebSocket ${row.perWebSocket} B`);
      assert.ok(row.wsUntilFull > row.wsWithinLwip && row.wsUntilFullStopped === 'memory full', `until full: ${row.wsUntilFull} (${row.wsUntilFullStopped})`);
      assert.ok(row.inflating.bytes > 0 && row.inflating.bytes < 4096, `an inflating stream ${row.inflating.bytes} B`);
      this.test.title += ` [at rest ${row.atRest} B, ${row.perKeepAlive} B per keep-alive, ${row.perWebSocket} B per WebSocket, ${row.wsUntilFull} WebSockets to memory full]`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('native modules', function () {
    let output;
    let temporary;
    const text = 'inflate works, '.repeat(200);

    before(function () {
      temporary = mkdtempSync(join(tmpdir(), 'xsws-host-'));
      writeFileSync(join(temporary, 'deflated.bin'), zlib.deflateRawSync(Buffer.from(text)));
      const app = prepare('modules');
      const result = spawnSync(simulator, simArgs({ ...app, resourcesDir: temporary }, ['--fixed']),
        { encoding: 'utf8', timeout: 15000 });
      assert.equal(result.status, 0, result.stderr);
      output = JSON.parse(result.stdout);
    });
    after(function () {
      rmSync(temporary, { recursive: true, force: true });
    });

    it('text/decoder decodes UTF-8 (astral too) and throws with fatal on bad UTF-8', function () {
      assert.equal(output.decoded, 'h\u00e9\u{1F600}');
      assert.equal(output.fatalThrows, true);
      assert.equal(output.lenient, 'a\uFFFDb');
    });

    it('text/encoder encodes UTF-8', function () {
      assert.deepEqual(output.encoded, [0x68, 0xC3, 0xA9]);
    });

    it('logical xor repeats a 4-byte mask (WebSocket masking)', function () {
      const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((b, i) => b ^ [0xFF, 0x00, 0xF0, 0x0F][i % 4]);
      assert.deepEqual(output.xor, expected);
    });

    it('crc: CRC-16/ARC of "123456789" is 0xBB3D (the npm crc module has CRC8/CRC16 only)', function () {
      assert.equal(output.crc16, 0xBB3D);
    });

    it('base64 encodes', function () {
      assert.equal(output.base64, Buffer.from('123456789').toString('base64'));
    });

    it('Resource is a read-only buffer; inflate restores a Node deflateRaw stream', function () {
      assert.equal(output.resourceExists, true);
      assert.equal(output.resourceMissing, false);
      assert.equal(output.resourceLength, zlib.deflateRawSync(Buffer.from(text)).length);
      assert.equal(output.resourceView, output.resourceLength);
      assert.equal(output.resourceWritable, false);
      assert.equal(output.inflated, text);
    });

    it('mc/config carries the manifest config', function () {
      assert.equal(output.config, 'hello');
    });

    it('instrumentation numbers are sane', function () {
      assert.ok(output.slotsUsed > 0);
      assert.ok(output.slotsUsed < output.slotLimit + output.slotBaseline);
      assert.ok(output.chunksUsed > 0);
      assert.ok(output.chunksUsed < output.chunkLimit + output.chunkBaseline);
      assert.equal(output.slotLimit, 4928);
      assert.equal(output.chunkLimit, 78848);
      assert.ok(output.slotBaseline > 3000 && output.slotBaseline < 5000, `baseline ${output.slotBaseline}`);
      assert.ok(output.chunkBaseline > 8000 && output.chunkBaseline < 32000, `baseline ${output.chunkBaseline}`);
      assert.ok(output.slotPeak >= output.slotsUsed);
      assert.ok(output.gcCount >= 1, 'Debug.gc() counted');
      assert.equal(output.sockets, 0);
      assert.equal(output.timers, 0);
      assert.ok(output.moduleCode > 1000, 'module code is kept outside the heap');
      assert.equal(output.unknownName, undefined);
    });
  });
});

describe('README', function () {
  it('"Options and limits" is the table of src/core/options.ts (node tools/options-table.mjs --write remakes it)', async function () {
    const { optionsTables, readmeTables } = await import('../../tools/options-table.mjs');
    assert.equal(readmeTables(), await optionsTables());
  });
});
