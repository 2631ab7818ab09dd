// The layering rules (eslint.config.mjs, run by npm test's pretest) fail where they should.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { repositoryRoot } from '../../tools/manifest.mjs';

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
