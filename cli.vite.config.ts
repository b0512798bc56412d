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
      output: {
        // CommonJS, not ES modules: node loads a CommonJS file through require (one read, one
        // compile) where an ES module goes through the module loader's jobs, and each built-in
        // it imports gets a module facade (node:fs's runs its lazy getters and loads the stream
        // modules). Measured side by side: --version and vm list each 6 ms sooner. `.cjs`
        // because the package is "type": "module"; dynamic imports become require()s in a
        // promise, so a command still loads only the chunks it runs.
        format: 'cjs',
        entryFileNames: 'cli.cjs',
        chunkFileNames: 'cli/[name]-[hash].cjs',
        // ASCII only (the rest as \u escapes) and no doc comments: node then reads each file
        // as one-byte text, faster to decode and to compile than the two-byte text one
        // non-ASCII character (an em dash in a comment) makes of the whole file.
        charset: 'ascii',
        comments: { legal: true, annotation: false, jsdoc: false },
        codeSplitting: {
          groups: [
            {
              // What `vitrine vm list` (and every command's first virsh run) loads, as one
              // file rather than eight: each import is a read and a compile of its own.
              // Only these modules (their dependencies stay where they are); a module
              // added to that path works the same outside it, only a little slower.
              name: 'libvirt-read',
              test: /main\/(libvirt\/(virsh|virsh-errors|domains|parse-dominfo)|common\/(process|xdg|collate|random)|services\/libvirt-uri)\.ts$|shared\/libvirt-uri\.ts$/,
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
  // The catalogue (en.json, ~90 kB, loaded by every command through the error messages) as JSON.parse("…"): V8 reads JSON faster than the same object literal.
  json: { stringify: true },
  ssr: { noExternal: true, target: 'node' },
});
