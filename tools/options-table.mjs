#!/usr/bin/env node
// README's "Options and limits" tables, made from src/core/options.ts (MIT). Node built-ins only.
//
//   node tools/options-table.mjs           -> prints the tables
//   node tools/options-table.mjs --write   -> rewrites them between README's <!-- options --> markers
// Reads tsc's output (build/js/src/core/options.js: `npm run build` first). A test compares
// README with what this prints, so the table and the code cannot drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from './manifest.mjs';

const readmePath = join(repositoryRoot, 'README.md');
const MARKERS = /<!-- options -->[\s\S]*?<!-- \/options -->/;

const number = (n) => (n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n.toLocaleString('en-US'));
const cell = (text) => String(text).replace(/\|/g, '\\|');

export async function optionsTables() {
  const o = await import(pathToFileURL(join(repositoryRoot, 'build', 'js', 'src', 'core', 'options.js')).href);
  const lines = ['| option | default | bounds | lws | why, and what happens at the limit |', '| --- | --- | --- | --- | --- |'];
  for (const [name, spec] of Object.entries(o.CONTEXT_OPTIONS)) {
    const def = spec.default === 'host' ? "the host's socket limit" : `${number(spec.default)}`;
    lines.push(`| \`${name}\` | ${def} | ${number(spec.min)}–${number(spec.max)} ${cell(spec.unit)} | ${spec.lws ? `\`${spec.lws}\`` : ''} | ${cell(spec.reason)} |`);
  }
  for (const [name, spec] of Object.entries(o.CONTEXT_STRING_OPTIONS)) {
    lines.push(`| \`${name}\` | \`"${spec.default}"\` | a string | | ${cell(spec.reason)} |`);
  }
  for (const [name, spec] of Object.entries(o.VHOST_OPTIONS)) {
    lines.push(`| vhost \`${name}\` | ${number(spec.default)} | ${number(spec.min)}–${number(spec.max)} | | ${cell(spec.reason)} |`);
  }
  for (const [name, spec] of Object.entries(o.VHOST_STRING_OPTIONS)) {
    lines.push(`| vhost \`${name}\` | \`"${spec.default}"\` | ${cell(spec.bounds)} | ${spec.lws ? `\`${spec.lws}\`` : ''} | ${cell(spec.reason)} |`);
  }
  for (const [name, spec] of Object.entries(o.PMD_OPTIONS)) {
    lines.push(`| vhost \`permessageDeflate.${name}\` | ${number(spec.default)} | ${number(spec.min)}–${number(spec.max)} ${cell(spec.unit)} | ${spec.lws ? `\`${spec.lws}\`` : ''} | ${cell(spec.reason)} |`);
  }
  for (const [name, spec] of Object.entries(o.PMD_FLAGS)) {
    lines.push(`| vhost \`permessageDeflate.${name}\` | ${spec.default} | true or false | \`${spec.lws}\` | ${cell(spec.reason)} |`);
  }
  lines.push('', 'Fixed values (not options), in `src/core/options.ts` too:', '', '| name | value | why |', '| --- | --- | --- |');
  for (const table of [o.TIMINGS, o.PARSER_LIMITS, o.PMD_LIMITS]) {
    for (const [name, fixed] of Object.entries(table)) lines.push(`| \`${name}\` | ${number(fixed.value)} ${cell(fixed.unit)} | ${cell(fixed.reason)} |`);
  }
  return lines.join('\n');
}

export function readmeTables() {
  const m = MARKERS.exec(readFileSync(readmePath, 'utf8'));
  return m ? m[0].replace(/^<!-- options -->\n/, '').replace(/\n<!-- \/options -->$/, '') : null;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const text = await optionsTables();
  if (process.argv.includes('--write')) {
    const readme = readFileSync(readmePath, 'utf8');
    if (!MARKERS.test(readme)) {
      console.error('options-table: README.md has no <!-- options --> markers');
      process.exit(1);
    }
    writeFileSync(readmePath, readme.replace(MARKERS, `<!-- options -->\n${text}\n<!-- /options -->`));
    console.error('options-table: README.md updated');
  } else console.log(text);
}
