import type { Page } from '@playwright/test';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { englishWords } from '../support/english';
import { writeHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { writeTestIso } from '../support/iso';
import { repoRoot, runCli } from '../support/session-libvirt';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

// A VM's whole life in the UI, on qemu:///session with seed 000's host (its
// first card shares IOMMU group 1 with four NIC ports; USB cards beside it):
// New VM outside the wizard, devices picked from lists (the shared group
// accepted explicitly), the console through a stand-in viewer on PATH, Stop's
// countdown with Force off now, a test copy, Delete with its disk.
const NAME = 'win10-life';
const hostDir = (user: SessionUser): string => join(user.home, 'host');
const own = (user: SessionUser, path: string): void => {
  if (process.getuid?.() === 0) chownSync(path, user.uid, user.gid);
};
const catalogue = (lang: string) => JSON.parse(readFileSync(join(repoRoot, 'shared', 'i18n', `${lang}.json`), 'utf8')) as typeof import('../../shared/i18n/en.json');
const fr = catalogue('fr');

const test = sessionTest({
  prepare: async (user) => {
    writeHostTree(FIXTURE_HOSTS.seed000Z490, hostDir(user));
    for (const [iso, label] of [['win.iso', 'CCCOMA_X64FRE_EN-US_DV9'], ['virtio.iso', 'virtio-win-0.1.266']] as const) {
      writeTestIso(join(user.home, iso), label);
      own(user, join(user.home, iso));
    }
    // The stand-in viewer: writes how it was started, then ends.
    const bin = join(user.home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'virt-viewer'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$HOME/viewer-args"\n');
    chmodSync(join(bin, 'virt-viewer'), 0o755);
    own(user, bin);
    own(user, join(bin, 'virt-viewer'));
    user.env['PATH'] = `${bin}:${user.env['PATH'] ?? '/usr/bin:/bin'}`;
    const created = await runCli(user, [
      '--connect', 'qemu:///session', 'vm', 'create', '--name', NAME, '--os', 'win10', '--iso', join(user.home, 'win.iso'), '--virtio-iso', join(user.home, 'virtio.iso'),
      '--cpus', '1', '--memory', '256', '--disk', join(user.home, `${NAME}.qcow2`), '--disk-size', '1', '--user-net', '--virt-type', 'qemu',
    ]);
    if (created.code !== 0) throw new Error(created.stderr);
  },
  serveArgs: (user) => hostRootArgs(hostDir(user)),
});
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1280, height: 800 } });

const openVm = async (page: Page, serve: { url: string; origin: string }, name: string): Promise<void> => {
  await page.goto(serve.url); // trades the token for the session cookie
  await page.goto(`${serve.origin}/#/machines/${encodeURIComponent(name)}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
};

test('New VM outside the wizard: the wizard\'s form, checked as you type, then the new VM\'s page', async ({ page, serve, user }) => {
  await page.goto(serve.url);
  await page.getByRole('link', { name: 'New VM' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New virtual machine' })).toBeVisible();
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('second/vm');
  await expect(page.getByText('A VM name cannot contain "/": use letters, digits, spaces and . _ + -')).toBeVisible();
  await name.fill('second');
  await page.getByRole('spinbutton', { name: /^Virtual CPUs/ }).fill('1');
  await page.getByLabel('Memory in MiB', { exact: false }).fill('256');
  await page.getByLabel('Disk size (GiB)').fill('1');
  await page.getByLabel('Windows ISO', { exact: true }).fill(join(user.home, 'win.iso'));
  await page.getByLabel('virtio-win ISO', { exact: true }).fill(join(user.home, 'virtio.iso'));
  await expect(page.locator('.field-error')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/e2e/life-new-vm-en.png', fullPage: true });
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create the VM' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'second' })).toBeVisible({ timeout: 60_000 });
  expect(await user.virsh('list', '--all', '--name')).toContain('second');
});

test('the card, its shared group (accepted explicitly) and a USB controller, picked from lists', async ({ page, serve, user }) => {
  await openVm(page, serve, NAME);
  // Nothing is typed: the host check's devices, by name, with their addresses small.
  await expect(page.getByRole('textbox', { name: /PCI/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Choose a graphics card, USB controllers or USB devices…' }).click();
  await page.getByRole('radio', { name: /0000:01:00\.0/ }).check();
  const accept = page.getByRole('checkbox', { name: 'Pass the whole group (these 4 devices too)' });
  await expect(accept).not.toBeChecked();
  await expect(page.locator('.group-accept')).toContainText('0000:04:00.0');
  await expect(page.locator('.group-accept')).toContainText('0000:05:00.1');
  // Not until the group is accepted.
  const previewButton = page.getByRole('button', { name: 'Preview the changes' });
  await expect(previewButton).toBeDisabled();
  await page.screenshot({ path: 'test-results/e2e/life-pick-group-en.png', fullPage: true });
  await accept.check();
  await page.getByRole('group', { name: 'USB controllers' }).getByRole('checkbox', { name: /0000:08:00\.0/ }).check();
  await page.getByRole('group', { name: 'USB devices' }).getByRole('checkbox', { name: /04d9:0169/ }).check();
  await previewButton.click();
  const diff = page.getByLabel('Changes to the VM definition');
  for (const [bus, fn] of [['0x01', '0x0'], ['0x01', '0x3'], ['0x04', '0x1'], ['0x05', '0x0'], ['0x08', '0x0']]) {
    await expect(diff).toContainText(`<address domain='0x0000' bus='${bus}' slot='0x00' function='${fn}'/>`);
  }
  await expect(diff).toContainText("<vendor id='0x04d9'/>");
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Applied. The previous definition is in the history below.')).toBeVisible({ timeout: 30_000 });
  const xml = await user.virsh('dumpxml', '--inactive', NAME);
  expect(xml.match(/<hostdev mode='subsystem' type='pci'/g)).toHaveLength(9);
  expect(xml).toContain("bus='0x08'");
  // Now listed as passed; the dashboard's card names it.
  await expect(page.getByRole('radio', { name: /0000:01:00\.0/ })).toHaveAccessibleName(/already passed to this VM/);
});

test('Console opens the viewer found on PATH', async ({ page, serve, user }) => {
  await openVm(page, serve, NAME);
  await page.getByRole('button', { name: 'Open the console' }).click();
  await expect(page.getByText(`The console opened in ${join(user.home, 'bin', 'virt-viewer')}.`)).toBeVisible({ timeout: 30_000 });
  const args = join(user.home, 'viewer-args');
  await expect.poll(() => (existsSync(args) ? readFileSync(args, 'utf8') : '')).toBe(`--connect\nqemu:///session\n--wait\n--reconnect\n--\n${NAME}\n`);
});

test('Stop counts down and offers Force off now, which asks first and says what is lost', async ({ page, serve }) => {
  await openVm(page, serve, 'second');
  const actions = page.getByRole('group', { name: 'Actions' });
  await actions.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('.page-head .badge')).toHaveText('Running', { timeout: 20_000 });
  // No operating system in there to answer the ACPI request: the wait runs.
  await actions.getByRole('button', { name: 'Shut down' }).click();
  const countdown = page.locator('.stop-countdown');
  await expect(countdown).toContainText(/Waiting for Windows to shut down: \d+ seconds left before Vitrine offers to force it off\./);
  await page.screenshot({ path: 'test-results/e2e/life-stop-countdown-en.png', fullPage: true });
  await countdown.getByRole('button', { name: 'Force second off' }).click();
  const confirm = countdown.getByRole('alertdialog');
  await expect(confirm).toContainText('Force second off? It is like pulling the plug: what is not saved in Windows is lost.');
  await confirm.getByRole('button', { name: 'Force it off' }).click();
  await expect(page.locator('.page-head .badge')).toHaveText('Shut off', { timeout: 15_000 });
  await expect(countdown).toBeHidden();
});

test('a test copy: new name, UUID and MAC, its disk copied; Delete can take the copy\'s disk, and says so first', async ({ page, serve, user }) => {
  await openVm(page, serve, NAME);
  await page.getByRole('button', { name: 'Make a test copy…' }).click();
  const form = page.getByRole('form', { name: 'Test copy' });
  await expect(form).toContainText('a full copy of its disk beside the original');
  const copyName = form.getByLabel('Name of the copy');
  await expect(copyName).toHaveValue(`${NAME}-test`);
  await copyName.fill(NAME);
  await expect(form).toContainText(`A VM called ${NAME} already exists: choose another name.`);
  await expect(form.getByRole('button', { name: 'Make the copy' })).toBeDisabled();
  await copyName.fill('copy');
  await form.getByRole('button', { name: 'Make the copy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'copy' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(`copy is a copy of ${NAME}. Its disk: ${join(user.home, 'copy.qcow2')}`)).toBeVisible();
  const [original, copy] = [await user.virsh('dumpxml', '--inactive', NAME), await user.virsh('dumpxml', '--inactive', 'copy')];
  const uuid = (xml: string) => xml.match(/<uuid>([^<]+)<\/uuid>/)![1];
  const mac = (xml: string) => xml.match(/<mac address='([^']+)'/)![1];
  expect(uuid(copy)).not.toBe(uuid(original));
  expect(mac(copy)).not.toBe(mac(original));
  expect(copy).toContain(`<source file='${join(user.home, 'copy.qcow2')}'`);
  expect(copy).toContain(`<source file='${join(user.home, 'win.iso')}'`);
  expect(existsSync(join(user.home, 'copy.qcow2'))).toBe(true);

  // Delete: the disk stays unless asked; asked, the question says so.
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(`Delete copy? Its definition, UEFI variables and TPM state are removed; its disk stays (${join(user.home, 'copy.qcow2')})`);
  await confirm.getByLabel('Also delete its disk (everything installed in Windows is lost)').check();
  await expect(confirm).toContainText(`Delete copy and its disk? Its definition, UEFI variables, TPM state and the disk ${join(user.home, 'copy.qcow2')} are removed`);
  await page.screenshot({ path: 'test-results/e2e/life-delete-en.png', fullPage: true });
  await confirm.getByRole('button', { name: 'Delete copy' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Virtual machines' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(`copy was deleted. Its disk was deleted: ${join(user.home, 'copy.qcow2')}`)).toBeVisible();
  expect(existsSync(join(user.home, 'copy.qcow2'))).toBe(false);
  expect(existsSync(join(user.home, `${NAME}.qcow2`))).toBe(true);
  expect(await user.virsh('list', '--all', '--name')).not.toContain('copy');
});

test('the dashboard as home: each VM a card with its card, what Play needs and the fix', async ({ page, serve }) => {
  await page.goto(serve.url);
  const card = (name: string) => page.locator(`.vm-card[data-domain="${name}"]`);
  await expect(card('second').locator('.readiness')).toContainText('Play needs a graphics card passed to this VM; it has none.', { timeout: 30_000 });
  await expect(card('second').getByRole('button', { name: 'Play second' })).toBeDisabled();
  await expect(card('second').getByRole('link', { name: 'Attach the card' })).toHaveAttribute('href', '#/machines/second');
  // win10-life has its card but no Looking Glass memory: the next thing Play needs.
  await expect(card(NAME).locator('.readiness')).toContainText('Play needs Looking Glass shared memory in this VM; it has none.');
  await expect(card(NAME).getByRole('button', { name: `Play ${NAME}` })).toBeDisabled();
  await page.screenshot({ path: 'test-results/e2e/life-dashboard-en.png', fullPage: true });
});

test('the wizard checks its saved state on load: a VM deleted elsewhere sends it back to step 5; done steps stay open', async ({ page, serve, user }) => {
  const data = join(user.home, '.local', 'share', 'vitrine');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'wizard.json'), JSON.stringify({ step: 'attach', gpu: null, lookingGlass: null, changeSet: null, bootIdAtApply: null, vm: 'gone-vm', done: false, reached: 'attach' }));
  for (const dir of [join(user.home, '.local'), join(user.home, '.local', 'share'), data, join(data, 'wizard.json')]) own(user, dir);
  await page.goto(serve.url);
  await page.goto(`${serve.origin}/#/setup`);
  await expect(page.getByText('The VM gone-vm no longer exists (it was deleted outside the setup): create it again.')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('Step 5 of 8: Create the VM');
  const steps = page.getByRole('navigation', { name: 'Setup steps' });
  await expect(steps.getByRole('button', { name: /Attach the card/ })).toHaveCount(0);
  await steps.getByRole('button', { name: /^2\. / }).click();
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(/^Step 2 of 8/);
  // Going back keeps step 5 open.
  await steps.getByRole('button', { name: /^5\. / }).click();
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('Step 5 of 8: Create the VM');
  expect(JSON.parse(readFileSync(join(data, 'wizard.json'), 'utf8'))).toMatchObject({ step: 'create', vm: null, reached: 'create' });
});

test.describe('in French', () => {
  test.use({ locale: 'fr-FR' });
  test('the same screens read in French', async ({ page, serve }) => {
    await page.goto(serve.url);
    await expect(page.locator(`.vm-card[data-domain="second"] .readiness`)).toContainText(fr.dashboard.needGpu, { timeout: 30_000 });
    await page.screenshot({ path: 'test-results/e2e/life-dashboard-fr.png', fullPage: true });
    await openVm(page, serve, 'second');
    await page.getByRole('button', { name: fr.vm.pickDevices }).click();
    await page.getByRole('radio', { name: /0000:01:00\.0/ }).check();
    await expect(page.getByRole('checkbox', { name: fr.devices.wholeGroup_other.replace('{{count}}', '4') })).toBeVisible();
    await page.getByRole('button', { name: fr.vm.clone }).click();
    await page.getByLabel(fr.vm.cloneName).fill('a/b');
    await expect(page.getByText(fr.validation.nameChars.replace('{{chars}}', '"/"'))).toBeVisible();
    await page.screenshot({ path: 'test-results/e2e/life-vm-fr.png', fullPage: true });
    await page.goto(`${serve.origin}/#/machines/new`);
    await page.getByLabel(fr.wizard.create.name, { exact: true }).fill('');
    await expect(page.getByText(fr.validation.nameEmpty)).toBeVisible();
    await page.screenshot({ path: 'test-results/e2e/life-new-vm-fr.png', fullPage: true });
  });

  test('the CPU pinning plan and a refusal from the service read in French', async ({ page, serve }) => {
    await page.goto(serve.url);
    await page.goto(`${serve.origin}/#/machines/new`);
    await page.getByLabel(fr.pinning.enable).check();
    // Each line's reason, from the service's planner: French, plurals included.
    const reasons = page.getByRole('table', { name: fr.pinning.reasons });
    await expect(reasons).toContainText('vCPU 0 sur le CPU', { timeout: 30_000 });
    await expect(reasons).toContainText(/cœurs? entiers?/);
    // The summary's counts by the plural rules ("1 cœur", never "1 cœurs").
    await expect(page.getByText(/vCPU \(\d+ cœurs? × \d+ threads?\)/)).toBeVisible();
    await expect(page.getByText(/\b1 cœurs\b|\b1 threads\b/)).toHaveCount(0);
    for (const cell of await reasons.locator('tbody td:not(.mono)').allInnerTexts()) expect(englishWords(cell), cell).toEqual([]);
    // CPUs the host lacks: the service refuses, and says so in French (no English fallback).
    const cpus = page.getByLabel(fr.pinning.cpus);
    await cpus.fill('200-201');
    await cpus.blur();
    const banner = page.locator('.banner-error').first();
    await expect(banner).toContainText('Cet hôte n’a pas de CPU 200-201', { timeout: 30_000 });
    await expect(banner).toContainText('Choisissez des CPU parmi');
    for (const text of await page.locator('.banner-error').allInnerTexts()) expect(englishWords(text), text).toEqual([]);
    await page.screenshot({ path: 'test-results/e2e/life-pinning-fr.png', fullPage: true });
  });
});
