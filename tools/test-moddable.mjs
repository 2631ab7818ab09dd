#!/usr/bin/env node
// npm run test:moddable (MIT): the integration tests against the demo firmware built with the
// user's Moddable SDK and run on Moddable's own Linux runtime (mcsim) instead of our simulator.
// Node built-ins only; needs $MODDABLE with its Linux tools built, and xvfb-run.
//
//   npm run test:moddable [-- mocha options, e.g. --grep burst]
//
// Writes build/moddable/project (xsws build --target esp32, which `-p lin` builds too), then runs
// mocha on test/integration/{http,ws,pmd,limits}.test.mjs with XSWS_TARGET=moddable: startSim()
// builds the demo for each set of config overrides (tools/moddable-lin.mjs) and starts mcsim.
// Time limits are scaled (XSWS_TIME_SCALE, default 3) for Moddable's 20 ms socket poll; tests
// of the simulator's own heap figures or of other firmwares are skipped there.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildEsp32 } from './esp32.mjs';
import { missingForModdable, projectDir, repositoryRoot } from './moddable-lin.mjs';

const missing = missingForModdable();
if (missing.length) {
  console.error(`test:moddable needs the Moddable SDK's Linux runtime:\n  ${missing.join('\n  ')}\n` +
    'Build it once with the SDK\'s own instructions (Getting Started, Linux); xsws never downloads or builds it.');
  process.exit(1);
}
buildEsp32(join(repositoryRoot, 'manifest.json'), { outDir: projectDir, log: (m) => console.log(`test:moddable: ${m}`) });
const specs = ['http', 'ws', 'pmd', 'limits'].map((name) => join(repositoryRoot, 'test', 'integration', `${name}.test.mjs`));
const scale = process.env.XSWS_TIME_SCALE ?? '3';
const mocha = join(repositoryRoot, 'node_modules', 'mocha', 'bin', 'mocha.js');
const r = spawnSync(process.execPath, [mocha, '--no-config', '--timeout', String(20000 * Number(scale)), ...specs, ...process.argv.slice(2)], {
  cwd: repositoryRoot,
  stdio: 'inherit',
  env: { ...process.env, XSWS_TARGET: 'moddable', XSWS_TIME_SCALE: scale },
});
process.exit(r.status ?? 1);
