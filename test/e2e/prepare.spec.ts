import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const family = FAMILIES[0]!; // Debian: GRUB + initramfs-tools, seed 003's GTX 1060
/** The scratch root: the fixture host and its /etc, which the host changes are applied to. */
const rootOf = (user: SessionUser): string => join(user.home, 'host');

const test = sessionTest({
  prepare: (user) => {
    const root = writeFamilyRoot(family, rootOf(user));
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, root]);
  },
  serveArgs: (user) => [...hostRootArgs(rootOf(user)), '--setup-root', rootOf(user)],
});

test('prepare the host: the plan as diffs, one Apply, the change listed, and Undo', async ({ page, serve, user }) => {
  const root = rootOf(user);
  const grubBefore = readFileSync(join(root, 'etc/default/grub'), 'utf8');
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  const gpu = page.getByRole('article', { name: /0000:01:00\.0/ });
  await expect(gpu).toContainText('Can be passed', { timeout: 20_000 });
  await gpu.getByRole('button', { name: 'Prepare the host for this GPU' }).click();

  const panel = page.getByRole('region', { name: /Prepare the host for/ });
  await panel.getByRole('button', { name: 'Show the plan' }).click();
  const grubDiff = panel.getByLabel('Changes to /etc/default/grub');
  await expect(grubDiff).toContainText('+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1c03,10de:10f1"');
  await expect(panel.getByLabel('Changes to /etc/modprobe.d/vitrine-vfio.conf')).toContainText('+softdep nouveau pre: vfio-pci');
  await expect(panel.getByLabel('Changes to /etc/tmpfiles.d/10-looking-glass.conf')).toContainText(`+f /dev/shm/looking-glass 0660 ${process.getuid?.() === 0 ? 'vitrine-test' : ''}`);
  await expect(panel).toContainText('update-initramfs -u -k all');
  await page.screenshot({ path: 'test-results/e2e/prepare-plan.png', fullPage: true });
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toBe(grubBefore); // a plan changes nothing

  await panel.getByRole('button', { name: 'Apply (asks for your password)' }).click();
  await expect(panel.getByRole('status')).toContainText('Done. Change set', { timeout: 20_000 });
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain('vfio-pci.ids=10de:1c03,10de:10f1');

  const changes = page.getByRole('list', { name: 'Changes Vitrine made to this host' });
  await expect(changes.getByRole('listitem')).toHaveCount(1);
  await expect(changes).toContainText('applied');
  await changes.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('Undone: the files are back as they were.')).toBeVisible();
  await expect(changes).toContainText('undone');
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toBe(grubBefore);
});

test("a troubleshooter's host fix is a host-preparation plan: previewed as a diff, applied once confirmed", async ({ page, serve, user }) => {
  const root = rootOf(user);
  const file = join(root, 'etc/modprobe.d/kvm-ignore-msrs.conf');
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot' }).click();
  await page.getByLabel('Paste an error or a log').fill('[  305.123456] kvm [4301]: vcpu0, guest rIP: 0xfffff80574e4a1b2 Unhandled WRMSR(0xc0010115) = 0x0\n');
  await page.getByRole('button', { name: 'Diagnose' }).click();
  const finding = page.getByRole('article', { name: 'KMODE_EXCEPTION_NOT_HANDLED: unhandled MSRs' });
  await finding.getByRole('button', { name: 'Preview the host change: Ignore unhandled MSRs' }).click();
  await expect(finding.getByLabel('Changes to /etc/modprobe.d/kvm-ignore-msrs.conf')).toContainText('+options kvm ignore_msrs=1 report_ignored_msrs=0');
  expect(() => readFileSync(file)).toThrow(); // nothing written before Apply
  await finding.getByRole('button', { name: 'Apply (asks for your password)' }).click();
  await expect(finding.getByRole('status')).toContainText('Done. Change set', { timeout: 20_000 });
  expect(readFileSync(file, 'utf8')).toContain('options kvm ignore_msrs=1 report_ignored_msrs=0');
});
