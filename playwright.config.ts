import { defineConfig } from '@playwright/test';

/**
 * E2E: Debian's Chromium (never a downloaded browser) drives the real
 * renderer through `vitrine serve` against a real session libvirt.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 90_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env['VITRINE_CHROMIUM'] ?? '/usr/bin/chromium',
      // Root has no user namespace sandbox here; the rest keeps Chromium off the closed network.
      args: [
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1100, height: 640 },
    screenshot: 'only-on-failure',
  },
});
