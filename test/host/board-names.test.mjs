// Module names as the board resolves them (test/support/board-names.mjs): the demo's and an
// example's board manifests (xsws build --target esp32) resolve every import by name, and the
// check fails where the board would.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../tools/manifest.mjs';
import { buildEsp32 } from '../../tools/esp32.mjs';
import { boardNameProblems } from '../support/board-names.mjs';

describe('module names on the board (XS resolves imports by name)', function () {
  const out = mkdtempSync(join(tmpdir(), 'xsws-names-'));
  after(() => rmSync(out, { recursive: true, force: true }));
  const build = (manifest, dir) => buildEsp32(join(repositoryRoot, manifest), { outDir: join(out, dir), tsc: false, log: () => {} });

  it('the demo: every import resolves, xsws and the plugins are preloaded, the app is not', function () {
    const r = build('manifest.json', 'demo');
    assert.deepEqual(boardNameProblems(r.manifestPath), []);
    assert.ok(r.preload.includes('src/core/context') && r.preload.includes('plugins/lws-mirror') && r.preload.includes('xsws'));
    assert.ok(!r.preload.some((m) => m.startsWith('apps/')));
  });

  it('an example firmware through manifest_include.json: every import resolves; nothing of the app is preloaded', function () {
    const r = build('examples/ws-echo/manifest.json', 'ws-echo');
    assert.deepEqual(boardNameProblems(r.manifestPath), []);
    assert.deepEqual(r.preload, []);
    assert.equal(r.main, 'examples/ws-echo/src/main');
  });

  it('fails where the board would: a relative import from a module with no folder, and a name no manifest gives', function () {
    const dir = join(out, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.js'), 'import { x } from "./helper.js";\nimport y from "xsws/src/nowhere";\n');
    writeFileSync(join(dir, 'helper.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ modules: { '*': ['./main', './helper'] } }));
    const problems = boardNameProblems(join(dir, 'manifest.json'));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /main: \.\/helper\.js \(a module whose name has no folder/);
    assert.match(problems[1], /xsws\/src\/nowhere/);
  });
});
