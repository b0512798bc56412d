import { expect, test } from '@playwright/test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { createSessionUser, startServe, type SessionUser } from '../support/session-libvirt';

let user: SessionUser;
let serve: { url: string; origin: string; child: ChildProcess };
let root: string;
const family = FAMILIES[0]!; // Debian: GRUB + initramfs-tools, seed 003's GTX 1060

test.beforeAll(async () => {
  user = await createSessionUser();
  root = writeFamilyRoot(family, join(user.home, 'host'));
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, root]);
  serve = await startServe(user, [
    '--sysfs-root', join(root, 'sys'), '--proc-root', join(root, 'proc'), '--dev-root', join(root, 'dev'), '--modules-root', join(root, 'lib/modules'),
    '--setup-root', root,
  ]);
});
test.afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await user?.cleanup();
});

test('prepare the host: the plan as diffs, one Apply, the change listed, and Undo', async ({ page }) => {
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

test("a troubleshooter's host fix is a host-preparation plan: previewed as a diff, applied once confirmed", async ({ page }) => {
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
