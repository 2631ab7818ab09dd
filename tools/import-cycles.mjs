#!/usr/bin/env node
// Runtime import cycles among TypeScript modules (MIT). Node built-ins only.
//
//   node tools/import-cycles.mjs [dir]   -> prints each cycle, exits 1 if there is one (default src/)
// Type-only imports (`import type`) are left out: tsc erases them. A cycle makes module order
// matter at load time, on the board (preload) as in the simulator.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from './manifest.mjs';

function tsFiles(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) tsFiles(path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The runtime imports and re-exports of a module, as absolute .ts paths. */
function runtimeImports(file) {
  const source = readFileSync(file, 'utf8');
  const deps = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(?!type\b)([^'";]*?)\s*from\s*["'](\.[^"']+)["']/gm)) {
    const names = m[1].trim();
    // `import { type A, type B }` brings in nothing at run time
    if (/^\{[^}]*\}$/.test(names) && names.slice(1, -1).split(',').every((n) => /^\s*type\s/.test(n) || !n.trim())) continue;
    deps.push(resolve(dirname(file), m[2].replace(/\.js$/, '.ts')));
  }
  return deps;
}

/** Every cycle found by a depth-first walk, as lists of paths relative to `dir`. */
export function importCycles(dir = join(repositoryRoot, 'src')) {
  const files = tsFiles(dir);
  const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (node) => {
    state.set(node, 1);
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep].map((p) => relative(dir, p)));
      else if (!state.get(dep) && graph.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const file of files) if (!state.get(file)) visit(file);
  return cycles;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const cycles = importCycles(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const cycle of cycles) console.log(cycle.join(' -> '));
  if (!cycles.length) console.log('no runtime import cycles');
  process.exit(cycles.length ? 1 : 0);
}
