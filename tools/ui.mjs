// The demo's web UI zipped into the firmware's resources (MIT). Node built-ins only.
// apps/demo/www/** -> build/ui/ui.zip, which manifest.json lists under "data". Rebuilt when a
// source file is newer than the zip, so `npm start` always serves the current UI.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listFiles, zipUi } from './zip-ui.mjs';
import { repositoryRoot } from './manifest.mjs';

export const uiSource = join(repositoryRoot, 'apps', 'demo', 'www');
export const uiZip = join(repositoryRoot, 'build', 'ui', 'ui.zip');

/** Make build/ui/ui.zip if it is missing or older than any file of the UI; returns true if it was (re)made. */
export function ensureUiZip() {
  // an installed package has no demo
  if (!existsSync(uiSource)) return false;
  const files = listFiles(uiSource);
  if (existsSync(uiZip)) {
    const made = statSync(uiZip).mtimeMs;
    if (files.every(([, abs]) => statSync(abs).mtimeMs <= made)) return false;
  }
  mkdirSync(dirname(uiZip), { recursive: true });
  const { entries, bytes } = zipUi(uiSource, uiZip);
  console.log(`xsws: ${uiZip}: ${entries} files, ${bytes} bytes`);
  return true;
}
