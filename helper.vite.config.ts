import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

/**
 * The root helper as one self-contained file (zod included, nothing loaded
 * from node_modules at run time): it is installed root-owned, apart from the app.
 */
export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'assets/vitrine-helper.ts'),
    outDir: 'out/helper',
    emptyOutDir: true,
    target: 'node18', // Debian 12's nodejs runs the installed helper
    minify: false,
    rollupOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { format: 'es', entryFileNames: 'vitrine-helper.mjs', banner: '#!/usr/bin/env node' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
