#!/usr/bin/env node
// npm run autobahn -- [--wstest PATH] [--cases "1.*,9.*"] [--readme]    (MIT)
// Autobahn|Testsuite (wstest -m fuzzingclient, the WebSocket conformance suite) against the demo's
// mirror on its own instance (an echo: ?mirror=ab) on the simulator, and against npm `ws` echoing
// (bench/servers/node-ws.mjs), in one run with one spec. Cases 1-10 by default (12 and 13 are
// permessage-deflate). The suite is Python 2 and not in any package registry: build it as its
// README says and pass its `wstest` (--wstest, or $WSTEST, or on PATH).
// Prints the per-section results; --readme writes them into README.md between the
// <!-- autobahn --> markers. Reports: build/autobahn/reports/servers/index.html.
// Exit status 1 when an xsws case is not OK, NON-STRICT or INFORMATIONAL, or its close is not OK.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root, startXsws, startNode } from './lib.mjs';
import { writeReadmeSection } from '../tools/readme-section.mjs';

const o = { wstest: process.env.WSTEST ?? 'wstest', cases: null, readme: false, deflate: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--wstest') o.wstest = argv[++i];
  else if (a === '--cases') o.cases = argv[++i].split(',');
  else if (a === '--readme') o.readme = true;
  else if (a === '--deflate') o.deflate = true;
  else if (a === '--help') { console.log('usage: npm run autobahn -- [--wstest PATH] [--cases "1.*,9.*"] [--deflate] [--readme]'); process.exit(0); }
  else { console.error(`autobahn: unknown argument ${a}`); process.exit(2); }
}
const probe = spawnSync(o.wstest, ['--help'], { encoding: 'utf8' });
if (probe.error) {
  console.error(`autobahn: no wstest at ${o.wstest} (${probe.error.code}): build Autobahn|Testsuite and pass --wstest PATH`);
  process.exit(2);
}
const wsVersion = createRequire(import.meta.url)('ws/package.json').version;
const out = join(root, 'build', 'autobahn');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// case 9 sends messages up to 16 MiB: the desktop heap and a limit that takes them
const xsws = await startXsws('autobahn', { overrides: ['maxWsMessageSize=16777216'] });
// --deflate: the permessage-deflate sections (12, 13) alone, with ws offering the extension too
const node = await startNode('node-ws.mjs', o.deflate ? ['deflate'] : []);
const agents = { xsws: 'xsws', ws: `ws ${wsVersion}` };
let status = 0;
try {
  const spec = {
    outdir: './reports/servers',
    servers: [
      { agent: agents.xsws, url: `ws://127.0.0.1:${xsws.port}/?mirror=ab`, protocols: ['lws-mirror-protocol'] },
      { agent: agents.ws, url: `ws://127.0.0.1:${node.port}/` },
    ],
    cases: o.cases ?? (o.deflate ? ['12.*', '13.*'] : ['*']),
    'exclude-cases': o.deflate ? [] : ['12.*', '13.*'],
    'exclude-agent-cases': {},
  };
  writeFileSync(join(out, 'spec.json'), JSON.stringify(spec, null, 1));
  const started = Date.now();
  console.log(`autobahn: wstest -m fuzzingclient against xsws (port ${xsws.port}) and ws ${wsVersion} (port ${node.port}); the log is build/autobahn/wstest.log`);
  const run = spawnSync(o.wstest, ['-m', 'fuzzingclient', '-s', 'spec.json'], { cwd: out, encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(join(out, 'wstest.log'), `${run.stdout}\n${run.stderr}`);
  if (run.status !== 0) throw new Error(`wstest exited ${run.status}: ${run.stderr.slice(-2000)}`);
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const index = JSON.parse(readFileSync(join(out, 'reports', 'servers', 'index.json'), 'utf8'));
  const rows = tally(index, agents);
  const text = table(rows, wsVersion, minutes);
  console.log(text);
  const bad = Object.entries(index[agents.xsws]).filter(([, v]) => !acceptable(v));
  for (const [k, v] of bad) console.log(`autobahn: xsws case ${k}: ${v.behavior}, close ${v.behaviorClose}`);
  if (xsws.crashed()) { console.log(`autobahn: the simulator exited: ${JSON.stringify(xsws.crashed())}\n${xsws.log().slice(-2000)}`); status = 1; }
  if (node.crashed()) { console.log(`autobahn: the ws server exited: ${JSON.stringify(node.crashed())}\n${node.log().slice(-2000)}`); status = 1; }
  const ran = (agent) => Object.keys(index[agent] ?? {}).length;
  if (ran(agents.ws) !== ran(agents.xsws)) { console.log(`autobahn: ${ran(agents.xsws)} cases ran against xsws, ${ran(agents.ws)} against ws`); status = 1; }
  if (bad.length) status = 1;
  if (o.readme) {
    writeReadmeSection(o.deflate ? 'autobahn-deflate' : 'autobahn', text);
    console.log('autobahn: README.md updated');
  }
  writeFileSync(join(out, 'summary.json'), JSON.stringify(rows, null, 1));
} finally {
  await xsws.stop();
  await node.stop();
}
process.exit(status);

/** OK, NON-STRICT or INFORMATIONAL, with a clean close (the suite calls the close of its informational cases informational too) */
function acceptable(v) {
  return ['OK', 'NON-STRICT', 'INFORMATIONAL'].includes(v.behavior)
    && (v.behaviorClose === 'OK' || (v.behavior === 'INFORMATIONAL' && v.behaviorClose === 'INFORMATIONAL'));
}

function tally(index, names) {
  const rows = {};
  for (const [key, agent] of Object.entries(names)) {
    for (const [id, v] of Object.entries(index[agent] ?? {})) {
      const section = id.split('.')[0];
      const r = (rows[section] ??= { section: Number(section) })[key] ??= { cases: 0, behavior: {}, close: {} };
      r.cases++;
      r.behavior[v.behavior] = (r.behavior[v.behavior] ?? 0) + 1;
      r.close[v.behaviorClose] = (r.close[v.behaviorClose] ?? 0) + 1;
    }
  }
  return Object.values(rows).sort((a, b) => a.section - b.section);
}

function counts(c) {
  const order = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED', 'WRONG CODE', 'UNCLEAN', 'FAILED BY CLIENT'];
  return Object.entries(c).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])).map(([k, n]) => `${n} ${k}`).join(', ');
}

function table(rows, version, minutes) {
  const lines = [
    o.deflate
      ? `Autobahn|Testsuite ${suiteVersion()}, cases 12-13 (permessage-deflate), \`npm run autobahn -- --deflate\` (${minutes} min for both): xsws is the demo's mirror on its own instance (\`?mirror=ab\`, desktop heap, its default permessage-deflate settings); ws ${version} echoes with \`perMessageDeflate: true\`.`
      : `Autobahn|Testsuite ${suiteVersion()}, cases 1-10, \`npm run autobahn\` (${minutes} min for both): xsws is the demo's mirror on its own instance (\`?mirror=ab\`, desktop heap, \`maxWsMessageSize=16777216\`); ws ${version} echoes (bench/servers/node-ws.mjs).`,
    '',
    `| section | cases | xsws behavior | xsws close | ws ${version} behavior | ws ${version} close |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const x = r.xsws ?? { cases: 0, behavior: {}, close: {} }, w = r.ws ?? { behavior: {}, close: {} };
    lines.push(`| ${r.section} | ${x.cases} | ${counts(x.behavior)} | ${counts(x.close)} | ${counts(w.behavior)} | ${counts(w.close)} |`);
  }
  return lines.join('\n');
}

function suiteVersion() {
  const r = spawnSync(o.wstest, ['--autobahnversion'], { encoding: 'utf8' });
  const m = /AutobahnTestSuite\s+([\d.]+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? m[1] : '';
}
