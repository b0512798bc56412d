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
 * - renderer/ may import neither main/ nor a Node module.
 */
export const electronOnlyInShell = {
  paths: [{ name: 'electron', message: "Only main/shell/ and preload/ may import 'electron' (shared/DESIGN.md)." }],
};
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
  {
    files: ['main/shell/**', 'preload/**', 'test/e2e/**'],
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
