import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { SHELL_STYLE } from './main/web/csp';

/**
 * The first paint waits for nothing but the HTML: the shell's few rules are
 * inline (SHELL_STYLE, allowed by its hash in the CSP) and the stylesheet
 * moves to the end of <body>, where it no longer blocks rendering (the app's
 * script still waits for it).
 */
function paintAtOnce(): Plugin {
  return {
    name: 'vitrine-paint-at-once',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const sheets = html.match(/<link rel="stylesheet"[^>]*>/g) ?? [];
        let out = html.replace(/\s*<link rel="stylesheet"[^>]*>/g, '');
        out = out.replace('</head>', `  <style>${SHELL_STYLE}</style>\n  </head>`);
        return out.replace('</body>', `  ${sheets.join('\n    ')}\n  </body>`);
      },
    },
  };
}

/**
 * Three bundles: main (the Electron entry; the `vitrine` CLI is bundled apart
 * with its dependencies by cli.vite.config.ts, into the same folder), the sandboxed preload (CommonJS, as Electron requires for
 * sandboxed preloads) and the React renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'main/shell/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [react(), paintAtOnce()],
    // react-router's package exports point at its development build only: take the production one.
    resolve: { alias: [{ find: /^react-router$/, replacement: resolve(import.meta.dirname, 'node_modules/react-router/dist/production/index.mjs') }] },
    build: {
      // electron-vite leaves the renderer unminified by default.
      minify: true,
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
    },
  },
});
