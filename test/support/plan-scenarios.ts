import { createHash } from 'node:crypto';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { hostRoots } from '../../main/host/roots';
import { planOnHost } from '../../main/setup/host-plan';
import type { UndoSource } from '../../main/setup/undo';
import { FAMILIES, tempFamilyRoot, type HostFamily } from './etc-trees';
import { FIXTURE_HOSTS } from './hosts';
import type { HostSpec } from './host-tree';

/**
 * Host preparation plans for every fixture host family (boot loader ×
 * initramfs tool) and request kind (vfio, its options, the handover hook,
 * hugepages of either size), and the variations that make the planner warn
 * (a conflicting GRUB line, no qemu.conf, no initramfs tool, another SELinux
 * policy, another program's libvirt hook, single-GPU mode, …): what the
 * plan-messages test renders in both languages.
 */
export interface PlanScenario {
  name: string;
  family: HostFamily;
  request: PlanRequest;
}

const FLAGS_1G = ['fpu', 'vme', 'de', 'pse', 'vmx', 'pdpe1gb'];
const MEMORY = { totalGiB: 32, availableGiB: 28 };

const withHost = (family: HostFamily, host: Partial<HostSpec>, files: Record<string, string> = {}, markers?: string[]): HostFamily => ({
  ...family,
  host: { ...family.host, ...host },
  files: { ...family.files, ...files },
  markers: markers ?? family.markers,
});

const without = (family: HostFamily, path: string): HostFamily => ({ ...family, files: Object.fromEntries(Object.entries(family.files).filter(([p]) => p !== path)) });

export function planScenarios(): PlanScenario[] {
  const out: PlanScenario[] = [];
  for (const base of FAMILIES) {
    const family = withHost(base, { cpu: { ...base.host.cpu, flags: FLAGS_1G }, memory: MEMORY });
    const { gpu, user } = base.request;
    out.push(
      { name: `${base.name}: its request`, family, request: base.request },
      { name: `${base.name}: kvmfr and both fixes`, family, request: { ...base.request, lookingGlass: { mode: 'kvmfr', sizeMiB: 64 }, ignoreMsrs: true, allowUnsafeInterrupts: true } },
      { name: `${base.name}: handover`, family, request: { gpu, lookingGlass: null, user, handover: 'vm-start' } },
      { name: `${base.name}: vfio and 2 MiB pages`, family, request: { ...base.request, hugepages: { size: '2M', pages: 4096 } } },
      { name: `${base.name}: 1 GiB pages alone`, family, request: { gpu: [], lookingGlass: null, user, hugepages: { size: '1G', pages: 16 } } },
      { name: `${base.name}: vfio and 1 GiB pages`, family, request: { ...base.request, hugepages: { size: '1G', pages: 1 } } },
    );
  }
  const debian = withHost(FAMILIES[0]!, { cpu: { ...FAMILIES[0]!.host.cpu, flags: FLAGS_1G }, memory: MEMORY });
  const arch = FAMILIES.find((f) => f.name.startsWith('arch'))!;
  const popos = FAMILIES.find((f) => f.name.startsWith('popos'))!;
  const fedora = FAMILIES.find((f) => f.name.startsWith('fedora'))!;
  const single = withHost(debian, FIXTURE_HOSTS.singleGpu);
  out.push(
    { name: 'debian: 2 MiB pages alone', family: debian, request: { gpu: [], lookingGlass: null, user: 'alice', hugepages: { size: '2M', pages: 1024 } } },
    { name: 'debian: 2 MiB pages, memory not free now', family: withHost(debian, { memory: { totalGiB: 32, availableGiB: 3 } }), request: { gpu: [], lookingGlass: null, user: 'alice', hugepages: { size: '2M', pages: 4096 } } },
    {
      name: 'debian: 2 MiB pages beside a reservation of the kernel line and of sysctl.conf',
      family: withHost(debian, { cmdline: `${debian.host.cmdline} hugepages=8` }, { '/etc/sysctl.conf': 'vm.nr_hugepages = 128\n' }),
      request: { gpu: [], lookingGlass: null, user: 'alice', hugepages: { size: '2M', pages: 2048 } },
    },
    { name: 'debian: 1 GiB pages replace a 2 MiB reservation', family: withHost(debian, {}, { '/etc/sysctl.d/80-vitrine-hugepages.conf': '# Written by Vitrine\nvm.nr_hugepages = 512\n' }), request: { gpu: [], lookingGlass: null, user: 'alice', hugepages: { size: '1G', pages: 8 } } },
    { name: 'debian: GRUB_CMDLINE_LINUX sets an IOMMU too', family: withHost(debian, {}, { '/etc/default/grub': debian.files['/etc/default/grub']!.replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="intel_iommu=off"') }), request: FAMILIES[0]!.request },
    { name: 'debian: kvmfr without qemu.conf', family: without(debian, '/etc/libvirt/qemu.conf'), request: { ...FAMILIES[0]!.request, lookingGlass: { mode: 'kvmfr', sizeMiB: 32 } } },
    { name: 'debian: no initramfs tool', family: withHost(without(debian, '/etc/initramfs-tools/modules'), {}, {}, ['/usr/sbin/update-grub', '/etc/apparmor.d/']), request: FAMILIES[0]!.request },
    { name: 'debian: SELinux enforcing another policy', family: withHost(debian, {}, { '/etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=mls\n' }), request: { ...FAMILIES[0]!.request, lookingGlass: { mode: 'kvmfr', sizeMiB: 32 } } },
    { name: 'debian: handover beside another program’s hook', family: withHost(debian, {}, { '/etc/libvirt/hooks/qemu': '#!/bin/sh\nexit 0\n' }), request: { gpu: FAMILIES[0]!.request.gpu, lookingGlass: null, user: 'alice', handover: 'vm-start' } },
    { name: 'debian: handover of a card the kernel still binds', family: withHost(debian, FIXTURE_HOSTS.seed003XeonPrepared), request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: null, user: 'alice', handover: 'vm-start' } },
    { name: 'debian: single-GPU handover', family: single, request: { gpu: ['0000:0c:00.0', '0000:0c:00.1'], lookingGlass: { mode: 'shm', sizeMiB: 32 }, user: 'alice', handover: 'vm-start' } },
    { name: 'arch: systemd-boot without /etc/kernel/cmdline', family: withHost(without(arch, '/etc/kernel/cmdline'), {}, {}, [...arch.markers, '/usr/bin/bootctl']), request: arch.request },
    { name: 'popos: kernelstub replaces a parameter', family: withHost(popos, { cmdline: `${popos.host.cmdline} iommu=soft` }), request: popos.request },
    { name: 'fedora: SELinux enforcing (targeted), kvmfr', family: withHost(fedora, {}, { '/etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' }), request: fedora.request },
    { name: 'debian: GRUB reading BLS entries', family: withHost(debian, {}, { '/etc/default/grub': `${debian.files['/etc/default/grub']!}GRUB_ENABLE_BLSCFG=true\n` }), request: FAMILIES[0]!.request },
    {
      name: 'debian: a card whose driver has no module alias',
      family: withHost(debian, { devices: [...debian.host.devices, { address: '05:00.0', class: '0x030000', id: '1a03:2000', group: 40, driver: 'ast' }] }),
      request: { gpu: ['0000:05:00.0'], lookingGlass: null, user: 'alice' },
    },
    { name: 'debian: one function alone (the and inside the reason)', family: debian, request: { ...FAMILIES[0]!.request, gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: null } },
  );
  return out;
}

/** Plan a scenario on a scratch root of its own (removed afterwards). */
export async function planScenario(scenario: PlanScenario): Promise<HostPlan> {
  const root = tempFamilyRoot(scenario.family);
  try {
    const dir = root.dir;
    return await planOnHost(scenario.request, dir, hostRoots({ sys: `${dir}/sys`, proc: `${dir}/proc`, dev: `${dir}/dev`, modules: `${dir}/lib/modules` }));
  } finally {
    root.remove();
  }
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The record the helper would keep of a plan it applied (for its undo), with the commands it ran and their inverses. */
export function recordOfPlan(plan: HostPlan): UndoSource {
  const files: UndoSource['files'] = [];
  const created: string[] = [];
  const planned: Record<string, string | null> = {};
  for (const step of plan.steps) {
    if (step.kind !== 'write') continue;
    planned[step.path] = step.after === null ? null : sha(step.after);
    if (step.before === null) created.push(step.path);
    else files.push({ path: step.path, sha256: sha(step.before), mode: 0o644, uid: 0, gid: 0 });
  }
  const commands = plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : []));
  const inverses = plan.steps.flatMap((s) => (s.kind === 'run' && s.inverse ? [s.inverse] : []));
  return { id: `2026-11-30T03-00-00-000Z-${plan.id.slice(0, 12)}`, reason: plan.reason, files, created, planned, commands, ...(inverses.length ? { inverses } : {}) };
}
