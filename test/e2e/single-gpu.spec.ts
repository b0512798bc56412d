import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, writeFamilyRoot, type HostFamily } from '../support/etc-trees';
import { FIXTURE_HOSTS } from '../support/hosts';
import { writeHandoverParts, writeProcess } from '../support/handover-tree';
import { repoRoot } from '../support/session-libvirt';
import { writeTestIso } from '../support/iso';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

// Acceptance 4 of issue 17: on the single-GPU fixture host (one Radeon, the
// boot display) the wizard offers single-GPU mode, says its risks and checks
// for another way in (SSH), plans the hook instead of refusing, marks the VM,
// and shows before Play what the hook will stop and restore, and that there
// is no Looking Glass. Once in English and once in French.
const debian = FAMILIES[0]!;
const family: HostFamily = { ...debian, name: 'single-gpu-debian', host: FIXTURE_HOSTS.singleGpu };

const catalogue = (lang: string) => JSON.parse(readFileSync(join(repoRoot, 'shared', 'i18n', `${lang}.json`), 'utf8')) as Catalogue;
type Catalogue = typeof import('../../shared/i18n/en.json');
const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k]));

const rootOf = (user: SessionUser): string => join(user.home, 'host');
const own = (user: SessionUser, path: string): void => {
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, path]);
};

for (const [lang, L] of [['en', catalogue('en')], ['fr', catalogue('fr')]] as [string, Catalogue][]) {
  const test = sessionTest({
    prepare: (user) => {
      const root = writeFamilyRoot(family, rootOf(user));
      writeHandoverParts(join(root, 'sys'), { '0000:0c:00.0': 0 });
      writeProcess(join(root, 'proc'), { pid: 900, comm: 'gdm-wayland-session', holds: ['/dev/dri/card0'] });
      writeProcess(join(root, 'proc'), { pid: 901, comm: 'gnome-shell', holds: ['/dev/dri/card0', '/dev/dri/renderD128'] });
      writeProcess(join(root, 'proc'), { pid: 950, comm: 'sshd', holds: [] });
      writeProcess(join(root, 'proc'), { pid: 1234, comm: 'blender', holds: ['/dev/dri/renderD128'] });
      mkdirSync(join(root, 'proc/sys/kernel/random'), { recursive: true });
      writeFileSync(join(root, 'proc/sys/kernel/random/boot_id'), 'boot-1\n');
      mkdirSync(join(user.home, 'Downloads'));
      writeTestIso(join(user.home, 'Downloads', 'Win11_24H2_English_x64.iso'), 'CCCOMA_X64FRE_EN-US_DV9');
      writeTestIso(join(user.home, 'Downloads', 'virtio-win-0.1.262.iso'), 'virtio-win-0.1.262');
      own(user, root);
      own(user, join(user.home, 'Downloads'));
    },
    serveArgs: (user) => [...hostRootArgs(rootOf(user)), '--setup-root', rootOf(user)],
  });

  test.describe(`single-GPU mode in the wizard (${lang})`, () => {
    test.use({ locale: lang === 'fr' ? 'fr-FR' : 'en-US' });
    const shot = (page: Page, n: number, step: string) => page.screenshot({ path: `test-results/e2e/single-gpu-${lang}-${n}-${step}.png`, fullPage: true });
    const stepTitle = (page: Page, n: number, key: keyof Catalogue['wizard']) =>
      expect(page.getByRole('heading', { level: 2 })).toHaveText(fill(L.wizard.stepOf, { n, total: 8, title: (L.wizard[key] as { title: string }).title }), { timeout: 30_000 });
    const next = (page: Page) => page.getByRole('button', { name: L.wizard.next, exact: true }).click();

    test('offers the mode with its risks, installs the hook, and shows the handover before Play', async ({ page, serve, user }) => {
      test.setTimeout(240_000);
      await page.goto(serve.url);
      await page.getByRole('link', { name: L.dashboard.startSetup }).click();
      await stepTitle(page, 1, 'welcome');
      await page.getByRole('button', { name: L.wizard.welcome.start }).click();

      await stepTitle(page, 2, 'host');
      await expect(page.getByRole('button', { name: L.wizard.next, exact: true })).toBeEnabled({ timeout: 30_000 });
      await next(page);

      // The only card is the boot display: offered in single-GPU mode, handed over at VM start only.
      await stepTitle(page, 3, 'gpu');
      await expect(page.getByRole('radio', { name: /0000:0c:00\.0/ })).toBeChecked();
      await expect(page.getByText(L.wizard.gpu.singleOffered)).toBeVisible();
      const how = page.getByRole('group', { name: L.wizard.gpu.handover });
      await expect(how.getByRole('radio', { name: L.wizard.gpu.vmStart })).toBeChecked();
      await expect(how.getByRole('radio', { name: L.wizard.gpu.boot })).toBeDisabled();
      // The risks in plain words, and the way back in: this fixture runs sshd.
      await expect(page.getByText(L.wizard.gpu.risksTitle)).toBeVisible();
      await expect(page.getByText(L.wizard.gpu.riskDesktop)).toBeVisible();
      await expect(page.getByText(L.wizard.gpu.sshFound)).toBeVisible();
      // Navi 21: vendor-reset does not cover it, and the card says so.
      await expect(page.getByText(L.amdReset.notCovered.replace('{{family}}', 'Navi 21'))).toBeVisible();
      const nextButton = page.getByRole('button', { name: L.wizard.next, exact: true });
      await expect(nextButton).toBeDisabled();
      await page.getByLabel(L.wizard.gpu.canReach).check();
      await shot(page, 3, 'gpu');
      await next(page);

      // The plan installs the hook (no refusal, no vfio-pci at boot), through the helper.
      await stepTitle(page, 4, 'prepare');
      await expect(page.getByText(fill(L.prepare.whyHandover, { devices: '0000:0c:00.0, 0000:0c:00.1' }))).toBeVisible();
      await page.getByRole('button', { name: L.prepare.showPlan }).click();
      const hookDiff = page.getByLabel(fill(L.prepare.fileDiff, { path: '/etc/libvirt/hooks/qemu' }));
      await expect(hookDiff).toContainText('# vitrine-handover-hook 1', { timeout: 30_000 });
      await expect(page.getByLabel(fill(L.prepare.fileDiff, { path: '/etc/libvirt/hooks/vitrine-handover.conf' }))).toContainText('stop_display_manager=yes');
      await shot(page, 4, 'prepare-plan');
      await page.getByRole('button', { name: L.prepare.apply }).click();
      await expect(page.getByText(L.wizard.prepare.hookTitle)).toBeVisible({ timeout: 30_000 });
      expect(readFileSync(join(rootOf(user), 'etc/libvirt/hooks/qemu'), 'utf8')).toContain('# vitrine-handover-hook 1');
      await next(page);

      await stepTitle(page, 5, 'create');
      const form = page.locator('.edit-form');
      await form.getByLabel(L.wizard.create.windowsIso, { exact: true }).fill(join(user.home, 'Downloads', 'Win11_24H2_English_x64.iso'));
      await expect(form.getByLabel(L.wizard.create.virtioIso, { exact: true })).toHaveValue(join(user.home, 'Downloads', 'virtio-win-0.1.262.iso'));
      await form.getByLabel(fill(L.wizard.create.vcpus, { host: '.*' }).split('(')[0]!.trim(), { exact: false }).fill('1');
      await form.getByLabel(fill(L.wizard.create.memory, { host: '' }).split('(')[0]!.trim(), { exact: false }).fill('256');
      await form.getByLabel(L.wizard.create.diskSize).fill('1');
      await page.getByRole('button', { name: L.wizard.create.review, exact: true }).click();
      await page.getByRole('button', { name: L.wizard.create.create }).click();

      await stepTitle(page, 6, 'install');
      await next(page);

      // The card, no Looking Glass memory, and the mark the hook reads.
      await stepTitle(page, 7, 'attach');
      await expect(page.getByText(L.wizard.attach.noMemory)).toBeVisible();
      const diff = page.getByLabel(L.vm.diff);
      await expect(diff).toContainText("+        <address domain='0x0000' bus='0x0c' slot='0x00' function='0x0'/>", { timeout: 30_000 });
      await expect(diff).toContainText("<vitrine:handover mode='vm-start'/>");
      await expect(diff).not.toContainText('<shmem');
      await shot(page, 7, 'attach');
      await page.getByRole('button', { name: L.vm.apply, exact: true }).click();
      await expect(page.getByText(L.wizard.attach.applied)).toBeVisible({ timeout: 30_000 });
      expect(await user.virsh('dumpxml', '--inactive', 'win11')).toMatch(/<vitrine:handover mode=["']vm-start["']\/>/);
      await next(page);

      // Before Play: no Looking Glass, how to get back, what the hook stops and restores, what to close.
      await stepTitle(page, 8, 'play');
      const panel = page.getByRole('region', { name: L.handover.title });
      await expect(panel.getByText(L.handover.noLookingGlass)).toBeVisible({ timeout: 30_000 });
      await expect(panel.getByText(L.handover.getBack)).toBeVisible();
      const steps = panel.getByRole('listitem');
      await expect(steps.filter({ hasText: fill(L.handover.step.displayManager, { unit: 'display-manager.service' }) })).toBeVisible();
      await expect(steps.filter({ hasText: fill(L.handover.step.consoles, { list: 'vtcon1' }) })).toBeVisible();
      await expect(steps.filter({ hasText: fill(L.handover.step.framebuffer, { list: 'efi-framebuffer.0' }) })).toBeVisible();
      await expect(steps.filter({ hasText: fill(L.handover.step.unbind, { list: '0000:0c:00.0, 0000:0c:00.1' }) })).toBeVisible();
      await expect(panel.getByText(L.handover.restores)).toBeVisible();
      await expect(panel.getByText(/gnome-shell \(901\)/)).toBeVisible();
      await expect(panel.getByText(fill(L.handover.blockers, { list: 'blender (1234)' }))).toBeVisible();
      await expect(page.getByRole('button', { name: fill(L.play.playNamed, { name: 'win11' }) })).toBeVisible();
      await shot(page, 8, 'play');
    });
  });
}
