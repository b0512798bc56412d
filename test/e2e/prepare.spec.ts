import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { englishWords } from '../support/english';
import { repoRoot, TEST_USER } from '../support/session-libvirt';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

const family = FAMILIES[0]!; // Debian: GRUB + initramfs-tools, seed 003's GTX 1060
/** The scratch root: the fixture host and its /etc, which the host changes are applied to. */
const rootOf = (user: SessionUser): string => join(user.home, 'host');

const test = sessionTest({
  prepare: (user) => {
    const root = writeFamilyRoot(family, rootOf(user));
    // This boot's id: the undo is checked after the next boot (another id).
    mkdirSync(join(root, 'proc/sys/kernel/random'), { recursive: true });
    writeFileSync(join(root, 'proc/sys/kernel/random/boot_id'), 'b0b0b0b0-0000-4000-8000-000000000001\n');
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
  await expect(panel.getByLabel('Changes to /etc/tmpfiles.d/10-looking-glass.conf')).toContainText(`+f /dev/shm/looking-glass 0660 ${process.getuid?.() === 0 ? TEST_USER : ''}`);
  await expect(panel).toContainText('update-initramfs -u -k all');
  await page.screenshot({ path: 'test-results/e2e/prepare-plan.png', fullPage: true });
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toBe(grubBefore); // a plan changes nothing

  await panel.getByRole('button', { name: 'Apply (asks for your password)' }).click();
  await expect(panel.getByRole('status')).toContainText('Done. Change set', { timeout: 20_000 });
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain('vfio-pci.ids=10de:1c03,10de:10f1');

  const changes = page.getByRole('list', { name: 'Changes Vitrine made to this host' });
  await expect(changes.getByRole('listitem')).toHaveCount(1);
  await expect(changes).toContainText('applied');
  // The way back that needs no app: a GRUB entry without passthrough, and the recovery note.
  expect(readFileSync(join(root, 'etc/grub.d/35_vitrine_without_passthrough'), 'utf8')).toContain("GRUB_CMDLINE_LINUX_DEFAULT='quiet'");
  expect(readFileSync(join(root, 'var/lib/vitrine/RECOVERY.txt'), 'utf8')).toContain('vitrine setup rollback');

  // Undo is reviewed first: the files put back, the boot tools run again; "Keep the change" leaves everything.
  await changes.getByRole('button', { name: 'Undo' }).click();
  let review = page.getByRole('region', { name: 'Undo this change?' });
  await expect(review.getByLabel('Changes to /etc/default/grub')).toContainText('-GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:1c03,10de:10f1"');
  await expect(review).toContainText('/etc/grub.d/35_vitrine_without_passthrough is removed (Vitrine created it).');
  await expect(review.getByRole('listitem').filter({ hasText: 'update-grub' })).toBeVisible();
  await expect(review.getByRole('listitem').filter({ hasText: 'update-initramfs -u -k all' })).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/prepare-undo-review.png', fullPage: true });
  await review.getByRole('button', { name: 'Keep the change' }).click();
  await expect(review).toBeHidden();
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain('vfio-pci.ids=');

  await changes.getByRole('button', { name: 'Undo' }).click();
  review = page.getByRole('region', { name: 'Undo this change?' });
  await review.getByRole('button', { name: 'Undo (asks for your password)' }).click();
  await expect(page.getByText('Undone: the files are back as they were and the boot files were regenerated.')).toBeVisible({ timeout: 20_000 });
  await expect(changes).toContainText('undone');
  await expect(changes).toContainText('Restart the computer to boot without the change');
  expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toBe(grubBefore);
  expect(() => readFileSync(join(root, 'etc/grub.d/35_vitrine_without_passthrough'))).toThrow();

  // The next boot: the page checks that the card is back on its own driver and the kernel line lost the ids.
  writeFileSync(join(root, 'proc/sys/kernel/random/boot_id'), 'b0b0b0b0-0000-4000-8000-000000000002\n');
  await page.reload();
  const checked = page.getByRole('list', { name: 'Changes Vitrine made to this host' });
  await expect(checked).toContainText('Checked after the restart: the boot is back as before.', { timeout: 20_000 });
  await expect(checked).toContainText('0000:01:00.0 uses');
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

type Catalogue = typeof import('../../shared/i18n/en.json');
const fr = JSON.parse(readFileSync(join(repoRoot, 'shared', 'i18n', 'fr.json'), 'utf8')) as Catalogue;

/**
 * The English a French reader would see in a part of the page: its visible text, without code (paths, argv, diffs, the helper's own output).
 * `account`: the user the service runs as, named in some texts (a name, like a path, whatever words it holds: vitrine-test).
 */
async function englishIn(part: Locator, account: string): Promise<string[]> {
  const texts = await part.evaluate((root) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.replace(/\s+/g, ' ').trim();
      const parent = node.parentElement;
      if (!text || !parent || parent.closest('code, pre, kbd, samp, .mono, .diff, [translate="no"], option')) continue;
      const box = parent.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) out.push(text);
    }
    return out;
  });
  expect(texts.length).toBeGreaterThan(0);
  // Paths are names, whatever words they hold (/etc/grub.d/35_vitrine_without_passthrough).
  return texts.filter((t) => englishWords(t.replaceAll(account, ' ').replace(/(^|\s)\/[\w./-]+/g, ' ')).length > 0);
}

test.describe('in French', () => {
  test.use({ locale: 'fr-FR' });

  test('the plan’s reasons and warnings, the change listed and its undo are French', async ({ page, serve, user }) => {
    const account = user.env['USER']!;
    await page.goto(serve.url);
    await page.getByRole('navigation', { name: fr.nav.label }).getByRole('link', { name: fr.nav.host }).click();
    const gpu = page.getByRole('article', { name: /0000:01:00\.0/ });
    await gpu.getByRole('button', { name: fr.prepare.start }).click({ timeout: 20_000 });
    const panel = page.getByRole('region', { name: /Préparer l’hôte pour/ });
    // kvmfr and the MSR fix: more files, and warnings (kvmfr's module, qemu.conf).
    await panel.getByLabel(fr.prepare.lgMode).selectOption('kvmfr');
    await panel.getByLabel(fr.prepare.ignoreMsrs).check();
    await panel.getByRole('button', { name: fr.prepare.showPlan }).click();
    await expect(panel.getByRole('button', { name: fr.prepare.apply })).toBeVisible({ timeout: 20_000 });
    await expect(panel).toContainText('Attacher 0000:01:00.0, 0000:01:00.1 à vfio-pci, donner à');
    await expect(panel).toContainText('Reconstruire l’initramfs (une ou deux minutes).');
    await expect(panel).toContainText('kvmfr ne fait pas partie du noyau');
    await page.screenshot({ path: 'test-results/e2e/prepare-plan-fr.png', fullPage: true });
    expect(await englishIn(panel, account)).toEqual([]);

    await panel.getByRole('button', { name: fr.prepare.apply }).click();
    await expect(panel.getByRole('status')).toContainText('Fait.', { timeout: 20_000 });
    const changes = page.getByRole('list', { name: fr.changes.title });
    await expect(changes).toContainText('Attacher 0000:01:00.0, 0000:01:00.1 à vfio-pci');
    expect(await englishIn(changes, account)).toEqual([]);

    await changes.getByRole('listitem').filter({ hasText: 'Attacher 0000:01:00.0' }).filter({ hasText: fr.changes.state.applied }).getByRole('button', { name: fr.changes.undo, exact: true }).click();
    const review = page.getByRole('region', { name: fr.changes.reviewTitle });
    await expect(review.getByRole('listitem').filter({ hasText: 'update-grub' })).toContainText('Réécrire le menu de GRUB');
    await page.screenshot({ path: 'test-results/e2e/prepare-undo-review-fr.png', fullPage: true });
    expect(await englishIn(review, account)).toEqual([]);
    await review.getByRole('button', { name: fr.changes.confirm }).click();
    await expect(page.getByText(fr.changes.undone)).toBeVisible({ timeout: 20_000 });
    expect(await englishIn(page.getByRole('list', { name: fr.changes.title }), account)).toEqual([]);
  });
});
