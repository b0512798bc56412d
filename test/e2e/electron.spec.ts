import { _electron as electron, expect } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from '../support/session-libvirt';
import { sessionTest } from './fixtures';

/**
 * The Electron binary, or why there is none. Reads the package's path.txt
 * rather than require('electron'), which would try to download it.
 */
function electronBinary(): { path: string } | { missing: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'the Electron binary was never downloaded (no node_modules/electron/path.txt)' };
  const binaryPath = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binaryPath) ? { path: binaryPath } : { missing: `${binaryPath} does not exist` };
}

const binary = electronBinary();
const NAME = 'vitrine-electron';
// The window gets the session user's environment; it needs no `vitrine serve`.
const test = sessionTest({ domains: [NAME] });

test.describe('the desktop window (Electron)', () => {
  test.skip('missing' in binary, `no Electron binary: ${'missing' in binary ? binary.missing : ''} (run node node_modules/electron/install.js where github.com is reachable)`);

  test('the dashboard lists the domain and turns it to running without a reload', async ({ user }) => {
    if ('missing' in binary) return;
    const app = await electron.launch({
      executablePath: binary.path,
      args: [repoRoot, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, ...user.env, VITRINE_LIBVIRT_URI: 'qemu:///session' } as Record<string, string>,
    });
    try {
      const page = await app.firstWindow();
      const row = page.getByRole('list', { name: 'Virtual machines' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: NAME }) });
      await expect(row).toContainText('Shut off', { timeout: 30_000 });
      await user.virsh('start', NAME);
      await expect(row).toContainText('Running', { timeout: 2_000 });
      // The page got the contract's named methods, nothing generic.
      expect(await page.evaluate(() => Object.keys((globalThis as unknown as { vitrine: object }).vitrine).sort())).toEqual(['app', 'domains']);
    } finally {
      await app.close();
      (app.process() as ChildProcess | undefined)?.kill();
    }
  });
});
