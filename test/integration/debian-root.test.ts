import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { debianRootCopy, debianRootMissing, debianRoots, inRoot, type DebianRootKind } from '../support/debian-root';
import { seed003Xeon } from '../support/hosts';
import { cliPath, repoRoot } from '../support/session-libvirt';

// The proof on real tools: a Debian 12 root made by debootstrap (.ci/debian-roots)
// with Debian's own update-grub (grub-mkconfig and its /etc/grub.d scripts),
// update-initramfs/lsinitramfs and dracut/lsinitrd. The app plans for a fixture
// host laid into that root (its sys/ and proc/: seed 003's Xeon and GTX 1060),
// the helper applies the plan with the commands run in the root (chroot,
// `--run-in-root`), and the generated grub.cfg and initramfs must carry the
// vfio parameters and modules, and GRUB a "without GPU passthrough" entry with
// the command line from before; after rollback none of them. The same for 1 GiB
// hugepages' kernel parameters.
// The only stand-in is grub-probe (the root has no block device; see .ci/debian-roots).

const helper = join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs');
const work = mkdtempSync(join(tmpdir(), 'vitrine-debian-root-test-'));
const cleanups: (() => void)[] = [() => rmSync(work, { recursive: true, force: true })];
// Each root copy is a few hundred MB: removing them takes a while on a busy machine.
afterAll(() => cleanups.reverse().forEach((c) => c()), 10 * 60_000);

if (debianRootMissing) console.log(`debian-root.test.ts skipped: ${debianRootMissing}`);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: join(work, 'data'), HOME: work } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const GPU = ['0000:01:00.0', '0000:01:00.1'];
/** seed 003's GTX 1060 and its audio function, as vfio-pci.ids must name them. */
const IDS = '10de:1c03,10de:10f1';

/** Every `linux` line of a grub.cfg with the title of its menu entry. */
function kernelLines(cfg: string): { title: string; line: string; args: string }[] {
  const found: { title: string; line: string; args: string }[] = [];
  let title = '';
  for (const line of cfg.split('\n')) {
    const entry = /^\s*menuentry\s+'([^']*)'/.exec(line);
    if (entry) title = entry[1]!;
    const linux = /^\s*linux\s+\/boot\/vmlinuz-\S+\s*(.*)$/.exec(line);
    if (linux) found.push({ title, line: line.trim(), args: linux[1]!.trim().replace(/\s+/g, ' ') });
  }
  return found;
}
/** The normal entries' `linux` lines (recovery entries carry GRUB_CMDLINE_LINUX only, by Debian's design; the way back is apart). */
const linuxLines = (cfg: string): string[] => kernelLines(cfg).filter((k) => !k.title.includes(WITHOUT) && !k.title.includes('(recovery mode)')).map((k) => k.line);
/** The entries of the way back that needs no app ("… (without GPU passthrough)"). */
const WITHOUT = 'without GPU passthrough';
const withoutEntries = (cfg: string) => kernelLines(cfg).filter((k) => k.title.includes(WITHOUT));
const VFIO_ARGS = [/\bintel_iommu=on\b/, /\biommu=pt\b/, new RegExp(`\\bvfio[-_]pci\\.ids=${IDS}\\b`)];
const vfioArgsIn = (cfg: string): RegExp[] => VFIO_ARGS.filter((re) => re.test(cfg));

/** The vfio modules' files in an initramfs listing. */
const vfioModules = (listing: string): string[] => listing.split('\n').filter((l) => /\/vfio[-_]pci(-core)?\.ko(\.\w+)?$/.test(l));

const LIST: Record<DebianRootKind, (kernel: string) => string[]> = {
  'initramfs-tools': (kernel) => ['lsinitramfs', `/boot/initrd.img-${kernel}`],
  dracut: (kernel) => ['lsinitrd', `/boot/initrd.img-${kernel}`],
};
const COMMANDS: Record<DebianRootKind, string[][]> = {
  'initramfs-tools': [['update-grub'], ['update-initramfs', '-u', '-k', 'all']],
  dracut: [['update-grub'], ['dracut', '-f', '--regenerate-all']],
};

describe.skipIf(debianRootMissing !== null)('a real plan on a Debian 12 root (debootstrap), commands run in the root', () => {
  let cache = '';
  beforeAll(() => {
    cache = debianRoots();
  }, 20 * 60_000);

  describe.each(['initramfs-tools', 'dracut'] as DebianRootKind[])('GRUB + %s', (kind) => {
    let root = '';
    let kernel = '';
    let originalCfg = '';
    let applied = false;
    let removeRoot = (): void => {};
    afterAll(() => removeRoot(), 10 * 60_000);

    it('apply: update-grub writes the vfio parameters and the way back into grub.cfg, and the initramfs gains vfio_pci', async () => {
      const copy = debianRootCopy(cache, kind, { ...seed003Xeon, cmdline: 'BOOT_IMAGE=/boot/vmlinuz root=UUID=3f1b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d ro quiet' });
      removeRoot = copy.remove;
      root = copy.dir;
      kernel = copy.kernel;
      originalCfg = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
      // The root as debootstrap left it: a grub.cfg for its kernel, an initramfs without vfio.
      expect(linuxLines(originalCfg).length).toBeGreaterThan(0);
      expect(vfioArgsIn(originalCfg)).toEqual([]);
      expect(vfioModules(inRoot(root, LIST[kind](kernel)))).toEqual([]);

      const planned = await run([cliPath, 'setup', 'plan', '--root', root, '--gpu', GPU.join(','), '--user', 'alice', '--no-looking-glass-access', '--json']);
      expect(planned.stderr).toBe('');
      const plan = JSON.parse(planned.stdout) as HostPlan;
      expect(plan.steps.filter((s) => s.kind === 'run').map((s) => s.argv)).toEqual(COMMANDS[kind]);
      const request = (JSON.parse(readFileSync(join(work, 'data', 'vitrine', 'plans', 'last-plan.json'), 'utf8')) as { request: PlanRequest }).request;

      const result = await run([helper, '--root', root, '--run-in-root', 'apply', plan.id, JSON.stringify(request)]);
      expect(result.stderr).not.toMatch(/vitrine-helper:/);
      expect(result.code).toBe(0);
      for (const argv of COMMANDS[kind]) expect(result.stdout).toContain(`running in ${root}: ${argv.join(' ')}`);
      expect(result.stdout).not.toContain('skipped on a scratch root');

      const cfg = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
      expect(cfg).not.toBe(originalCfg);
      const lines = linuxLines(cfg);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(vfioArgsIn(line), line).toEqual(VFIO_ARGS);
      // The way back: GRUB's own 10_linux run again by the plan's /etc/grub.d script, with the command line from before.
      const before = kernelLines(originalCfg).find((k) => !k.title.includes('(recovery mode)'))!.args;
      const without = withoutEntries(cfg);
      expect(without.length, `no "${WITHOUT}" entry in grub.cfg`).toBeGreaterThan(0);
      for (const entry of without) expect(entry.args, entry.title).toBe(before);
      const listing = inRoot(root, LIST[kind](kernel));
      expect(vfioModules(listing).length, `no vfio-pci module in the initramfs:\n${listing.split('\n').filter((l) => /vfio/.test(l)).join('\n')}`).toBeGreaterThan(0);
      applied = true;
    }, 15 * 60_000);

    it('rollback: the regenerated grub.cfg and initramfs no longer carry vfio, nor the way back', async () => {
      expect(applied, 'the apply above failed').toBe(true);
      const result = await run([helper, '--root', root, '--run-in-root', 'rollback']);
      expect(result.stderr).not.toMatch(/vitrine-helper:/);
      expect(result.code).toBe(0);
      const cfg = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
      expect(vfioArgsIn(cfg)).toEqual([]);
      expect(withoutEntries(cfg)).toEqual([]);
      expect(cfg).toBe(originalCfg);
      expect(vfioModules(inRoot(root, LIST[kind](kernel)))).toEqual([]);
    }, 15 * 60_000);
  });

  it('1 GiB hugepages: update-grub puts the kernel parameters on every normal entry, and rollback takes them off', async () => {
    const host = { ...seed003Xeon, cpu: { ...seed003Xeon.cpu, flags: ['fpu', 'vme', 'de', 'pse', 'vmx', 'pdpe1gb'] }, cmdline: 'BOOT_IMAGE=/boot/vmlinuz root=UUID=3f1b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d ro quiet' };
    const copy = debianRootCopy(cache, 'initramfs-tools', host);
    cleanups.push(copy.remove);
    const root = copy.dir;
    const originalCfg = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
    const planned = await run([cliPath, 'setup', 'plan', '--root', root, '--hugepages', '1G:4', '--user', 'alice', '--no-looking-glass-access', '--json']);
    expect(planned.stderr).toBe('');
    const plan = JSON.parse(planned.stdout) as HostPlan;
    expect(plan.steps.filter((s) => s.kind === 'run').map((s) => s.argv)).toEqual([['update-grub']]);
    const request = (JSON.parse(readFileSync(join(work, 'data', 'vitrine', 'plans', 'last-plan.json'), 'utf8')) as { request: PlanRequest }).request;
    const applied = await run([helper, '--root', root, '--run-in-root', 'apply', plan.id, JSON.stringify(request)]);
    expect(applied.stderr).not.toMatch(/vitrine-helper:/);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`running in ${root}: update-grub`);
    const cfg = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
    const lines = linuxLines(cfg);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/ quiet default_hugepagesz=1G hugepagesz=1G hugepages=4$/);
    // The way back boots with the line from before: without the reservation.
    for (const entry of withoutEntries(cfg)) expect(entry.args, entry.title).not.toContain('hugepages');

    const undone = await run([helper, '--root', root, '--run-in-root', 'rollback']);
    expect(undone.stderr).not.toMatch(/vitrine-helper:/);
    expect(undone.code).toBe(0);
    expect(readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8')).toBe(originalCfg);
  }, 15 * 60_000);
});

it('the Debian root tier runs when CI runs (.ci/run runs as root and installs debootstrap)', () => {
  if (process.env['CI'] === 'true') expect(debianRootMissing).toBeNull();
});
