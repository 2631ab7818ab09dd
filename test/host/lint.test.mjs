// The layering rules (eslint.config.mjs, run by npm test's pretest) fail where they should.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../tools/manifest.mjs';
import { importCycles } from '../../tools/import-cycles.mjs';

const eslint = new ESLint({ cwd: repositoryRoot });

async function errors(code, filePath) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: the layering rules (eslint.config.mjs)', function () {
  it('src/core importing a role or a host fails', async function () {
    assert.match((await errors('import { h1 } from "../roles/h1.js";\nexport const x = h1;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports: .*ops tables/);
    assert.match((await errors('import { moddableHost } from "../host/moddable.js";\nexport const x = moddableHost;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports: .*HostIo/);
    assert.match((await errors('import { h1 } from "../http/server.js";\nexport const x = h1;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports/);
  });

  it('a plugin importing src internals fails; the public API passes', async function () {
    assert.match((await errors('import { Reason } from "../src/core/reasons.js";\nexport const x = Reason;\n', 'plugins/bad.ts')).join('\n'), /no-restricted-imports: .*public API/);
    assert.deepEqual(await errors('import { Reason } from "../src/index.js";\nexport const x = Reason;\n', 'plugins/good.ts'), []);
    assert.deepEqual(await errors('import { moddableHost } from "../../src/host/moddable.js";\nexport const x = moddableHost;\n', 'apps/demo/good.ts'), []);
  });

  it('the tree passes', async function () {
    const results = await eslint.lintFiles(['src', 'plugins', 'apps']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(problems, []);
  });
});

describe('no runtime import cycles in src/ (tools/import-cycles.mjs)', function () {
  it('src/ has none', function () {
    assert.deepEqual(importCycles(), []);
  });

  it('a cycle is found, a type-only import is not one', function () {
    const dir = mkdtempSync(join(tmpdir(), 'xsws-cycles-'));
    try {
      mkdirSync(join(dir, 'a'));
      writeFileSync(join(dir, 'a', 'x.ts'), 'import { y } from "../y.js";\nexport const x = () => y;\n');
      writeFileSync(join(dir, 'y.ts'), 'import { x } from "./a/x.js";\nimport type { Z } from "./z.js";\nexport const y = 1;\nexport const f = () => x;\n');
      writeFileSync(join(dir, 'z.ts'), 'import type { y } from "./y.js";\nexport type Z = typeof y;\n');
      assert.deepEqual(importCycles(dir), [['a/x.ts', 'y.ts', 'a/x.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
