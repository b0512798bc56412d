import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const family = FAMILIES[0]!; // Debian: GRUB + initramfs-tools
const rootOf = (user: SessionUser): string => join(user.home, 'host');
const NAME = 'tiny-huge';

const test = sessionTest({
  domains: [NAME],
  prepare: (user) => {
    // 32 GiB, no hugepages reserved: the VM's hugepages are refused, host preparation can reserve them.
    writeFamilyRoot({ ...family, host: { ...family.host, memory: { totalGiB: 32, availableGiB: 28 } } }, rootOf(user));
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, rootOf(user)]);
  },
  serveArgs: (user) => [...hostRootArgs(rootOf(user)), '--setup-root', rootOf(user)],
});

test('hugepages the host has not reserved: Reserve hugepages leads to host preparation, applied, listed and checked', async ({ page, serve, user }) => {
  const root = rootOf(user);
  const sysctl = join(root, 'etc/sysctl.d/80-vitrine-hugepages.conf');
  await page.goto(`${serve.url}#/machines/${NAME}`);
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('combobox', { name: 'Hugepages', exact: true }).selectOption('yes');
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await expect(page.getByText(/^Hugepages cannot back this VM: The host has not reserved enough hugepages for 32 MiB: /)).toBeVisible({ timeout: 20_000 });
  await page.getByRole('link', { name: 'Reserve hugepages' }).click();

  // The Host page, with the VM's memory: 16 pages of 2 MiB.
  const panel = page.getByRole('region', { name: 'Reserve hugepages' });
  await expect(panel.getByRole('textbox', { name: 'Memory to back (MiB)' })).toHaveValue('32', { timeout: 20_000 });
  await expect(panel).toContainText('16 pages of 2 MiB');
  await panel.getByRole('button', { name: 'Show the plan' }).click();
  await expect(panel.getByLabel('Changes to /etc/sysctl.d/80-vitrine-hugepages.conf')).toContainText('+vm.nr_hugepages = 16');
  await expect(panel.getByRole('listitem').filter({ hasText: 'sysctl -w vm.nr_hugepages=16' })).toBeVisible();
  await expect(panel).not.toContainText('A restart is needed');
  expect(existsSync(sysctl)).toBe(false); // a plan changes nothing
  await page.screenshot({ path: 'test-results/e2e/hugepages-plan.png', fullPage: true });

  await panel.getByRole('button', { name: 'Apply (asks for your password)' }).click();
  await expect(panel.getByRole('status')).toContainText('Done: the pages are reserved.', { timeout: 20_000 });
  expect(readFileSync(sysctl, 'utf8')).toContain('vm.nr_hugepages = 16\n');
  const changes = page.getByRole('list', { name: 'Changes Vitrine made to this host' });
  await expect(changes).toContainText('Reserve 16 hugepages of 2 MiB (32 MiB).');
  // A scratch root's runtime value is never set: the pool is short, until it has them.
  await expect(changes).toContainText('Hugepages: the pool of 2 MiB pages has only 0 of the 16 asked');
  writeFileSync(join(root, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'), '16\n');
  await page.reload();
  await expect(page.getByRole('list', { name: 'Changes Vitrine made to this host' })).toContainText('Hugepages checked: the pool of 2 MiB pages has 16 (asked 16).', { timeout: 20_000 });

  // Undo: the file goes, the pool back to what it had; no restart needed.
  await changes.getByRole('button', { name: 'Undo' }).click();
  const review = page.getByRole('region', { name: 'Undo this change?' });
  await expect(review).toContainText('/etc/sysctl.d/80-vitrine-hugepages.conf is removed (Vitrine created it).');
  await expect(review.getByRole('listitem').filter({ hasText: 'sysctl -w vm.nr_hugepages=0' })).toContainText('Put the 2 MiB hugepage pool back to 0 pages');
  await expect(review).not.toContainText('A restart is needed');
  await review.getByRole('button', { name: 'Undo (asks for your password)' }).click();
  await expect(page.getByText('Undone: the files are back as they were.')).toBeVisible({ timeout: 20_000 });
  expect(existsSync(sysctl)).toBe(false);
});
