import { chownSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/session-libvirt';
import { expect, sessionTest } from './fixtures';
import { writeTestIso } from '../support/iso';

const NAME = 'win10-e2e';
const test = sessionTest({
  prepare: async (user) => {
    for (const [iso, label] of [['win.iso', 'CCCOMA_X64FRE_EN-US_DV9'], ['virtio.iso', 'virtio-win-0.1.266']] as const) {
      writeTestIso(join(user.home, iso), label);
      if (process.getuid?.() === 0) chownSync(join(user.home, iso), user.uid, user.gid);
    }
    const created = await runCli(user, [
      '--connect', 'qemu:///session', 'vm', 'create', '--name', NAME, '--os', 'win10', '--iso', join(user.home, 'win.iso'), '--virtio-iso', join(user.home, 'virtio.iso'),
      '--cpus', '2', '--memory', '256', '--disk', join(user.home, 'win10.qcow2'), '--disk-size', '1', '--user-net', '--virt-type', 'qemu',
    ]);
    if (created.code !== 0) throw new Error(created.stderr);
  },
});

test('the VM page: hardware, start and force off, an edit previewed then applied, history and restore', async ({ page, serve, user }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Virtual machines' }).click();
  await page.getByRole('link', { name: NAME }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  await expect(page.getByText('Windows 10')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('2 vCPUs')).toBeVisible();

  const actions = page.getByRole('group', { name: 'Actions' });
  await actions.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('.page-head .badge')).toHaveText('Running', { timeout: 10_000 });
  await actions.getByRole('button', { name: 'Force off' }).click();
  // Nothing happens before the confirmation; Cancel leaves the VM running.
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(`Force ${NAME} off?`);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.locator('.page-head .badge')).toHaveText('Running');
  await actions.getByRole('button', { name: 'Force off' }).click();
  await confirm.getByRole('button', { name: 'Force it off' }).click();
  await expect(page.locator('.page-head .badge')).toHaveText('Shut off', { timeout: 10_000 });

  await page.getByLabel('Remove the emulated tablet').check();
  await page.getByLabel('No emulated display').check();
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  const diff = page.getByLabel('Changes to the VM definition');
  await expect(diff).toContainText("-    <input type='tablet' bus='usb'>");
  await expect(diff).toContainText("+      <model type='none'/>");
  await page.screenshot({ path: 'test-results/e2e/vm-preview.png', fullPage: true });
  expect(await user.virsh('dumpxml', '--inactive', NAME)).toContain("type='tablet'");

  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Applied. The previous definition is in the history below.')).toBeVisible();
  expect(await user.virsh('dumpxml', '--inactive', NAME)).not.toContain("type='tablet'");
  const history = page.getByRole('list', { name: 'Previous definitions' });
  await expect(history.getByRole('listitem')).toHaveCount(1);
  await expect(history).toContainText('replaced by: changed: emulated display removed, emulated tablet removed');

  await history.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByText('Restored.')).toBeVisible();
  expect(await user.virsh('dumpxml', '--inactive', NAME)).toContain("type='tablet'");
  await expect(history.getByRole('listitem')).toHaveCount(2);
});

test('an edit that cannot be made says why', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.goto(`${serve.origin}/#/machines/${NAME}`);
  // Devices are picked from the host's lists; what is still typed is checked as it is typed.
  await expect(page.getByRole('textbox', { name: /PCI/ })).toHaveCount(0);
  await page.getByLabel('ROM file for the first device').fill('roms/gpu.rom');
  await expect(page.getByText('Give a full path, starting with /.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Preview the changes' })).toBeDisabled();
});

test('Delete asks first, removes the VM, keeps its disk and says so', async ({ page, serve, user }) => {
  await page.goto(`${serve.url}`);
  await page.goto(`${serve.origin}/#/machines/${NAME}`);
  await expect(page.locator('.page-head .badge')).toHaveText('Shut off', { timeout: 10_000 });
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(`Delete ${NAME}? Its definition, UEFI variables and TPM state are removed; its disk stays`);
  await confirm.getByRole('button', { name: `Delete ${NAME}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Virtual machines' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'was deleted' })).toContainText(`${NAME} was deleted. Its disk was kept: `);
  expect((await user.virsh('list', '--all', '--name')).trim()).toBe('');
});
