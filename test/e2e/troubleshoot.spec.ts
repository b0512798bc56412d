import { join } from 'node:path';
import { writeHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const NAME = 'trouble-vm';
// Seed 003's host, so that its card 0000:01:00.0 can be attached (this machine has none; the start then fails).
const hostDir = (user: SessionUser): string => join(user.home, 'host');
const test = sessionTest({
  domains: [NAME],
  prepare: (user) => void writeHostTree(FIXTURE_HOSTS.seed003Xeon, hostDir(user)),
  serveArgs: (user) => hostRootArgs(hostDir(user)),
});

test('a pasted error is recognised, its evidence highlighted, and its one-click fix previewed before it is applied', async ({ page, serve, user }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot' }).click();
  await page.getByLabel('Virtual machine (its logs and settings are read)').selectOption(NAME);
  await page.getByLabel('Paste an error or a log').fill(
    'Installed the driver, then Device Manager says:\nWindows has stopped this device because it has reported problems. (Code 43)\n',
  );
  await page.getByRole('button', { name: 'Diagnose' }).click();
  const finding = page.getByRole('article', { name: 'Code 43: Windows stopped the GPU' });
  await expect(finding).toBeVisible({ timeout: 20_000 });
  await expect(finding.locator('mark')).toHaveText('(Code 43)');
  await finding.getByRole('button', { name: 'Preview the fix: Hide the hypervisor (method B)' }).click();
  const diff = finding.getByLabel('Changes to the VM definition');
  await expect(diff).toContainText("+    <vendor_id state='on' value='0123456789ab'/>");
  await page.screenshot({ path: 'test-results/e2e/troubleshoot.png', fullPage: true });
  expect(await user.virsh('dumpxml', '--inactive', NAME)).not.toContain('vendor_id');
  await finding.getByRole('button', { name: 'Apply' }).click();
  await expect(finding.getByRole('status')).toHaveText('Applied. The previous definition is in the history below.');
  expect(await user.virsh('dumpxml', '--inactive', NAME)).toContain("<vendor_id state='on' value='0123456789ab'/>");
});

test('known problems are found by the words people use', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot' }).click();
  await page.getByLabel('Describe the problem in your words').fill('mouse only moves when I click');
  const known = page.getByRole('list', { name: 'Known problems' });
  await expect(known.getByRole('listitem').first()).toContainText('The mouse moves only when I click');
  await known.getByText('The mouse moves only when I click').click();
  await expect(known).toContainText('Remove the emulated tablet');
});

test('plain words: "error 127" puts the reset entry first; words that match nothing say so and show the closest', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshoot' }).click();
  const search = page.getByLabel('Describe the problem in your words');
  const known = page.getByRole('list', { name: 'Known problems' });
  await search.fill('error 127');
  await expect(known.getByRole('listitem').first()).toContainText('Error 127: the GPU did not reset');
  await expect(page.getByText(/Nothing known matches/)).toHaveCount(0);
  await search.fill('stuter');
  await expect(page.getByText('Nothing known matches “stuter”. The closest known problems:')).toBeVisible();
  await expect(known.getByRole('listitem').first()).toContainText('The mouse moves only when I click');
  await search.fill('stutter');
  await expect(page.getByText(/Nothing known matches/)).toHaveCount(0);
  await expect(known.getByRole('listitem').first()).toContainText('The mouse moves only when I click');
});

test('a failed start links to the troubleshooter with its text', async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.goto(`${serve.origin}/#/machines/${NAME}`);
  await page.getByRole('button', { name: 'Choose a graphics card, USB controllers or USB devices…' }).click();
  await page.getByRole('radio', { name: /0000:01:00\.0/ }).check();
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Applied.')).toBeVisible();
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Start' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The host cannot pass PCI devices');
  await alert.getByRole('link', { name: 'Troubleshoot this' }).click();
  await expect(page.getByLabel('Paste an error or a log')).toHaveValue(/host doesn't support passthrough of host PCI devices/);
  await page.getByRole('button', { name: 'Diagnose' }).click();
  await expect(page.getByRole('article', { name: 'Error -22: the IOMMU is off' })).toBeVisible({ timeout: 20_000 });
});
