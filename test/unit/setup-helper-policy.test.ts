import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { hostRoots } from '../../main/host/roots';
import { planOnHost } from '../../main/setup/host-plan';
import { planIdOf } from '../../main/setup/planner';
import { commandRefusal, helperRequestSchema, manifestSchema, planRefusals } from '../../main/setup/helper/policy';
import { FAMILIES, tempFamilyRoot } from '../support/etc-trees';

const roots: { remove(): void }[] = [];
afterAll(() => roots.forEach((r) => r.remove()));

async function planFamily(index: number, request?: PlanRequest): Promise<HostPlan> {
  const family = FAMILIES[index]!;
  const root = tempFamilyRoot(family);
  roots.push(root);
  const dir = root.dir;
  return planOnHost(request ?? family.request, dir, hostRoots({ sys: join(dir, 'sys'), proc: join(dir, 'proc'), dev: join(dir, 'dev'), modules: join(dir, 'lib', 'modules') }));
}

describe('the plan id', () => {
  it('is the sha256 of the whole plan, the same for the same host and request', async () => {
    const a = await planFamily(0);
    const b = await planFamily(0);
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    expect(b.id).toBe(a.id);
    const { id, ...content } = a;
    expect(planIdOf(content)).toBe(id);
  });

  it('changes with any path, byte, mode, argv, reason, or the reboot flag', async () => {
    const plan = await planFamily(0);
    const { id, ...content } = plan;
    const index = plan.steps.findIndex((s) => s.kind === 'write');
    const command = plan.steps.findIndex((s) => s.kind === 'run');
    const edits: ((p: Omit<HostPlan, 'id'>) => void)[] = [
      (p) => Object.assign(p.steps[index]!, { path: '/etc/shadow' }),
      (p) => Object.assign(p.steps[index]!, { after: `${(p.steps[index] as { after: string }).after} ` }),
      (p) => Object.assign(p.steps[index]!, { before: 'x' }),
      (p) => Object.assign(p.steps[index]!, { mode: 0o600 }),
      (p) => Object.assign(p.steps[command]!, { argv: [...(p.steps[command] as { argv: string[] }).argv, '-o', '/etc/shadow'] }),
      (p) => Object.assign(p.steps[command]!, { reason: 'other' }),
      (p) => (p.rebootRequired = !p.rebootRequired),
      (p) => p.steps.push({ kind: 'run', argv: ['sh', '-c', 'id'], reason: 'x', long: false }),
      (p) => p.steps.reverse(),
      (p) => p.warnings.push('x'),
    ];
    const ids = new Set([id]);
    for (const edit of edits) {
      const copy = structuredClone(content);
      edit(copy);
      ids.add(planIdOf(copy));
    }
    expect(ids.size).toBe(edits.length + 1);
  });
});

describe('command templates: only what the planner produces can run', () => {
  it("accepts every command of every host family's plan, and nothing in them is refused", async () => {
    for (let i = 0; i < FAMILIES.length; i++) {
      const plan = await planFamily(i);
      expect(plan.steps.some((s) => s.kind === 'run'), FAMILIES[i]!.name).toBe(true);
      expect(planRefusals(plan), FAMILIES[i]!.name).toEqual([]);
    }
  });

  it.each([
    [['update-grub']],
    [['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg']],
    [['grub-mkconfig', '-o', '/boot/grub/grub.cfg']],
    [['update-initramfs', '-u', '-k', 'all']],
    [['dracut', '-f', '--regenerate-all']],
    [['mkinitcpio', '-P']],
    [['kernel-install', 'add-all']],
    [['grubby', '--update-kernel=ALL', '--args=intel_iommu=on iommu=pt vfio-pci.ids=10de:1c03,10de:10f1', '--remove-args=iommu=soft']],
    [['kernelstub', '--add-options', 'amd_iommu=on iommu=pt']],
    [['kernelstub', '--delete-options', 'vfio_pci.ids=10de:ffff']],
    [['rpm-ostree', 'kargs', '--delete-if-present=iommu=soft', '--append-if-missing=iommu=pt']],
    [['rpm-ostree', 'initramfs', '--enable']],
    [['systemd-tmpfiles', '--create', '/etc/tmpfiles.d/10-looking-glass.conf']],
  ])('accepts %j', (argv) => {
    expect(commandRefusal(argv)).toBeNull();
  });

  it.each([
    [['grub-mkconfig', '-o', '/etc/shadow'], 'is not a command Vitrine runs'],
    [['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg', '--extra'], 'is not a command Vitrine runs'],
    [['update-grub', '-o', '/etc/shadow'], 'is not a command Vitrine runs'],
    [['dracut', '-f', '/etc/shadow'], 'is not a command Vitrine runs'],
    [['dracut', '-f', '--regenerate-all', '--include', '/tmp/x', '/'], 'is not a command Vitrine runs'],
    [['mkinitcpio', '-P', '-c', '/tmp/x.conf'], 'is not a command Vitrine runs'],
    [['modprobe', '-C', '/home/u/x.conf', 'vfio'], 'modprobe is not a program Vitrine may run'],
    [['sh', '-c', 'id'], 'sh is not a program Vitrine may run'],
    [['/usr/sbin/update-grub'], 'is not a program Vitrine may run'],
    [['grubby', '--update-kernel=ALL', '--args=init=/bin/sh'], 'is not a command Vitrine runs'],
    [['grubby', '--update-kernel=/boot/vmlinuz', '--args=iommu=pt'], 'is not a command Vitrine runs'],
    [['grubby', '--update-kernel=ALL', '--args=iommu=pt', '--args=quiet'], 'is not a command Vitrine runs'],
    [['kernelstub', '--add-options', 'iommu=pt', '--loader'], 'is not a command Vitrine runs'],
    [['kernelstub', '--add-options', 'iommu=pt"; id'], 'is not a command Vitrine runs'],
    [['rpm-ostree', 'kargs', '--append=iommu=pt'], 'is not a command Vitrine runs'],
    [['rpm-ostree', 'kargs', '--append-if-missing=a b'], 'is not a command Vitrine runs'],
    [['rpm-ostree', 'install', 'x'], 'is not a command Vitrine runs'],
    [['systemd-tmpfiles', '--create', '/etc/tmpfiles.d/evil.conf'], 'is not a command Vitrine runs'],
    [[], 'is not a program Vitrine may run'],
  ])('refuses %j', (argv, message) => {
    expect(commandRefusal(argv)).toContain(message);
  });

  it('refuses a plan writing outside the allow-list or with another mode', async () => {
    const plan = await planFamily(0);
    const bad: HostPlan = { ...plan, steps: [{ kind: 'write', path: '/etc/shadow', before: null, after: 'x', mode: 0o4755, reason: 'x' }] };
    expect(planRefusals(bad)).toEqual(['/etc/shadow is not a file Vitrine may change', '/etc/shadow: mode 4755 is not 0644, 0640, 0600']);
    // Only the GRUB script is executable, and only 0755.
    const script = { kind: 'write' as const, path: '/etc/grub.d/35_vitrine_without_passthrough', before: null, after: '#!/bin/sh\n', reason: 'x' };
    expect(planRefusals({ ...plan, steps: [{ ...script, mode: 0o755 }] })).toEqual([]);
    expect(planRefusals({ ...plan, steps: [{ ...script, mode: 0o4755 }] })).toEqual(['/etc/grub.d/35_vitrine_without_passthrough: mode 4755 is not 0755']);
    expect(planRefusals({ ...plan, steps: [{ ...script, path: '/etc/modprobe.d/vitrine-vfio.conf', mode: 0o755 }] })).toEqual(['/etc/modprobe.d/vitrine-vfio.conf: mode 755 is not 0644, 0640, 0600']);
  });
});

describe("the helper's request", () => {
  const request = FAMILIES[0]!.request;

  it('is the Host page request, strictly', () => {
    expect(helperRequestSchema.parse(request)).toEqual(request);
    for (const bad of [{ ...request, steps: [] }, { ...request, user: 'root; id' }, { ...request, user: '../x' }, { ...request, gpu: ['/etc/shadow'] }, { ...request, lookingGlass: { mode: 'kvmfr', sizeMiB: 33 } }, { ...request, lookingGlass: { mode: 'shm', sizeMiB: 32, path: '/x' } }]) {
      expect(helperRequestSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('change set records', () => {
  const good = {
    id: '2026-11-30T01-00-00-000Z-0123456789ab',
    planId: 'a'.repeat(64),
    reason: 'x',
    createdAt: '2026-11-30T01:00:00.000Z',
    state: 'applied',
    files: [{ path: '/etc/default/grub', sha256: 'b'.repeat(64), mode: 0o644, uid: 0, gid: 0 }],
    created: ['/etc/modprobe.d/vitrine-vfio.conf'],
    createdDirs: ['/etc/modprobe.d'],
    planned: { '/etc/default/grub': 'c'.repeat(64), '/etc/modprobe.d/vitrine-vfio.conf': null },
  };

  it('accepts what apply writes and refuses paths, folders, modes and owners it would never write', () => {
    expect(manifestSchema.safeParse(good).success).toBe(true);
    const bad = [
      { ...good, files: [{ ...good.files[0]!, path: '/etc/shadow' }] },
      { ...good, files: [{ ...good.files[0]!, path: '/etc/default/../shadow' }] },
      { ...good, files: [{ ...good.files[0]!, mode: 0o4755 }] },
      { ...good, files: [{ ...good.files[0]!, uid: -1 }] },
      { ...good, files: [{ ...good.files[0]!, uid: '0' }] },
      { ...good, created: ['/etc/passwd'] },
      { ...good, createdDirs: ['/etc'] },
      { ...good, createdDirs: ['/var/lib'] },
      { ...good, planned: { '/etc/shadow': null } },
      { ...good, id: '../x' },
      { ...good, extra: true },
    ];
    for (const b of bad) expect(manifestSchema.safeParse(b).success, JSON.stringify(b).slice(0, 300)).toBe(false);
  });
});
