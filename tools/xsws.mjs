#!/usr/bin/env node
// xsws command line (MIT). Node built-ins only.
//
//   xsws run [--manifest path] [--port N] [--desktop-heap] [key=value ...]
//   xsws build --target esp32 [--manifest path] [--out dir] [--no-tsc] [--no-preload]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { processManifest, repositoryRoot } from './manifest.mjs';
import { ensureUiZip } from './ui.mjs';
import { buildEsp32, esp32Usage, parseBuildArgs } from './esp32.mjs';

const simulator = join(repositoryRoot, 'build', 'lin', 'xsws-sim');

// --desktop-heap: a large, growable heap for load tests and comparisons with Linux servers
const DESKTOP_HEAP = { heap: 4 * 1024 * 1024, chunk: 64 * 1024 * 1024, stack: 8192 };

const usage = `usage: xsws <command> [options]

commands:
  run     run a firmware in the Linux simulator (build/lin/xsws-sim)
  build   prepare a board build: --target esp32 writes build/esp32/manifest.json for mcconfig

xsws run [options] [key=value ...]
  --manifest PATH   the firmware's Moddable manifest (default ./manifest.json)
  --port N          sugar for the config override port=N (the firmware reads config.port)
  --desktop-heap    a large growable heap (4M slots, 64 MiB chunks, stack 8192) instead of the
                    manifest's creation sizes as a fixed heap (the board's budget, the default)
  --resources DIR   serve Resource files from DIR instead of the manifest's data/resources
  --help            this text
  key=value         override a config value (mc/config); dotted keys nest (a.b=1)

The simulator adds the measured empty-machine baseline (~3,900 slots, ~16 KB) on top of the
manifest's creation sizes: on the board those built-ins live in flash.
`;

function fail(message, status = 2) {
  console.error(`xsws: ${message}`);
  process.exit(status);
}

function parseRun(args) {
  const options = { manifest: 'manifest.json', overrides: [], desktopHeap: false, resources: null };
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
    else if (arg === '--resources') options.resources = next();
    else if (!arg.startsWith('-') && arg.includes('=')) options.overrides.push(arg);
    else fail(`unknown option "${arg}"\n\n${usage}`);
  }
  return options;
}

function run(args) {
  const options = parseRun(args);
  if (!existsSync(simulator)) fail(`${simulator} is missing: run "npm run build"`, 1);
  let result;
  try {
    ensureUiZip();
    result = processManifest(options.manifest, { overrides: options.overrides });
  } catch (error) {
    fail(error.message, 1);
  }
  const simArgs = ['--map', result.mapPath, '--entry', result.entry,
    '--resources', options.resources ?? result.resourcesDir];
  for (const specifier of result.preload ?? []) simArgs.push('--preload', specifier);
  if (options.desktopHeap) {
    simArgs.push('--slots', String(DESKTOP_HEAP.heap), '--chunk', String(DESKTOP_HEAP.chunk),
      '--stack', String(DESKTOP_HEAP.stack));
  } else {
    simArgs.push('--slots', String(result.creation.heap), '--chunk', String(result.creation.chunk),
      '--stack', String(result.creation.stack), '--fixed');
  }
  const child = spawn(simulator, simArgs, { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`${simulator}: ${error.message}`, 1));
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
      buildEsp32(options.manifest, { tsc: options.tsc, preloadAll: options.preload, ...(options.out ? { outDir: options.out } : {}) });
    } catch (error) {
      fail(`build: ${error.message}`, 1);
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
