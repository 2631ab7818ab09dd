// The layering rules (eslint.config.mjs, run by npm test's pretest) fail where they should, and
// README's Layout names the tree as it is.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    assert.match((await errors('import { roleH1 } from "../roles/h1/index.js";\nexport const x = roleH1;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports: .*ops tables/);
    assert.match((await errors('import { moddableHost } from "../host/moddable.js";\nexport const x = moddableHost;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports: .*HostIo/);
    assert.match((await errors('import { HeadParser } from "../http/parser.js";\nexport const x = HeadParser;\n', 'src/core/bad.ts')).join('\n'), /no-restricted-imports/);
  });

  it('the role-neutral src/http and src/ws importing a role or a host fails', async function () {
    assert.match((await errors('import { h1 } from "../roles/h1/state.js";\nexport const x = h1;\n', 'src/http/bad.ts')).join('\n'), /no-restricted-imports: .*role-neutral/);
    assert.match((await errors('import { WsState } from "../roles/ws/server.js";\nexport const x = WsState;\n', 'src/ws/bad.ts')).join('\n'), /no-restricted-imports: .*role-neutral/);
    assert.match((await errors('import { moddableHost } from "../host/moddable.js";\nexport const x = moddableHost;\n', 'src/ws/bad.ts')).join('\n'), /no-restricted-imports: .*HostIo/);
  });

  it('a plugin importing src internals fails; the public API passes', async function () {
    assert.match((await errors('import { Reason } from "../src/core/reasons.js";\nexport const x = Reason;\n', 'plugins/bad.ts')).join('\n'), /no-restricted-imports: .*public API/);
    assert.deepEqual(await errors('import { Reason } from "../src/index.js";\nexport const x = Reason;\n', 'plugins/good.ts'), []);
    assert.deepEqual(await errors('import { moddableHost } from "../../src/host/moddable.js";\nexport const x = moddableHost;\n', 'apps/demo/good.ts'), []);
  });

  it('an example reaching into the repository fails; the package\'s names pass', async function () {
    assert.match((await errors('import { Reason } from "../../src/index.js";\nexport const x = Reason;\n', 'examples/bad/main.ts')).join('\n'), /no-restricted-imports: .*as a firmware using the package/);
    assert.match((await errors('import { Wsi } from "xsws/src/core/wsi.js";\nexport const x = Wsi;\n', 'examples/bad/main.ts')).join('\n'), /no-restricted-imports/);
    assert.deepEqual(await errors('import { Reason } from "xsws";\nimport { moddableHost } from "xsws/host/moddable";\nimport { echo } from "./echo.js";\nexport const x = [Reason, moddableHost, echo];\n', 'examples/good/main.ts'), []);
  });

  it('a module-level RegExp fails (the board keeps it in flash); one made inside a function passes', async function () {
    assert.match((await errors('const TOKEN = /^[a-z]+$/;\nexport const ok = (s: string): boolean => TOKEN.test(s);\n', 'src/ws/bad.ts')).join('\n'), /no-restricted-syntax: no module-level RegExp/);
    assert.match((await errors('export const TOKEN = new RegExp("^a");\n', 'plugins/bad.ts')).join('\n'), /no-restricted-syntax: no module-level RegExp/);
    assert.deepEqual(await errors('export const ok = (s: string): boolean => /^[a-z]+$/.test(s);\n', 'src/ws/good.ts'), []);
  });

  it('the tree passes', async function () {
    const results = await eslint.lintFiles(['src', 'plugins', 'apps', 'examples']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
    assert.deepEqual(problems, []);
  });
});

describe("README's layout section matches the tree", function () {
  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
  const block = /## Layout\n```\n([\s\S]*?)```/.exec(readme)[1];
  const listed = block.split('\n').map((l) => /^(\S+)/.exec(l)?.[1]).filter(Boolean).map((p) => p.replace(/\/$/, ''));

  it('every path it lists exists', function () {
    for (const p of listed) assert.ok(existsSync(join(repositoryRoot, p)), `README Layout lists ${p}, which is not in the tree`);
  });

  it('every folder of src/ (and each role) is listed', function () {
    const folders = readdirSync(join(repositoryRoot, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`);
    const roles = readdirSync(join(repositoryRoot, 'src', 'roles'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/roles/${d.name}`);
    for (const f of [...folders, ...roles]) assert.ok(listed.includes(f), `${f} is missing from README's Layout`);
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
