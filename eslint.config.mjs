// ESLint (MIT): the layering rules of DESIGN.md, checked by `npm test` (pretest), and one rule
// of the board (no module-level RegExp); tsc --strict does the rest.
import tseslint from 'typescript-eslint';

/** Imports src/core may not make: the core knows roles and hosts only through their ops tables. */
const coreMayNotImport = [
  { group: ['../roles/*', '../roles'], message: 'src/core dispatches to roles through their ops tables (Role); it does not import them' },
  { group: ['../host/*', '../host'], message: 'src/core talks to the platform through HostIo; it does not import a host' },
  { group: ['../http/*', '../ws/*'], message: 'src/core does not import a role\'s modules (http, ws): roles plug into it' },
];

/** The role-neutral layers serve every role (server and client alike): they import none. */
const neutralMayNotImport = [
  { group: ['../roles/*', '../roles', '../../roles/*'], message: 'src/http and src/ws are role-neutral (parsers, codecs, writers): roles import them, not the other way' },
  { group: ['../host/*', '../host'], message: 'src/http and src/ws talk to the platform through HostIo; they do not import a host' },
];

/** Plugins and apps use the public API (src/index.ts, "xsws"), not src internals. */
const publicApiOnly = [
  { group: ['../src/*/**', '../../src/*/**', '!../../src/host/moddable.js'], message: 'import the public API (src/index.js, "xsws"), not src internals' },
];

/** Examples are firmwares as a user writes them: the package's names, nothing by path. */
const packageNamesOnly = [
  { group: ['../*', 'xsws/src/*', 'xsws/dist/*'], message: 'examples import "xsws", "xsws/host/moddable" and "xsws/plugins/<name>", as a firmware using the package does' },
];

/**
 * A module-level RegExp is preloaded into flash on the board, and exec() writing its state there
 * faults (Moddable's mcsim segfaulted); our simulator does not put preloaded objects in flash, so
 * only this rule catches it. A literal inside a function is made anew per call and is fine.
 */
const moduleRegExpMessage = 'no module-level RegExp: preloaded, it sits in flash on the board, where exec() cannot write its state';
const noModuleRegExp = ['Program >', 'Program > ExportNamedDeclaration >'].flatMap((at) => [
  { selector: `${at} VariableDeclaration > VariableDeclarator > Literal[regex]`, message: moduleRegExpMessage },
  { selector: `${at} VariableDeclaration > VariableDeclarator > NewExpression[callee.name="RegExp"]`, message: moduleRegExpMessage },
]);

export default tseslint.config(
  { ignores: ['**/build/**', 'node_modules/**', 'test-artifacts/**', 'dist/**'] },
  {
    files: ['src/**/*.ts', 'plugins/**/*.ts', 'apps/**/*.ts', 'examples/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  { files: ['src/**/*.ts', 'plugins/**/*.ts', 'apps/**/*.ts', 'examples/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ...noModuleRegExp] } },
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: coreMayNotImport }] } },
  { files: ['src/http/**/*.ts', 'src/ws/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: neutralMayNotImport }] } },
  { files: ['plugins/**/*.ts', 'apps/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: publicApiOnly }] } },
  { files: ['examples/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: packageNamesOnly }] } },
);
