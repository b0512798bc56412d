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
    // The deb's floor (electron-builder.yml: nodejs (>= 18.19)): Debian 12 ships 18.19+, Ubuntu 24.04 18.19.
    // The helper is an ES module (.mjs), so every Node 18 loads it as one.
    target: 'node18.19',
    minify: false,
    rollupOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { format: 'es', entryFileNames: 'vitrine-helper.mjs', banner: '#!/usr/bin/env node' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
