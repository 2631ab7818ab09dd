// examples/: each firmware runs in the simulator, as a user runs it (its manifest includes
// manifest_include.json, its main imports "xsws"), and does what its README line says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startSim, curl, repositoryRoot, HOST } from './sim.mjs';

const examples = join(repositoryRoot, 'examples');

/** `xsws zip` as the example's README says. */
function zip(from, to) {
  const r = spawnSync(process.execPath, [join(repositoryRoot, 'tools', 'xsws.mjs'), 'zip', join(examples, from), join(examples, to)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** One WebSocket message each way. */
function echoOnce(port, protocol, message) {
  return new Promise((resolve, reject) => {
    const w = new WebSocket(`ws://${HOST}:${port}/`, protocol);
    const timer = setTimeout(() => { w.terminate(); reject(new Error('no echo in 10 s')); }, 10000);
    w.on('open', () => w.send(message));
    w.on('message', (data, isBinary) => { clearTimeout(timer); w.close(); resolve({ data: Buffer.from(data), isBinary, protocol: w.protocol }); });
    w.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

describe('examples/ in the simulator', function () {
  this.timeout(60000);
  let sim;
  afterEach(async () => { await sim?.stop(); sim = null; });

  it('http-minimal answers every request from its CALLBACK mount', async () => {
    sim = await startSim(['--manifest', join(examples, 'http-minimal', 'manifest.json')]);
    const r = await curl(['-s', '-i', `http://${HOST}:${sim.port}/any/path?x=1`]);
    assert.match(r.stdout, /^HTTP\/1\.1 200/);
    assert.match(r.stdout, /Content-Type: text\/plain/i);
    assert.match(r.stdout, /hello from xsws: GET \/any\/path\r?\n?$/);
  });

  it('ws-echo serves its page from the zip and echoes text and binary messages, large ones too', async () => {
    zip('ws-echo/www', 'ws-echo/build/www.zip');
    sim = await startSim(['--manifest', join(examples, 'ws-echo', 'manifest.json')]);
    const page = await curl(['-s', `http://${HOST}:${sim.port}/`]);
    assert.match(page.stdout, /Hello from xsws/);
    const text = await echoOnce(sim.port, 'echo', 'hello');
    assert.deepEqual([text.data.toString(), text.isBinary, text.protocol], ['hello', false, 'echo']);
    // larger than a read and the socket's buffers: it comes back in pieces under flow control
    const big = Buffer.alloc(200000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
    const binary = await echoOnce(sim.port, 'echo', big);
    assert.equal(binary.isBinary, true);
    assert.ok(binary.data.equals(big), 'the 200,000-byte message came back whole');
  });

  it('zip-files serves a site from a zip: index files, types, caching, gzip to a client that takes it', async () => {
    zip('zip-files/www', 'zip-files/build/site.zip');
    sim = await startSim(['--manifest', join(examples, 'zip-files', 'manifest.json')]);
    const index = await curl(['-s', '-i', `http://${HOST}:${sim.port}/`]);
    assert.match(index.stdout, /^HTTP\/1\.1 200/);
    assert.match(index.stdout, /Cache-Control: max-age=300/i);
    assert.match(index.stdout, /Served from a zip/);
    const css = await curl(['-s', '-i', `http://${HOST}:${sim.port}/style.css`]);
    assert.match(css.stdout, /Content-Type: text\/css/i);
    const docs = await curl(['-s', `http://${HOST}:${sim.port}/docs/`]);
    assert.match(docs.stdout, /defaultIndex/);
    const gz = await curl(['-s', '-i', '-H', 'Accept-Encoding: gzip', `http://${HOST}:${sim.port}/style.css`]);
    assert.match(gz.stdout, /Content-Encoding: gzip/i);
    const missing = await curl(['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${HOST}:${sim.port}/nope.html`]);
    assert.equal(missing.stdout, '404');
  });
});
