// Rewrites what stands between README.md's <!-- NAME --> and <!-- /NAME --> markers: the tools that
// measure something (fit, soak, autobahn) keep their figures there.    (MIT)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './manifest.mjs';

/** Replaces the section NAME with TEXT; throws when README has no such markers (a renamed heading should not lose figures quietly). */
export function writeReadmeSection(name, text, path = join(repositoryRoot, 'README.md')) {
  const readme = readFileSync(path, 'utf8');
  const re = new RegExp(`<!-- ${name} -->[\\s\\S]*?<!-- /${name} -->`);
  if (!re.test(readme)) throw new Error(`README.md has no <!-- ${name} --> markers`);
  writeFileSync(path, readme.replace(re, () => `<!-- ${name} -->\n${text}\n<!-- /${name} -->`));
}
