import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * The `vitrine` command as its own bundle with its dependencies inside
 * (commander, zod, ws, diff, fast-xml-parser: nothing is resolved from
 * node_modules at run time), split at the CLI's dynamic imports so that a
 * command loads only what it runs (`--version` loads commander alone, `serve`
 * pulls ws and http, the XML code only comes with `vm`). Built after
 * electron-vite, into the same out/main (electron-vite empties it first).
 */
export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'main/cli/index.ts'),
    outDir: 'out/main',
    emptyOutDir: false,
    target: 'node20.19',
    minify: false,
    reportCompressedSize: false,
    rollupOptions: {
      // electron stays outside: `vitrine start` asks the package for its binary's path.
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron'],
      output: { format: 'es', entryFileNames: 'cli.js', chunkFileNames: 'cli/[name]-[hash].js' },
    },
  },
  // The catalogue (en.json, ~90 kB, loaded by every command through the error messages) as JSON.parse("…"): V8 reads JSON faster than the same object literal.
  json: { stringify: true },
  ssr: { noExternal: true, target: 'node' },
});
