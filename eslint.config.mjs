import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

/** Node's built-in modules, bare and with the node: prefix. */
const nodeModules = builtinModules.flatMap((name) => [name, `node:${name}`]);

/**
 * The folder rules of docs/architecture.md, enforced:
 * - only main/shell/ and preload/ may import 'electron';
 * - only main/common/process.ts (and the root helper, bundled on its own) may
 *   import node:child_process in main/, shared/ and preload/;
 * - renderer/ may import neither main/ nor a Node module.
 */
const electronPath = { name: 'electron', message: "Only main/shell/ and preload/ may import 'electron' (shared/DESIGN.md)." };
const childProcessPaths = ['child_process', 'node:child_process'].map((name) => ({
  name,
  message: 'Start processes through main/common/process.ts (run, spawnDetached, spawnStreaming): argv only, timeouts, one place to audit.',
}));
export const electronOnlyInShell = { paths: [electronPath] };
/** For main/ and shared/: neither 'electron' nor child_process. */
export const mainBoundary = { paths: [electronPath, ...childProcessPaths] };
/** For main/shell/ and preload/: 'electron' is theirs, child_process is not. */
export const noChildProcess = { paths: childProcessPaths };
export const rendererBoundary = {
  paths: [
    ...nodeModules.map((name) => ({ name, message: 'The renderer sees the host only through the contract in shared/api.ts.' })),
    { name: 'electron', message: 'The renderer sees the host only through the contract in shared/api.ts.' },
  ],
  patterns: [
    { group: ['**/main/**', '**/main'], message: 'The renderer may not import main/: use the contract in shared/api.ts.' },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs,js}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', electronOnlyInShell],
    },
  },
  // Flat config: a later entry's rule replaces an earlier one for the files it names, so each entry lists every path it forbids.
  {
    files: ['main/**', 'shared/**'],
    rules: { 'no-restricted-imports': ['error', mainBoundary] },
  },
  {
    files: ['main/shell/**', 'preload/**'],
    rules: { 'no-restricted-imports': ['error', noChildProcess] },
  },
  {
    // The process module itself, and the root helper (bundled alone by helper.vite.config.ts).
    files: ['main/common/process.ts', 'main/setup/helper/**'],
    rules: { 'no-restricted-imports': ['error', electronOnlyInShell] },
  },
  {
    files: ['test/e2e/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', rendererBoundary],
    },
  },
);
