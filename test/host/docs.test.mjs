// npm run docs (TypeDoc, typedoc.json) builds the API reference with every public export and
// member documented: its validation turns an undocumented one into an error, shown here too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../tools/manifest.mjs';

const typedoc = join(repositoryRoot, 'node_modules', 'typedoc', 'bin', 'typedoc');

function runTypedoc(cwd = repositoryRoot) {
  const r = spawnSync(process.execPath, [typedoc, '--options', join(cwd, 'typedoc.json'), '--emit', 'none'], { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

describe('API reference (npm run docs)', function () {
  this.timeout(120000);

  it('documents every public export and member (typedoc.json validation, warnings are errors)', function () {
    const r = runTypedoc();
    assert.equal(r.status, 0, r.out);
    assert.doesNotMatch(r.out, /warning/);
  });

  it('fails on an export with no doc comment', function () {
    const dir = join(repositoryRoot, 'build', 'tmp', 'docs-check');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.ts'), '/** documented */\nexport function documented(): number { return 1; }\nexport function forgotten(): number { return 2; }\n');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(repositoryRoot, 'tsconfig.base.json'), compilerOptions: { rootDir: '.', outDir: 'out' }, include: ['bad.ts'] }));
    // the project's own settings, on this file
    const options = JSON.parse(readFileSync(join(repositoryRoot, 'typedoc.json'), 'utf8'));
    writeFileSync(join(dir, 'typedoc.json'), JSON.stringify({ ...options, entryPoints: ['bad.ts'], tsconfig: 'tsconfig.json' }));
    const r = runTypedoc(dir);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /forgotten.*does not have any documentation/);
    assert.doesNotMatch(r.out, /documented \(Function\).*does not have/);
  });
});
