import { join } from 'node:path';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { writePveBin } from '../support/proxmox';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const hostDir = (user: SessionUser): string => join(user.home, 'host');
const test = sessionTest({
  // Seed 001's Proxmox VE host: iommu=pt written into /etc/default/grub, update-grub never run; pveversion and qm on PATH.
  prepare: (user) => {
    writeFamilyRoot(FAMILIES.find((f) => f.name === 'proxmox-grub-seed001')!, hostDir(user));
    writePveBin(join(hostDir(user), 'bin'));
    user.env['PATH'] = `${join(hostDir(user), 'bin')}:${user.env['PATH'] ?? ''}`;
  },
  serveArgs: (user) => [...hostRootArgs(hostDir(user)), '--etc-root', join(hostDir(user), 'etc')],
});

test('on a Proxmox host the checklist says so, uses qm instead of virsh, and names update-grub as the step not run', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Host' }).click();
  const checklist = page.getByRole('list', { name: 'Readiness checklist' });
  const proxmox = checklist.getByRole('listitem').filter({ hasText: 'Proxmox VE 8.2.4' });
  await expect(proxmox).toContainText('not through libvirt', { timeout: 20_000 });
  await expect(checklist.getByRole('listitem').filter({ hasText: 'Proxmox VM tool (qm)' })).toContainText('OK');
  await expect(checklist.getByRole('listitem').filter({ hasText: 'libvirt client (virsh)' })).toHaveCount(0);
  const boot = checklist.getByRole('listitem').filter({ hasText: 'Kernel parameters reach the boot' });
  await expect(boot).toContainText('iommu=pt is in /etc/default/grub but not on the running kernel’s command line: update-grub was not run');
  await expect(boot).toContainText('Run: sudo update-grub, then reboot.');
  await page.screenshot({ path: 'test-results/e2e/host-proxmox.png', fullPage: true });
});
