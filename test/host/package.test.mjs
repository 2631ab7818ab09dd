// What a new user does, offline: npm pack this repository, npx xsws init a project outside it,
// install the tarball there (which builds the simulator), typecheck the starter against
// @moddable/typings, npm start it and use its page and WebSocket protocol from XS, and
// npx xsws build --target esp32 it. The package's files are checked against an allow-list.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { repositoryRoot } from '../../tools/manifest.mjs';
import { boardNameProblems } from '../support/board-names.mjs';

/** What the package may hold: the firmware's modules and types, the natives, the simulator's sources, the tools a user runs. */
const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^manifest_include\.json$/,
  /^dist\/(src|plugins)\/.+\.(js|d\.ts)$/, /^dist\/alias\/.+\.js$/,
  /^hosts\/boards\.json$/, /^hosts\/common\/(zlib|resolve)\/[^/]+$/, /^hosts\/esp32\/(manifest_xsws\.json|README\.md)$/,
  /^hosts\/lin\/[^/]+\.(c|h|json|md)$/, /^hosts\/lin\/Makefile$/, /^hosts\/lin\/modules\/[^/]+\.js$/,
  /^tools\/(xsws|setup|manifest|boards|esp32|debian|ui|zip-ui|init|pkg)\.mjs$/, /^tools\/starter\/(README\.md|tsconfig\.json)$/,
  /^examples\/ws-echo\/(manifest\.json|src\/[^/]+\.ts|www\/[^/]+)$/,
];
const REQUIRED = ['manifest_include.json', 'dist/alias/xsws.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/host/moddable.js',
  'dist/plugins/lws-mirror.js', 'hosts/lin/Makefile', 'hosts/lin/main.c', 'hosts/common/zlib/xsws_zlib.c', 'tools/xsws.mjs', 'tools/setup.mjs',
  'examples/ws-echo/src/echo.ts', 'CHANGELOG.md', 'LICENSE'];

function run(command, args, options) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout?.slice(-3000)}\n${r.stderr?.slice(-3000)}`);
  return r.stdout;
}

describe('the npm package, as a new user takes it (offline)', function () {
  this.timeout(600000);
  const work = mkdtempSync(join(tmpdir(), 'xsws-package-'));
  const project = join(work, 'my-firmware');
  // npm only from its cache: the repository's own install put everything there
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  let tarball;
  let files;
  let app = null;
  let installed = false;

  after(async () => {
    if (app && app.exitCode === null) {
      try { process.kill(-app.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('npm pack holds what a firmware needs and nothing else (the allow-list)', function () {
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repositoryRoot, env }));
    tarball = join(work, out[0].filename);
    files = out[0].files.map((f) => f.path);
    const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    assert.deepEqual(stray, [], 'files outside the allow-list');
    for (const f of REQUIRED) assert.ok(files.includes(f), `${f} is missing from the package`);
    assert.ok(!files.some((f) => /^(test|bench|src|apps)\//.test(f) || f.startsWith('hosts/lin/fuzz/')), 'no tests, benchmarks or TypeScript sources');
  });

  it('npx xsws init writes a project, and installing the tarball there builds the simulator', function () {
    assert.ok(tarball, 'needs the tarball');
    // npx runs the packed xsws (npm exec: its set-up builds nothing there)
    const said = run('npx', ['--yes', `--package=${tarball}`, 'xsws', 'init', project], { cwd: work, env });
    assert.match(said, /xsws init: wrote .*manifest\.json/);
    for (const f of ['manifest.json', 'src/main.ts', 'src/echo.ts', 'tsconfig.json', 'package.json', 'www/index.html']) assert.ok(existsSync(join(project, f)), f);
    // offline, the registry's packages come as tarballs of the copies this repository installed
    // (npm's cache holds their tarballs but not the metadata to resolve a range), and XS's sources
    // as the tarball this repository's own set-up fetched
    const peers = ['typescript', '@moddable/typings'].map((name) => join(work, JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work, join(repositoryRoot, 'node_modules', name)], { cwd: work, env }))[0].filename));
    run('npm', ['install', tarball, ...peers], { cwd: project, env: { ...env, XSWS_XS_TARBALL: join(repositoryRoot, 'build', 'xs', readdirSync(join(repositoryRoot, 'build', 'xs')).find((f) => f.endsWith('.tgz'))) } });
    assert.ok(existsSync(join(project, 'node_modules', 'xsws', 'build', 'lin', 'xsws-sim')), 'the simulator was built in the installed package');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    assert.match(pkg.dependencies.xsws, /xsws-.*\.tgz$/);
    installed = true;
  });

  it('the starter typechecks against @moddable/typings', function () {
    if (!installed) this.skip();
    run('npm', ['run', 'typecheck'], { cwd: project, env });
  });

  it('npm start serves the starter\'s page and its WebSocket protocol from XS', async function () {
    if (!installed) this.skip();
    app = spawn('npm', ['start', '--', '--port', '0'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    const port = await new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn, value) => { if (!settled) { settled = true; clearTimeout(timer); fn(value); } };
      const timer = setTimeout(() => settle(reject, new Error(`not listening after 120 s:\n${log}`)), 120000);
      const onData = (b) => {
        log += b;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
        if (m) settle(resolve, Number(m[1]));
      };
      app.stdout.on('data', onData);
      app.stderr.on('data', onData);
      app.on('exit', (code) => settle(reject, new Error(`npm start exited ${code}:\n${log}`)));
    });
    assert.match(log, /xsws-sim \d+\.\d+\.\d+, XS .*LGPL-3\.0-or-later/);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Hello from xsws/);
    const echoed = await new Promise((resolve, reject) => {
      const w = new WebSocket(`ws://127.0.0.1:${port}/`, 'echo');
      const timer = setTimeout(() => { w.terminate(); reject(new Error('no echo')); }, 10000);
      w.on('open', () => w.send('from a new project'));
      w.on('message', (data) => { clearTimeout(timer); w.close(); resolve(String(data)); });
      w.on('error', reject);
    });
    assert.equal(echoed, 'from a new project');
    process.kill(-app.pid, 'SIGTERM');
  });

  it('npx xsws build --target esp32 writes a manifest that includes xsws\'s', function () {
    if (!installed) this.skip();
    run('npx', ['xsws', 'build', '--target', 'esp32'], { cwd: project, env });
    const manifest = JSON.parse(readFileSync(join(project, 'build', 'esp32', 'manifest.json'), 'utf8'));
    assert.ok(manifest.include.includes(join(project, 'node_modules', 'xsws', 'manifest_include.json')), JSON.stringify(manifest.include));
    assert.equal(manifest.creation.main, 'src/main');
    // the app's modules by their paths in the project (relative imports resolve by name on the board)
    for (const m of ['src/echo', 'src/main']) assert.ok(manifest.modules[m]?.endsWith(join('build', 'js', m)), `${m}: ${manifest.modules[m]}`);
    assert.ok(!Object.keys(manifest.modules).some((m) => m.startsWith('xsws')), 'xsws\'s modules come from its manifest, not again');
    assert.ok(manifest.data['*'].some((p) => p.endsWith('build/www')));
    // the app's modules run when main does, never at preload (main calls natives); xsws's are preloaded by its manifest
    assert.deepEqual(manifest.preload, []);
    // every import resolves as XS resolves it on the board: by module name
    assert.deepEqual(boardNameProblems(join(project, 'build', 'esp32', 'manifest.json')), []);
  });
});
