#!/usr/bin/env node
// Run the demo firmware on Moddable's own Linux runtime (MIT). Node built-ins only.
//
//   node tools/moddable-lin.mjs run [--port N] [--desktop-heap] [key=value ...]
//
// Uses the user's Moddable SDK ($MODDABLE, its Linux tools built: mcconfig, mcsim), never a copy of
// ours: builds the project `xsws build --target esp32` writes (build/moddable/project) for the
// `lin` platform with `mcconfig -m -p lin -t build` (no launch, none of its pkills), one build per
// set of config overrides (mc/config is compiled in), then starts mcsim under xvfb-run (it is a
// GTK program) with SIGPIPE ignored, as on the board where there are no signals. mcsim's stdout
// (trace output) is this process's stdout. SIGTERM/SIGINT stop it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOverrides } from './manifest.mjs';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const moddableDir = join(repositoryRoot, 'build', 'moddable');
export const projectDir = join(moddableDir, 'project');
const outDir = join(moddableDir, 'out');
/** --desktop-heap on Moddable: creation sizes large enough for the load tests */
const DESKTOP_CREATION = { chunk: { initial: 32 * 1024 * 1024, incremental: 0 }, heap: { initial: 1024 * 1024, incremental: 0 }, stack: 8192 };

/** What is missing to run on Moddable's runtime, as lines to print; empty when all is there. */
export function missingForModdable(env = process.env) {
  const missing = [];
  const sdk = env.MODDABLE;
  if (!sdk) missing.push('MODDABLE is not set: point it at your Moddable SDK (https://github.com/Moddable-OpenSource/moddable)');
  else {
    const bin = join(sdk, 'build', 'bin', 'lin', 'release');
    for (const tool of ['mcconfig', 'mcsim', 'xsc', 'xsl', 'mcrez']) {
      if (!existsSync(join(bin, tool))) missing.push(`${join(bin, tool)} is missing: build the SDK's Linux tools (cd $MODDABLE/build/makefiles/lin && make)`);
    }
  }
  for (const tool of ['xvfb-run', 'stdbuf']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(`${tool} is missing (Debian: apt-get install ${tool === 'xvfb-run' ? 'xvfb xauth' : 'coreutils'})`);
  }
  return missing;
}

function toolsEnv(env = process.env) {
  return { ...env, PATH: `${join(env.MODDABLE, 'build', 'bin', 'lin', 'release')}:${env.PATH}` };
}

/** The command startSim (test/integration/sim.mjs) spawns to run the demo on Moddable. */
export function moddableCommand(args) {
  return { file: process.execPath, args: [fileURLToPath(import.meta.url), 'run', '--port', '0', ...args], env: process.env };
}

function parseRun(args) {
  const overrides = [];
  let desktopHeap = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--port') overrides.push(`port=${args[++i]}`);
    else if (arg === '--desktop-heap') desktopHeap = true;
    else if (!arg.startsWith('-') && arg.includes('=')) overrides.push(arg);
    else throw new Error(`${arg}: only the demo firmware with --port, --desktop-heap and key=value runs on Moddable's runtime here`);
  }
  // typed and nested as xsws run does (permessageDeflate.threshold=100, ...=false)
  return { config: parseOverrides(overrides), desktopHeap };
}

/** Build (when needed) the demo for `lin` with these overrides; returns the mc.so path. */
export function buildApp({ config, desktopHeap }, log = (line) => process.stderr.write(`${line}\n`)) {
  if (!existsSync(join(projectDir, 'manifest.json'))) throw new Error(`${projectDir}/manifest.json is missing: run "npm run test:moddable" (it writes it with xsws build --target esp32)`);
  const key = createHash('sha1').update(JSON.stringify({ config, desktopHeap })).digest('hex').slice(0, 10);
  const name = `demo-${key}`;
  const appDir = join(moddableDir, name);
  mkdirSync(appDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const manifest = { include: ['../project/manifest.json'], config };
  if (desktopHeap) manifest.creation = DESKTOP_CREATION;
  writeFileSync(join(appDir, 'manifest.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
  log(`moddable-lin: mcconfig -m -p lin -t build (${JSON.stringify(config)}${desktopHeap ? ', desktop heap' : ''})`);
  const r = spawnSync('mcconfig', ['-m', '-p', 'lin', '-t', 'build', '-o', outDir], { cwd: appDir, env: toolsEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mcconfig failed (${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-3000)}${(r.stderr ?? '').slice(-3000)}`);
  return join(outDir, 'bin', 'lin', 'mc', 'release', name, 'mc.so');
}

/** Start mcsim on `so` headless, SIGPIPE ignored; resolves its exit. */
function runMcsim(so) {
  const mcsim = join(process.env.MODDABLE, 'build', 'bin', 'lin', 'release', 'mcsim');
  // mcsim copies the .so into $XDG_CONFIG_HOME/tech.moddable.mcsim: one directory per instance
  const config = mkdtempSync(join(tmpdir(), 'xsws-mcsim-'));
  const child = spawn('xvfb-run', ['-a', 'bash', '-c', 'trap "" PIPE; exec stdbuf -oL -eL "$0" "$1"', mcsim, so], {
    env: { ...process.env, XDG_CONFIG_HOME: config },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // by PID (xvfb-run passes it on to mcsim and stops its X server), never by name
  const stop = () => { try { child.kill('SIGTERM'); } catch { /* gone */ } };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  child.on('exit', (code, signal) => {
    rmSync(config, { recursive: true, force: true });
    process.exit(code ?? (signal ? 0 : 1));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'run') {
    console.error('usage: node tools/moddable-lin.mjs run [--port N] [--desktop-heap] [key=value ...]');
    process.exit(2);
  }
  const missing = missingForModdable();
  if (missing.length) {
    console.error(`moddable-lin: cannot run on Moddable's runtime:\n  ${missing.join('\n  ')}`);
    process.exit(1);
  }
  try {
    runMcsim(buildApp(parseRun(args)));
  } catch (error) {
    console.error(`moddable-lin: ${error.message}`);
    process.exit(1);
  }
}
