// The host seam (HostIo) as src/host/moddable.ts builds it over the board's module names, on the
// simulator's implementations of them (hosts/lin: tcp.c, udp.c, net.c, rng.c, listener.c):
// test/fixtures/host/seam runs to its end and reports JSON lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { join } from 'node:path';
import { processManifest, repositoryRoot, simulatorPath } from '../../tools/manifest.mjs';
import { simulatorArgs } from '../../tools/boards.mjs';

const simulator = simulatorPath;

/** A port nothing listens on (TCP) or is bound to (UDP), found by binding and letting go. */
async function freePort(kind) {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise((resolve) => s.bind(0, '127.0.0.1', resolve));
    const { port } = s.address();
    await new Promise((resolve) => s.close(resolve));
    return port;
  }
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('the host seam on the simulator: connect, UDP, resolve, random, iface (src/host/moddable.ts)', function () {
  let steps;
  before(async function () {
    const app = processManifest(join(repositoryRoot, 'test', 'fixtures', 'host', 'seam', 'manifest.json'), {
      name: 'test-host-seam', overrides: { closedPort: await freePort('tcp'), udpPort: await freePort('udp') }, warn: () => {},
    });
    const r = spawnSync(simulator, ['--quiet', '--map', app.mapPath, '--entry', app.entry, '--resources', app.resourcesDir,
      ...simulatorArgs({ manifestCreation: app.creation })], { encoding: 'utf8', timeout: 15000 });
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
    steps = new Map(r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).map((o) => [o.step, o]));
  });

  it('random() fills 16 bytes from the host\'s source (Moddable rng), different each time', function () {
    assert.deepEqual(steps.get('random'), { step: 'random', length: 16, differ: true, nonzero: true });
  });

  it('resolve() answers later, in order: a literal, localhost, and no address for a name longer than lwIP takes', function () {
    assert.deepEqual(steps.get('resolve').answers, [
      { host: '127.0.0.1', address: '127.0.0.1', later: true },
      { host: 'localhost', address: '127.0.0.1', later: true },
      { host: '300 chars', address: null, later: true },
    ]);
  });

  it('connect() reaches our own listener, carries bytes both ways with its target; a refusal is onError; a host name throws', function () {
    assert.deepEqual(steps.get('connected'), { step: 'connected', writable: true, target: 'client side' });
    assert.deepEqual(steps.get('echo'), { step: 'echo', reply: 'echo hello' });
    assert.equal(steps.get('client error'), undefined);
    assert.deepEqual(steps.get('refused'), { step: 'refused', error: true, bad: 'invalid address' });
  });

  it('udp() sends a datagram one socket reads with its sender, once announced', function () {
    assert.deepEqual(steps.get('udp'), { step: 'udp', count: 1, data: 'ping', address: '127.0.0.1', port: true, target: 'udp receiver', again: null });
  });

  it('a vhost iface is refused with a RangeError naming it (the board\'s listener binds every interface); 0.0.0.0 is every interface', function () {
    const r = steps.get('iface');
    assert.equal(r.threw, true);
    assert.match(r.message, /vhost iface 127\.0\.0\.1 .*binds every interface/);
    assert.deepEqual(steps.get('iface any'), { step: 'iface any', port: true });
  });
});
