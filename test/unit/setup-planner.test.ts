import { mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { scanHost } from '../../main/host/scan';
import { hostRoots } from '../../main/host/roots';
import { gatherPlanFacts } from '../../main/setup/facts';
import { formatPlan } from '../../main/setup/format';
import { planHost } from '../../main/setup/planner';
import { commandRefusal } from '../../main/setup/helper/policy';
import { FAMILIES, tempFamilyRoot, type HostFamily } from '../support/etc-trees';
import { expectGolden } from '../support/golden';

const goldenDir = join(import.meta.dirname, '..', 'fixtures', 'setup');
const roots: { remove(): void }[] = [];
// Removing every scratch tree can take long on a loaded machine: the hook's limit is not a check of speed.
afterAll(() => roots.forEach((r) => r.remove()), 120_000);

async function planFor(dir: string, request: PlanRequest): Promise<HostPlan> {
  const report = await scanHost(hostRoots({ sys: join(dir, 'sys'), proc: join(dir, 'proc'), dev: join(dir, 'dev'), modules: join(dir, 'lib', 'modules') }));
  return planHost(request, await gatherPlanFacts(dir, report));
}

function newRoot(family: HostFamily): string {
  const root = tempFamilyRoot(family);
  roots.push(root);
  return root.dir;
}

/** What the helper would leave behind: the writes done, and the kernel booted with the new command line. */
function simulateApplyAndReboot(dir: string, plan: HostPlan): void {
  for (const step of plan.steps) {
    if (step.kind === 'write') {
      if (step.after === null) unlinkSync(join(dir, step.path));
      else {
        mkdirSync(join(dir, step.path, '..'), { recursive: true });
        writeFileSync(join(dir, step.path), step.after);
      }
    } else if (step.kernelArgs) writeFileSync(join(dir, 'proc', 'cmdline'), `${step.kernelArgs.after}\n`);
  }
  const grub = plan.steps.find((s) => s.kind === 'write' && (s.path === '/etc/default/grub' || s.path === '/etc/kernel/cmdline'));
  if (grub && grub.kind === 'write' && grub.after) {
    const line = grub.path === '/etc/kernel/cmdline' ? grub.after.trim() : grub.after.match(/GRUB_CMDLINE_LINUX_DEFAULT="([^"]*)"/)![1]!;
    // systemd-boot (and proxmox-boot-tool's ESPs) put no BOOT_IMAGE= on the line; GRUB does.
    writeFileSync(join(dir, 'proc', 'cmdline'), grub.path === '/etc/kernel/cmdline' ? `${line}\n` : `BOOT_IMAGE=/vmlinuz ${line}\n`);
  }
}

describe('golden plans for each host family', () => {
  for (const family of FAMILIES) {
    it(family.name, async () => {
      const dir = newRoot(family);
      const plan = await planFor(dir, family.request);
      expectGolden(join(goldenDir, `${family.name}.plan.txt`), formatPlan(plan));
      expect(plan.rebootRequired).toBe(true);
    });
  }
});

describe('idempotent: a second plan on a prepared host is empty', () => {
  for (const family of FAMILIES) {
    it(family.name, async () => {
      const dir = newRoot(family);
      const first = await planFor(dir, family.request);
      expect(first.steps.length).toBeGreaterThan(0);
      simulateApplyAndReboot(dir, first);
      const second = await planFor(dir, family.request);
      expect(second.steps).toEqual([]);
      expect(formatPlan(second)).toBe('Nothing to change: the host is already prepared for this.\n');
    });
  }
});

describe('plan contents', () => {
  it('replaces earlier vfio ids and IOMMU settings instead of adding twice', async () => {
    const family = FAMILIES[0]!;
    const dir = newRoot(family);
    const grub = join(dir, 'etc/default/grub');
    writeFileSync(grub, readFileSync(grub, 'utf8').replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash vfio_pci.ids=10de:ffff intel_iommu=off"'));
    const plan = await planFor(dir, family.request);
    const step = plan.steps.find((s) => s.kind === 'write' && s.path === '/etc/default/grub');
    expect(step?.kind === 'write' && step.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt vfio-pci.ids=10de:1c03,10de:10f1"');
  });

  it('adds rd.driver.pre on dracut hosts, and kvmfr with its udev rule and qemu.conf ACL', async () => {
    const plan = await planFor(newRoot(FAMILIES[1]!), FAMILIES[1]!.request);
    const grubby = plan.steps.find((s) => s.kind === 'run' && s.argv[0] === 'grubby');
    expect(grubby?.kind === 'run' && grubby.argv).toContain('--args=amd_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef rd.driver.pre=vfio-pci');
    const paths = plan.steps.flatMap((s) => (s.kind === 'write' ? [s.path] : []));
    expect(paths).toEqual(expect.arrayContaining(['/etc/modprobe.d/kvmfr.conf', '/etc/modules-load.d/kvmfr.conf', '/etc/udev/rules.d/99-kvmfr.rules', '/etc/libvirt/qemu.conf', '/etc/dracut.conf.d/vitrine-vfio.conf']));
    expect(paths).not.toContain('/etc/apparmor.d/local/abstractions/libvirt-qemu'); // Fedora: SELinux, no AppArmor
  });

  it('writes the AppArmor rule for kvmfr where AppArmor is present', async () => {
    const family = { ...FAMILIES[0]!, request: { ...FAMILIES[0]!.request, lookingGlass: { mode: 'kvmfr' as const, sizeMiB: 32 } } };
    const plan = await planFor(newRoot(family), family.request);
    const rule = plan.steps.find((s) => s.kind === 'write' && s.path === '/etc/apparmor.d/local/abstractions/libvirt-qemu');
    expect(rule?.kind === 'write' && rule.after).toContain('/dev/kvmfr0 rw,');
  });

  describe('SELinux contexts for the Looking Glass memory (Fedora, Bazzite)', () => {
    const enforcing = (family: HostFamily, config = 'SELINUX=enforcing\nSELINUXTYPE=targeted\n', local?: string): HostFamily => ({
      ...family,
      files: { ...family.files, '/etc/selinux/config': config, ...(local !== undefined ? { '/etc/selinux/targeted/contexts/files/file_contexts.local': local } : {}) },
    });
    const semanage = (plan: HostPlan) => plan.steps.flatMap((s) => (s.kind === 'run' && s.argv[0] === 'semanage' ? [s.argv.join(' ')] : []));
    it('gives /dev/kvmfr0 the svirt_tmpfs_t context when SELinux enforces', async () => {
      const plan = await planFor(newRoot(enforcing(FAMILIES[1]!)), FAMILIES[1]!.request);
      expect(semanage(plan)).toEqual(['semanage fcontext -a -t svirt_tmpfs_t /dev/kvmfr0']);
      expect(plan.steps.filter((s) => s.kind === 'run').every((s) => s.kind === 'run' && commandRefusal(s.argv) === null)).toBe(true);
    });
    it('gives /dev/shm/looking-glass the context before systemd-tmpfiles creates it (Bazzite)', async () => {
      const family = { ...FAMILIES[4]!, request: { ...FAMILIES[4]!.request, lookingGlass: { mode: 'shm' as const, sizeMiB: 32 } } };
      const plan = await planFor(newRoot(enforcing(family)), family.request);
      const runs = plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv.join(' ')] : []));
      expect(runs.indexOf('semanage fcontext -a -t svirt_tmpfs_t /dev/shm/looking-glass')).toBeGreaterThanOrEqual(0);
      expect(runs.indexOf('semanage fcontext -a -t svirt_tmpfs_t /dev/shm/looking-glass')).toBeLessThan(runs.indexOf('systemd-tmpfiles --create /etc/tmpfiles.d/10-looking-glass.conf'));
    });
    it('nothing when SELinux is permissive or the context is already there; a warning for another policy', async () => {
      expect(semanage(await planFor(newRoot(enforcing(FAMILIES[1]!, 'SELINUX=permissive\n')), FAMILIES[1]!.request))).toEqual([]);
      expect(semanage(await planFor(newRoot(enforcing(FAMILIES[1]!, undefined, '/dev/kvmfr0    system_u:object_r:svirt_tmpfs_t:s0\n')), FAMILIES[1]!.request))).toEqual([]);
      const mls = await planFor(newRoot(enforcing(FAMILIES[1]!, 'SELINUX=enforcing\nSELINUXTYPE=mls\n')), FAMILIES[1]!.request);
      expect(semanage(mls)).toEqual([]);
      expect(mls.warnings.join(' ')).toContain('semanage fcontext -a -t svirt_tmpfs_t /dev/kvmfr0');
    });
    it('a prepared host only missing the context gets the context alone', async () => {
      const family = { ...FAMILIES[4]!, request: { ...FAMILIES[4]!.request, lookingGlass: { mode: 'shm' as const, sizeMiB: 32 } } };
      const dir = newRoot(enforcing(family));
      const first = await planFor(dir, family.request);
      simulateApplyAndReboot(dir, first);
      const second = await planFor(dir, family.request);
      expect(second.steps.map((s) => (s.kind === 'run' ? s.argv.join(' ') : s.path))).toEqual(['semanage fcontext -a -t svirt_tmpfs_t /dev/shm/looking-glass']);
      mkdirSync(join(dir, 'etc/selinux/targeted/contexts/files'), { recursive: true });
      writeFileSync(join(dir, 'etc/selinux/targeted/contexts/files/file_contexts.local'), '/dev/shm/looking-glass    system_u:object_r:svirt_tmpfs_t:s0\n');
      expect((await planFor(dir, family.request)).steps).toEqual([]);
    });
  });

  it('says what the optional fixes cost', async () => {
    const plan = await planFor(newRoot(FAMILIES[4]!), FAMILIES[4]!.request);
    expect(plan.warnings.join(' ')).toContain('could inject interrupts into the host');
  });
});

describe('bad input is refused, naming the problem, and nothing is planned', () => {
  const family = FAMILIES[0]!;
  const withGrub = (content: string | null, link = false): Promise<HostPlan> => {
    const dir = newRoot(family);
    const grub = join(dir, 'etc/default/grub');
    if (link) {
      writeFileSync(join(dir, 'etc/default/grub.real'), readFileSync(grub));
      unlinkSync(grub);
      symlinkSync('grub.real', grub);
    } else if (content !== null) writeFileSync(grub, content);
    return planFor(dir, family.request);
  };
  const base = 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n';

  it.each([
    ['a value that spans lines', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet \\\n splash"\n`, 'spans several lines'],
    ['$(…)', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet $(cat /etc/extra)"\n`, 'uses $ or backticks'],
    ['backticks', `${base}GRUB_CMDLINE_LINUX_DEFAULT=\`echo quiet\`\n`, 'uses $ or backticks'],
    ['joined quotes', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet"' splash'\n`, 'not a single quoted value'],
    ['a duplicated key', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX_DEFAULT="splash"\n`, 'is set 2 times'],
    ['CRLF line ends', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet"\r\n`, 'CRLF'],
    ['no final newline', `${base}GRUB_CMDLINE_LINUX_DEFAULT="quiet"`, 'does not end with a newline'],
  ])('/etc/default/grub with %s', async (_what, content, message) => {
    await expect(withGrub(content)).rejects.toThrow(message);
  });

  it('/etc/default/grub as a symbolic link', async () => {
    await expect(withGrub(null, true)).rejects.toThrow('symbolic link');
  });

  it.each([
    [['0000:01:00.0', '0000:01:00.0', '0000:01:00.1'], 'listed twice'],
    [['01:00'], 'is not a PCI address'],
    [['0000:0b:00.0'], 'has no PCI device'],
    [['0000:01:00.0'], 'must be bound too'],
    [['0000:00:02.0'], "host's boot display"],
    [['0000:00:1f.2'], "host's root file system"],
  ])('GPU %j', async (gpu, message) => {
    await expect(planFor(newRoot(family), { ...family.request, gpu })).rejects.toThrow(message);
  });

  it('a user name that is not one', async () => {
    await expect(planFor(newRoot(family), { ...family.request, user: 'alice; rm -rf /' })).rejects.toThrow('is not a user name');
  });
});

describe('Proxmox VE hosts', () => {
  const pbt = FAMILIES.find((f) => f.name === 'proxmox-boot-tool-etc-modules')!;
  const grub = FAMILIES.find((f) => f.name === 'proxmox-grub-seed001')!;

  it('proxmox-boot-tool: /etc/kernel/cmdline and refresh on systemd-boot ESPs; /etc/default/grub and refresh on GRUB-booted ones', async () => {
    const dir = newRoot(pbt);
    const plan = await planFor(dir, pbt.request);
    expect(plan.host.bootloader).toBe('proxmox-boot-tool');
    expect(plan.steps.filter((s) => s.kind === 'run').map((s) => s.kind === 'run' && s.argv.join(' '))).toEqual(['proxmox-boot-tool refresh', 'update-initramfs -u -k all']);
    expect(plan.steps.filter((s) => s.kind === 'write').map((s) => s.kind === 'write' && s.path)).toEqual(['/etc/kernel/cmdline', '/etc/modprobe.d/vitrine-vfio.conf', '/etc/modules', '/var/lib/vitrine/RECOVERY.txt']);
    const note = plan.steps.find((s) => s.kind === 'write' && s.path === '/var/lib/vitrine/RECOVERY.txt');
    expect(note?.kind === 'write' && note.after).toContain('Proxmox VE boots through proxmox-boot-tool');
    // Legacy BIOS (or Secure Boot) ESPs boot GRUB: BOOT_IMAGE= on the running line, the parameters go to /etc/default/grub.
    writeFileSync(join(dir, 'proc', 'cmdline'), 'BOOT_IMAGE=/ROOT/pve-1@/boot/vmlinuz-5.4.78-2-pve root=ZFS=rpool/ROOT/pve-1 ro boot=zfs quiet\n');
    const grubMode = await planFor(dir, pbt.request);
    expect(grubMode.steps.filter((s) => s.kind === 'write').map((s) => s.kind === 'write' && s.path)[0]).toBe('/etc/default/grub');
    expect(grubMode.steps.find((s) => s.kind === 'run')).toMatchObject({ argv: ['proxmox-boot-tool', 'refresh'] });
    // Its GRUB menu gets the entry without passthrough too (proxmox-boot-tool runs /etc/grub.d for GRUB-mode ESPs).
    expect(grubMode.steps.some((s) => s.kind === 'write' && s.path === '/etc/grub.d/35_vitrine_without_passthrough')).toBe(true);
  });

  let grubRoot: string | null = null;
  const grubDir = (): string => (grubRoot ??= newRoot(grub));

  it('seed 001: a GRUB-booted Proxmox gets update-grub, and vfio already in /etc/modules is not added again', async () => {
    const plan = await planFor(grubDir(), grub.request);
    expect(plan.host.bootloader).toBe('grub');
    expect(plan.steps.filter((s) => s.kind === 'run').map((s) => s.kind === 'run' && s.argv.join(' '))).toEqual(['update-grub']);
    expect(plan.steps.some((s) => s.kind === 'write' && (s.path === '/etc/modules' || s.path === '/etc/initramfs-tools/modules'))).toBe(false);
  });

  it('Looking Glass memory on Proxmox comes from the VM’s ivshmem line: no tmpfiles rule, no libvirt file, a note', async () => {
    const plan = await planFor(grubDir(), { ...grub.request, lookingGlass: { mode: 'shm', sizeMiB: 32 } });
    expect(plan.steps.some((s) => s.kind === 'write' && (s.path.startsWith('/etc/tmpfiles.d/') || s.path.startsWith('/etc/libvirt/')))).toBe(false);
    expect(plan.warnings.join('\n')).toContain('/dev/shm/pve-shm-looking-glass');
  });
});
