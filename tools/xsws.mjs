#!/usr/bin/env node
// xsws command line (MIT). Node built-ins only.
//
//   xsws run [--manifest path] [--port N] [--board NAME] [--desktop-heap] [--profile FILE] [key=value ...]
//   xsws build --target esp32 [--board NAME] [--manifest path] [--out dir] [--no-tsc] [--no-preload]
//   xsws init DIR
//   xsws zip DIR OUT.zip
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isCheckout, processManifest, repositoryRoot, simulatorPath } from './manifest.mjs';
import { ensureUiZip } from './ui.mjs';
import { buildEsp32, esp32Usage, parseBuildArgs } from './esp32.mjs';
import { boardConfigOverrides, boardNames, boardProfile, simulatorArgs } from './boards.mjs';
import { init } from './init.mjs';
import { zipUi } from './zip-ui.mjs';

const simulator = simulatorPath;
const profilingSimulator = join(repositoryRoot, 'build', 'lin', 'xsws-sim-profile');

/** The simulator with XS's profiler compiled in, built (incrementally) like the plain one. */
function ensureProfilingSimulator() {
  let bits = '32';
  try {
    bits = readFileSync(join(repositoryRoot, 'build', 'lin', 'bits'), 'utf8').trim() || bits;
  } catch { /* the default */ }
  const r = spawnSync('make', ['-C', join(repositoryRoot, 'hosts', 'lin'), '-j2', '-s', '--no-print-directory', 'PROFILE=1', `BITS=${bits}`], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(profilingSimulator)) fail('building the profiling simulator (make -C hosts/lin PROFILE=1) failed', 1);
  return profilingSimulator;
}

const usage = `usage: xsws <command> [options]

commands:
  run     run a firmware in the Linux simulator (build/lin/xsws-sim)
  build   prepare a board build: --target esp32 writes build/esp32/manifest.json for mcconfig
  init    init DIR: a new firmware project (manifest, src/main.ts, a protocol, a page)
  zip     zip DIR OUT.zip: a web UI as one zip for a FILE mount (served from flash)

xsws run [options] [key=value ...]
  --manifest PATH   the firmware's Moddable manifest (default ./manifest.json)
  --port N          sugar for the config override port=N (the firmware reads config.port)
  --board NAME      the board profile (hosts/boards.json): its XS creation sizes as the heap
                    and lwIP's sizes and pools for the sockets (default esp32; also
                    ${boardNames().filter((n) => n !== 'esp32').join(', ')})
  --desktop-heap    a large growable heap (4M slots, 64 MiB chunks, stack 8192) and no lwIP
                    pool limits, for load tests (buffer sizes stay the board's)
  --resources DIR   serve Resource files from DIR instead of the manifest's data/resources
  --profile FILE    sample the firmware's JS with XS's profiler and write a CPU profile to FILE
                    when the run ends (Ctrl-C): open it in Chrome DevTools or speedscope
  --help            this text
  key=value         override a config value (mc/config); dotted keys nest (a.b=1)

The simulator adds the measured empty-machine baseline (the built-ins and the preloaded modules,
~10,100 slots and ~35 KB for the demo) on top of the board's sizes: on the board they live in
flash. A manifest's own creation values win over the board's.
`;

function fail(message, status = 2) {
  console.error(`xsws: ${message}`);
  process.exit(status);
}

function parseRun(args) {
  const options = { manifest: 'manifest.json', overrides: [], desktopHeap: false, resources: null, board: undefined, profile: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = () => {
      if (i + 1 >= args.length) fail(`${arg} needs a value`);
      return args[++i];
    };
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg === '--manifest') options.manifest = next();
    else if (arg.startsWith('--manifest=')) options.manifest = arg.slice(11);
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? next() : arg.slice(7);
      if (!/^\d+$/.test(value) || Number(value) > 65535) fail(`--port: invalid port "${value}"`);
      options.overrides.push(`port=${value}`);
    } else if (arg === '--desktop-heap') options.desktopHeap = true;
    else if (arg === '--board') options.board = next();
    else if (arg.startsWith('--board=')) options.board = arg.slice(8);
    else if (arg === '--resources') options.resources = next();
    else if (arg === '--profile') options.profile = next();
    else if (!arg.startsWith('-') && arg.includes('=')) options.overrides.push(arg);
    else fail(`unknown option "${arg}"\n\n${usage}`);
  }
  return options;
}

function run(args) {
  const options = parseRun(args);
  if (!existsSync(simulator)) fail(`${simulator} is missing: ${isCheckout ? 'run "npm run build"' : 'run "npm rebuild xsws" in your project (it builds the simulator)'}`, 1);
  let result;
  let boardArgs;
  try {
    boardProfile(options.board);
    ensureUiZip();
    result = processManifest(options.manifest, { overrides: [...boardConfigOverrides(options.board), ...options.overrides] });
    boardArgs = simulatorArgs({ board: options.board, manifestCreation: result.creation, desktopHeap: options.desktopHeap });
  } catch (error) {
    fail(error.message, 1);
  }
  const simArgs = ['--map', result.mapPath, '--entry', result.entry,
    '--resources', options.resources ?? result.resourcesDir];
  for (const specifier of result.preload ?? []) simArgs.push('--preload', specifier);
  simArgs.push(...boardArgs);
  if (options.profile) simArgs.push('--profile', options.profile);
  const program = options.profile ? ensureProfilingSimulator() : simulator;
  const child = spawn(program, simArgs, { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`${program}: ${error.message}`, 1));
  child.on('exit', (code, signal) => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'run':
    run(rest);
    break;
  case 'build': {
    let options;
    try {
      options = parseBuildArgs(rest);
    } catch (error) {
      fail(`build: ${error.message}\n\n${esp32Usage}`);
    }
    if (options.help) {
      console.log(esp32Usage);
      process.exit(0);
    }
    if (options.target !== 'esp32') fail(`build: unknown target "${options.target ?? ''}" (only --target esp32)\n\n${esp32Usage}`);
    try {
      buildEsp32(options.manifest, { tsc: options.tsc, preloadAll: options.preload, board: options.board, ...(options.out ? { outDir: options.out } : {}) });
    } catch (error) {
      fail(`build: ${error.message}`, 1);
    }
    break;
  }
  case 'init': {
    if (rest.length !== 1 || rest[0].startsWith('-')) fail('usage: xsws init DIR');
    try {
      const files = init(rest[0]);
      console.log(`xsws init: wrote ${rest[0]}: ${files.filter((f) => !f.endsWith('src') && !f.endsWith('www')).join(', ')}`);
      console.log(`next: cd ${rest[0]} && npm install && npm start`);
    } catch (error) {
      fail(`init: ${error.message}`, 1);
    }
    break;
  }
  case 'zip': {
    if (rest.length !== 2) fail('usage: xsws zip DIR OUT.zip');
    try {
      mkdirSync(dirname(resolve(rest[1])), { recursive: true });
      const { entries, bytes } = zipUi(rest[0], rest[1]);
      console.log(`xsws zip: ${rest[1]}: ${entries} files, ${bytes} bytes`);
    } catch (error) {
      fail(`zip: ${error.message}`, 1);
    }
    break;
  }
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    console.log(usage);
    process.exit(command ? 0 : 2);
    break;
  default:
    fail(`unknown command "${command}"\n\n${usage}`);
}
