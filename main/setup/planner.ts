import { createHash } from 'node:crypto';
import type { Bootloader, HostPlan, InitramfsTool, PciDevice, PlanCommand, PlanRequest, PlanWrite } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg, type Msg } from '../../shared/i18n/message';
import { english } from '../common/text';
import { said, Warnings, planReasonMsg, type Said } from './plan-text';
import { passSet } from '../host/verdicts';
import { parsePciAddress, formatPciAddress } from '../common/pci-address';
import { parseGrubDefault } from './grub-default';
import { checkIds, managedArgs, tokens, withManagedArgs } from './kernel-args';
import { RECOVERY_NOTE, WITHOUT_ENTRY, recoveryNote, withoutEntryScript, withoutPassthrough } from './recovery';
import { HANDOVER_FILES, handoverWrites, isHandoverWrite } from './handover-plan';
import { HUGEPAGES_SYSCTL, SYSCTL_CONF, planHugepages, type HugepageSteps } from './hugepage-plan';
import type { HugepageInfo } from '../host/cpu-topology';

/** What the planner knows of the host: contents of the files it may change, which tools exist. */
export interface PlanFacts {
  cpuVendor: 'intel' | 'amd' | 'other';
  devices: PciDevice[];
  /** Contents by absolute host path; null when the file does not exist. */
  files: Record<string, string | null>;
  /** Host paths that exist (tools, markers such as /run/ostree-booted). */
  exists: Set<string>;
  /** Host paths among `files` that are symbolic links (never written through). */
  symlinks: Set<string>;
  /** The running kernel's command line. */
  cmdline: string;
  /** Memory and hugepage pools (/proc/meminfo, /sys/kernel/mm/hugepages); null when not read (no hugepages asked) or unreadable. */
  hugepages: HugepageInfo | null;
  /** The CPU maps 1 GiB pages (`pdpe1gb`). */
  gigaPages: boolean;
}

/** Files the planner reads (and the only ones a plan may write; the helper checks again). */
export const PLAN_FILES = [
  '/etc/default/grub',
  '/etc/kernel/cmdline',
  '/etc/initramfs-tools/modules',
  '/etc/modules',
  '/etc/mkinitcpio.conf',
  '/etc/dracut.conf.d/vitrine-vfio.conf',
  '/etc/modprobe.d/vitrine-vfio.conf',
  '/etc/modprobe.d/kvmfr.conf',
  '/etc/modprobe.d/kvm-ignore-msrs.conf',
  '/etc/modprobe.d/vfio-unsafe-interrupts.conf',
  '/etc/modules-load.d/kvmfr.conf',
  '/etc/udev/rules.d/99-kvmfr.rules',
  '/etc/tmpfiles.d/10-looking-glass.conf',
  '/etc/apparmor.d/local/abstractions/libvirt-qemu',
  '/etc/libvirt/qemu.conf',
  WITHOUT_ENTRY,
  RECOVERY_NOTE,
  ...HANDOVER_FILES,
  HUGEPAGES_SYSCTL,
  // Read only: a vm.nr_hugepages there would decide the pool at boot after Vitrine's file.
  SYSCTL_CONF,
  // Read only: whether SELinux enforces, and the file contexts already added (semanage writes them).
  '/etc/selinux/config',
  '/etc/selinux/targeted/contexts/files/file_contexts.local',
] as const;

/** Tools and markers the planner looks for. */
export const PLAN_MARKERS = [
  '/run/ostree-booted',
  '/etc/kernelstub/configuration',
  '/usr/sbin/grubby',
  '/usr/bin/grubby',
  '/usr/sbin/update-grub',
  '/usr/sbin/grub-mkconfig',
  '/usr/bin/grub-mkconfig',
  '/usr/sbin/grub2-mkconfig',
  '/usr/bin/grub2-mkconfig',
  '/usr/bin/kernel-install',
  '/usr/bin/bootctl',
  '/usr/sbin/update-initramfs',
  '/usr/bin/dracut',
  '/usr/sbin/dracut',
  '/usr/bin/mkinitcpio',
  '/etc/apparmor.d',
  '/etc/initramfs-tools',
  '/etc/dracut.conf.d',
  '/etc/pve',
  '/etc/kernel/proxmox-boot-uuids',
  '/usr/sbin/proxmox-boot-tool',
] as const;

const HEADER = '# Written by Vitrine (GPU passthrough). Remove this file, or undo in Vitrine, to revert.';
const VFIO_MODULES = ['vfio', 'vfio_iommu_type1', 'vfio_pci'];

function refuse(kind: string, message: Msg, hint: Msg): never {
  throw VitrineError.of(kind, message, hint);
}

const has = (facts: PlanFacts, ...paths: string[]): boolean => paths.some((p) => facts.exists.has(p));

/** Which bootloader tooling this host uses, most specific first. */
export function detectBootloader(facts: PlanFacts): Bootloader {
  if (has(facts, '/run/ostree-booted')) return 'rpm-ostree';
  // Proxmox VE on ZFS and most UEFI installs: proxmox-boot-tool keeps the ESPs in sync (its list of ESPs is the marker).
  if (has(facts, '/etc/kernel/proxmox-boot-uuids')) return 'proxmox-boot-tool';
  if (has(facts, '/etc/kernelstub/configuration')) return 'kernelstub';
  if (has(facts, '/usr/sbin/grubby', '/usr/bin/grubby')) return 'grubby';
  if (facts.files['/etc/kernel/cmdline'] !== null && facts.files['/etc/default/grub'] === null) return 'systemd-boot';
  if (facts.files['/etc/default/grub'] !== null) return 'grub';
  if (has(facts, '/usr/bin/bootctl', '/usr/bin/kernel-install')) return 'systemd-boot';
  refuse('no-bootloader', msg('error.setup.noBootloader'), msg('error.setup.noBootloaderHint'));
}

export function detectInitramfs(facts: PlanFacts): InitramfsTool | null {
  if (has(facts, '/usr/bin/dracut', '/usr/sbin/dracut', '/etc/dracut.conf.d') && !has(facts, '/usr/sbin/update-initramfs')) return 'dracut';
  if (facts.files['/etc/mkinitcpio.conf'] !== null || has(facts, '/usr/bin/mkinitcpio')) return 'mkinitcpio';
  if (has(facts, '/usr/sbin/update-initramfs', '/etc/initramfs-tools')) return 'initramfs-tools';
  if (has(facts, '/usr/bin/dracut', '/usr/sbin/dracut')) return 'dracut';
  return null;
}

/** A file write, with its reason in English and as a message (null when the file already has those bytes). */
function write(facts: PlanFacts, path: string, after: string | null, why: Said | Msg, mode = 0o644): PlanWrite | null {
  const before = facts.files[path] ?? null;
  if (before === after) return null;
  if (facts.symlinks.has(path)) refuse('symlink', msg('error.setup.symlink', { path }), msg('error.setup.symlinkHint'));
  return { kind: 'write', path, before, after, mode, ...('reasonMsg' in why ? why : said(why)) };
}

/** A command, with its reason in English and as a message. */
function run(argv: string[], why: Said | Msg, long: boolean, more: Partial<PlanCommand> = {}): PlanCommand {
  return { kind: 'run', argv, ...('reasonMsg' in why ? why : said(why)), long, ...more };
}

/** The devices to bind: every requested function, checked against the host. */
function devicesToBind(request: PlanRequest, devices: PciDevice[], handover = false): PciDevice[] {
  const seen = new Set<string>();
  const out: PciDevice[] = [];
  for (const raw of request.gpu) {
    const address = formatPciAddress(parsePciAddress(raw));
    if (seen.has(address)) refuse('duplicate-address', msg('error.setup.duplicateAddress', { address }), msg('error.setup.duplicateAddressHint'));
    seen.add(address);
    const device = devices.find((d) => d.address === address);
    if (!device) refuse('unknown-device', msg('error.app.unknownDevice', { address }), msg('error.app.unknownDeviceHint'));
    if (device.bootVga && !handover) refuse('boot-gpu', msg('error.setup.bootGpu', { address }), msg('error.setup.bootGpuHint'));
    if (device.block.some((b) => b.holdsRoot)) refuse('root-disk', msg('error.setup.rootDisk', { address, disks: device.block.map((b) => b.name).join(', ') }), msg('error.setup.rootDiskHint'));
    out.push(device);
  }
  if (out.length === 0) return out;
  // The whole group must go: name what is missing rather than bind half of it.
  const missing = out.flatMap((d) => passSet(d, devices)).filter((d) => !seen.has(d.address));
  if (missing.length > 0) {
    const names = [...new Set(missing.map((d) => d.address))].join(', ');
    refuse('incomplete-group', msg('error.setup.incompleteGroup', { names }), msg('error.setup.incompleteGroupHint', { names }));
  }
  return out;
}

/** `softdep DRIVER pre: vfio-pci` for every module that could claim the devices. */
function softdeps(devices: PciDevice[], warnings: Warnings): string[] {
  const modules = new Set<string>();
  for (const d of devices) {
    const fromAliases = d.modules.filter((m) => m !== 'vfio_pci' && m !== 'vfio-pci');
    if (fromAliases.length > 0) fromAliases.forEach((m) => modules.add(m));
    else if (d.driver && d.driver !== 'vfio-pci') {
      modules.add(d.driver.replace(/-/g, '_'));
      warnings.add(msg('prepare.warn.noAliases', { address: d.address, driver: d.driver }));
    }
  }
  return [...modules].sort();
}

/** Whether this host is Proxmox VE (its cluster file system is mounted on /etc/pve). */
export const isProxmox = (facts: PlanFacts): boolean => has(facts, '/etc/pve');

/**
 * Which file proxmox-boot-tool takes the command line from: GRUB-mode ESPs
 * (legacy BIOS, Secure Boot) read /etc/default/grub, systemd-boot ESPs read
 * /etc/kernel/cmdline. The running command line tells them apart: GRUB puts
 * BOOT_IMAGE= on it, systemd-boot does not.
 */
function proxmoxBootFile(facts: PlanFacts): '/etc/default/grub' | '/etc/kernel/cmdline' {
  const grubBooted = tokens(facts.cmdline).some((t) => t.startsWith('BOOT_IMAGE='));
  return grubBooted && facts.files['/etc/default/grub'] !== null ? '/etc/default/grub' : '/etc/kernel/cmdline';
}

const PROXMOX_REFRESH: PlanCommand = run(['proxmox-boot-tool', 'refresh'], msg('prepare.step.proxmoxRefresh'), true);

const VFIO_ARGS = msg('prepare.step.vfioArgs');

function bootloaderSteps(bootloader: Bootloader, facts: PlanFacts, wanted: string[], warnings: Warnings, argsReason: Said = said(VFIO_ARGS)): (PlanWrite | PlanCommand)[] {
  const steps: (PlanWrite | PlanCommand | null)[] = [];
  const proxmoxFile = bootloader === 'proxmox-boot-tool' ? proxmoxBootFile(facts) : null;
  if (bootloader === 'grub' || proxmoxFile === '/etc/default/grub') {
    const text = facts.files['/etc/default/grub']!;
    if (facts.symlinks.has('/etc/default/grub')) refuse('symlink', msg('error.setup.symlink', { path: '/etc/default/grub' }), msg('error.setup.grubSymlinkHint'));
    const grub = parseGrubDefault(text);
    const next = withManagedArgs(grub.tokens, wanted, grub.linuxTokens);
    const conflicting = grub.linuxTokens.filter((t) => /^(vfio[-_]pci\.ids|intel_iommu|amd_iommu|iommu)=/.test(t) && !wanted.includes(t));
    if (conflicting.length) warnings.add(msg('prepare.warn.grubLinux', { args: conflicting.join(' ') }));
    steps.push(write(facts, '/etc/default/grub', next.join(' ') === grub.tokens.join(' ') ? text : grub.withTokens(next), argsReason));
    if (/^\s*GRUB_ENABLE_BLSCFG=["']?true/m.test(text)) {
      warnings.add(msg('prepare.warn.bls'));
    } else {
      // Written once, from the line as it was before Vitrine's first change; later plans keep it.
      const existing = facts.files[WITHOUT_ENTRY] ?? null;
      const keep = existing !== null && existing.startsWith(withoutEntryScript([]).split('\n').slice(0, 2).join('\n'));
      const script = keep ? null : write(facts, WITHOUT_ENTRY, withoutEntryScript(withoutPassthrough(grub.tokens)), msg('prepare.step.withoutEntry'), 0o755);
      if (script) steps.push(script);
    }
    if (steps.some((s) => s !== null) && proxmoxFile) steps.push(PROXMOX_REFRESH);
    else if (steps.some((s) => s !== null)) {
      const argv = has(facts, '/usr/sbin/update-grub')
        ? ['update-grub']
        : has(facts, '/usr/sbin/grub2-mkconfig', '/usr/bin/grub2-mkconfig')
          ? ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg']
          : ['grub-mkconfig', '-o', '/boot/grub/grub.cfg'];
      steps.push(run(argv, msg('prepare.step.grubMenu'), false));
    }
    return steps.filter((s): s is PlanWrite | PlanCommand => s !== null);
  }
  if (bootloader === 'systemd-boot' || proxmoxFile === '/etc/kernel/cmdline') {
    const text = facts.files['/etc/kernel/cmdline'] ?? null;
    const base = text ?? tokens(facts.cmdline).filter((t) => !/^(BOOT_IMAGE|initrd)=/.test(t)).join(' ');
    if (text === null) warnings.add(msg('prepare.warn.noCmdline'));
    const current = tokens(base);
    const next = withManagedArgs(current, wanted);
    const after = next.join(' ') === current.join(' ') && text !== null ? text : `${next.join(' ')}\n`;
    const step = write(facts, '/etc/kernel/cmdline', after, argsReason);
    if (step) steps.push(step, proxmoxFile ? PROXMOX_REFRESH : run(['kernel-install', 'add-all'], msg('prepare.step.kernelInstall'), true));
    return steps.filter((s): s is PlanWrite | PlanCommand => s !== null);
  }
  // Bootloaders changed through their own tool: compare with the running command line.
  const current = tokens(facts.cmdline);
  const next = withManagedArgs(current, wanted);
  const added = next.filter((t) => !current.includes(t));
  const removed = current.filter((t) => !next.includes(t));
  if (added.length === 0 && removed.length === 0) return [];
  const kernelArgs = { before: current.join(' '), after: next.join(' ') };
  if (bootloader === 'kernelstub') {
    if (removed.length) steps.push(run(['kernelstub', '--delete-options', removed.join(' ')], msg('prepare.step.kernelstubDelete'), false, { kernelArgs }));
    if (added.length) steps.push(run(['kernelstub', '--add-options', added.join(' ')], argsReason, false, { kernelArgs }));
  } else if (bootloader === 'grubby') {
    steps.push(run(['grubby', '--update-kernel=ALL', ...(added.length ? [`--args=${added.join(' ')}`] : []), ...(removed.length ? [`--remove-args=${removed.join(' ')}`] : [])], argsReason, false, { kernelArgs }));
  } else {
    const argv = ['rpm-ostree', 'kargs', ...removed.map((t) => `--delete-if-present=${t}`), ...added.map((t) => `--append-if-missing=${t}`)];
    steps.push(run(argv, said(msg('prepare.step.rpmOstree', { args: argsReason.reasonMsg }), `${argsReason.reason} rpm-ostree stages them for the next boot.`), true, { kernelArgs }));
  }
  return steps.filter((s): s is PlanWrite | PlanCommand => s !== null);
}

function initramfsSteps(tool: InitramfsTool | null, bootloader: Bootloader, facts: PlanFacts, warnings: Warnings): (PlanWrite | PlanCommand)[] {
  const out: (PlanWrite | PlanCommand)[] = [];
  if (tool === null) {
    warnings.add(msg('prepare.warn.noInitramfs'));
    return out;
  }
  let step: PlanWrite | null = null;
  let argv: string[];
  if (tool === 'initramfs-tools') {
    // Proxmox's own guide (and seed 001) lists the modules in /etc/modules; elsewhere they go in the initramfs's list.
    const path = isProxmox(facts) ? '/etc/modules' : '/etc/initramfs-tools/modules';
    const listed = (file: string): string[] => (facts.files[file] ?? '').split('\n').map((l) => l.trim().split(/\s+/)[0]!);
    const present = new Set(isProxmox(facts) ? [...listed('/etc/modules'), ...listed('/etc/initramfs-tools/modules')] : listed(path));
    const text = facts.files[path] ?? '';
    const missing = VFIO_MODULES.filter((m) => !present.has(m));
    const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    const why = msg(path === '/etc/modules' ? 'prepare.step.etcModules' : 'prepare.step.initramfsModules');
    step = missing.length ? write(facts, path, `${base}# vfio for GPU passthrough (added by Vitrine)\n${missing.join('\n')}\n`, why) : null;
    argv = ['update-initramfs', '-u', '-k', 'all'];
  } else if (tool === 'dracut') {
    step = write(facts, '/etc/dracut.conf.d/vitrine-vfio.conf', `${HEADER}\nforce_drivers+=" ${VFIO_MODULES.join(' ')} "\n`, msg('prepare.step.initramfsModules'));
    argv = bootloader === 'rpm-ostree' ? ['rpm-ostree', 'initramfs', '--enable'] : ['dracut', '-f', '--regenerate-all'];
  } else {
    const text = facts.files['/etc/mkinitcpio.conf'] ?? null;
    if (text === null) refuse('mkinitcpio', msg('error.setup.noMkinitcpio'), msg('error.setup.noMkinitcpioHint'));
    const lines = text.split('\n');
    const index = lines.findIndex((l) => /^\s*MODULES=/.test(l));
    const order = ['vfio_pci', 'vfio', 'vfio_iommu_type1'];
    if (index < 0) {
      step = write(facts, '/etc/mkinitcpio.conf', `${text}${text.endsWith('\n') ? '' : '\n'}MODULES=(${order.join(' ')})\n`, msg('prepare.step.initramfsModules'));
    } else {
      const m = lines[index]!.match(/^(\s*MODULES=\()([^)]*)\)(.*)$/);
      if (!m) refuse('mkinitcpio', msg('error.setup.mkinitcpioMultiline', { line: String(index + 1) }), msg('error.setup.mkinitcpioMultilineHint'));
      const current = m[2]!.split(/\s+/).filter(Boolean);
      const missing = order.filter((x) => !current.includes(x));
      if (missing.length) {
        const copy = [...lines];
        copy[index] = `${m[1]}${[...missing, ...current].join(' ')})${m[3]}`;
        step = write(facts, '/etc/mkinitcpio.conf', copy.join('\n'), msg('prepare.step.initramfsModules'));
      }
    }
    argv = ['mkinitcpio', '-P'];
  }
  if (step) out.push(step, run(argv, msg('prepare.step.rebuildInitramfs'), true));
  return out;
}

const RECOVERY_REASON = msg('prepare.step.recovery');

/** The kernel lines as configured for the next boot (GRUB's two lines, or /etc/kernel/cmdline), for the hugepage checks. */
function configuredLines(bootloader: Bootloader, facts: PlanFacts): string[][] {
  const grub = facts.files['/etc/default/grub'] ?? null;
  const cmdline = facts.files['/etc/kernel/cmdline'] ?? null;
  const lines: string[][] = [];
  if (grub !== null && (bootloader === 'grub' || bootloader === 'proxmox-boot-tool')) {
    try {
      const parsed = parseGrubDefault(grub);
      lines.push(parsed.tokens, parsed.linuxTokens);
    } catch {
      // A value Vitrine cannot read is refused by the bootloader steps when they need it; the running line still counts.
    }
  }
  if (cmdline !== null && (bootloader === 'systemd-boot' || bootloader === 'proxmox-boot-tool')) lines.push(tokens(cmdline));
  return lines;
}

/** The SELinux type QEMU (svirt_t) may map: Looking Glass memory gets it on hosts where SELinux enforces. */
export const LG_SELINUX_TYPE = 'svirt_tmpfs_t';

/**
 * Under an enforcing SELinux (Fedora, Bazzite), QEMU may not map the Looking
 * Glass memory without a file context for it: `semanage fcontext` records
 * one (udev and systemd-tmpfiles label the device and the file with it when
 * they create them). Nothing when SELinux does not enforce or the context is
 * already there.
 */
function selinuxContext(facts: PlanFacts, path: string, warnings: Warnings): PlanCommand | null {
  const config = facts.files['/etc/selinux/config'] ?? '';
  if (!/^\s*SELINUX\s*=\s*enforcing\s*$/m.test(config)) return null;
  const type = config.match(/^\s*SELINUXTYPE\s*=\s*(\S+)\s*$/m)?.[1] ?? 'targeted';
  if (type !== 'targeted') {
    warnings.add(msg('prepare.warn.selinuxPolicy', { policy: type, path, type: LG_SELINUX_TYPE }));
    return null;
  }
  const local = facts.files['/etc/selinux/targeted/contexts/files/file_contexts.local'] ?? '';
  if (local.split('\n').some((l) => l.trim().split(/\s+/)[0] === path)) return null;
  return run(['semanage', 'fcontext', '-a', '-t', LG_SELINUX_TYPE, path], msg('prepare.step.selinux', { path, type: LG_SELINUX_TYPE }), false);
}

function lookingGlassSteps(request: PlanRequest, facts: PlanFacts, apparmor: boolean, warnings: Warnings): (PlanWrite | PlanCommand | null)[] {
  const lg = request.lookingGlass;
  if (!lg) return [];
  if (isProxmox(facts)) {
    // No libvirt here: the VM's own ivshmem line makes the memory, as /dev/shm/pve-shm-NAME, root's, anew at each start.
    warnings.add(msg('prepare.warn.proxmoxLg'));
    return [];
  }
  const user = request.user;
  if (lg.mode === 'shm') {
    const step = write(facts, '/etc/tmpfiles.d/10-looking-glass.conf', `${HEADER}\n# Looking Glass shared memory: readable and writable by ${user} and QEMU (group kvm).\nf /dev/shm/looking-glass 0660 ${user} kvm -\n`, msg('prepare.step.shmAccess', { user }));
    // The context first, so the file systemd-tmpfiles creates gets it.
    const context = selinuxContext(facts, '/dev/shm/looking-glass', warnings);
    return [context, ...(step ? [step, run(['systemd-tmpfiles', '--create', '/etc/tmpfiles.d/10-looking-glass.conf'], msg('prepare.step.shmCreate'), false)] : [])];
  }
  const steps: (PlanWrite | PlanCommand | null)[] = [
    write(facts, '/etc/modprobe.d/kvmfr.conf', `${HEADER}\noptions kvmfr static_size_mb=${lg.sizeMiB}\n`, msg('prepare.step.kvmfrSize')),
    write(facts, '/etc/modules-load.d/kvmfr.conf', `${HEADER}\nkvmfr\n`, msg('prepare.step.kvmfrLoad')),
    write(facts, '/etc/udev/rules.d/99-kvmfr.rules', `${HEADER}\nSUBSYSTEM=="kvmfr", OWNER="${user}", GROUP="kvm", MODE="0660"\n`, msg('prepare.step.kvmfrUdev', { user })),
    selinuxContext(facts, '/dev/kvmfr0', warnings),
  ];
  if (apparmor) {
    const text = facts.files['/etc/apparmor.d/local/abstractions/libvirt-qemu'] ?? '';
    if (!/^\s*\/dev\/kvmfr0 rw,/m.test(text)) {
      steps.push(write(facts, '/etc/apparmor.d/local/abstractions/libvirt-qemu', `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# Looking Glass kvmfr (added by Vitrine)\n/dev/kvmfr0 rw,\n`, msg('prepare.step.apparmor')));
    }
  }
  const qemuConf = facts.files['/etc/libvirt/qemu.conf'] ?? null;
  if (qemuConf === null) warnings.add(msg('prepare.warn.noQemuConf'));
  else if (!qemuConf.includes('/dev/kvmfr0')) {
    if (/^\s*cgroup_device_acl\s*=/m.test(qemuConf)) {
      refuse('qemu-conf', msg('error.setup.qemuConfAcl'), msg('error.setup.qemuConfAclHint'));
    }
    steps.push(
      write(
        facts,
        '/etc/libvirt/qemu.conf',
        `${qemuConf}${qemuConf.endsWith('\n') ? '' : '\n'}# Looking Glass kvmfr (added by Vitrine)\ncgroup_device_acl = [\n    "/dev/null", "/dev/full", "/dev/zero",\n    "/dev/random", "/dev/urandom",\n    "/dev/ptmx", "/dev/kvm",\n    "/dev/userfaultfd", "/dev/kvmfr0"\n]\n`,
        msg('prepare.step.qemuConf'),
      ),
    );
  }
  warnings.add(msg('prepare.warn.kvmfrDkms'));
  return steps;
}

function planReason(request: PlanRequest, devices: PciDevice[], huge: HugepageSteps | null): string {
  const parts = [
    devices.length && request.handover !== 'vm-start' ? `bind ${devices.map((d) => d.address).join(', ')} to vfio-pci` : '',
    request.handover === 'vm-start' && devices.length ? `hand ${devices.map((d) => d.address).join(', ')} over to their VM when it starts${devices.some((d) => d.bootVga) ? ' (single-GPU mode)' : ''}` : '',
    request.lookingGlass ? `give ${request.user} access to Looking Glass memory` : '',
    request.ignoreMsrs ? 'let KVM ignore unhandled MSRs' : '',
    request.allowUnsafeInterrupts ? 'allow unsafe interrupts' : '',
    huge ? huge.summary : '',
  ].filter(Boolean);
  const text = parts.join(', ').replace(/, ([^,]*)$/, ' and $1');
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}.` : 'Nothing asked.';
}

/**
 * Plan the host changes for GPU passthrough (pure): kernel parameters through
 * the host's bootloader tooling, softdeps, vfio in the initramfs, Looking
 * Glass memory access, and the optional fixes. A plan on a host where it is
 * already applied has no steps.
 */
export function planHost(request: PlanRequest, facts: PlanFacts): HostPlan {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(request.user)) {
    refuse('invalid-user', msg('error.setup.badUser', { user: request.user }), msg('error.setup.badUserHint'));
  }
  const warnings = new Warnings();
  const handover = request.handover === 'vm-start';
  if (handover && request.gpu.length === 0) refuse('no-gpu', msg('error.setup.handoverNoGpu'), msg('error.setup.handoverNoGpuHint'));
  const handed = handover ? devicesToBind(request, facts.devices, true) : [];
  const devices = handover ? [] : devicesToBind(request, facts.devices);
  const ids = [...new Set(devices.map((d) => `${d.vendorId}:${d.deviceId}`))];
  checkIds(ids);
  const bootloader = detectBootloader(facts);
  const initramfs = detectInitramfs(facts);
  const apparmor = facts.exists.has('/etc/apparmor.d');
  const warn = (english: string, message: Msg): void => warnings.add(message, english);
  const huge = request.hugepages ? planHugepages(request.hugepages, { info: facts.hugepages, gigaPages: facts.gigaPages, cmdline: facts.cmdline, configured: configuredLines(bootloader, facts), files: facts.files }, HEADER, warn) : null;
  // 1 GiB hugepages ride on the same bootloader steps as vfio's parameters (one write of the boot configuration).
  const hugeArgs = huge?.kernelArgs ?? [];
  // The boot configuration's reason: vfio's parameters, the 1 GiB pages', or both.
  const argsReason = (vfio: boolean): Said => {
    const pages = huge && hugeArgs.length ? `Kernel parameters: ${huge.pages} hugepage${huge.pages === 1 ? '' : 's'} of 1 GiB reserved at boot (${hugeArgs.join(' ')}).` : null;
    const text = [vfio ? english(VFIO_ARGS) : null, pages].filter(Boolean).join(' ');
    if (!huge?.argsMsg) return said(VFIO_ARGS, text);
    return said(vfio ? msg('prepare.hugepages.step.withVfio', { hugepages: huge.argsMsg }) : huge.argsMsg, text);
  };
  const steps: (PlanWrite | PlanCommand | null)[] = [];
  if (devices.length > 0) {
    steps.push(...bootloaderSteps(bootloader, facts, [...managedArgs(facts.cpuVendor, ids, initramfs === 'dracut'), ...hugeArgs], warnings, argsReason(true)));
    const deps = softdeps(devices, warnings);
    steps.push(write(facts, '/etc/modprobe.d/vitrine-vfio.conf', `${HEADER}\n# vfio-pci claims ${devices.map((d) => d.address).join(', ')} before these drivers can.\n${deps.map((m) => `softdep ${m} pre: vfio-pci`).join('\n')}\n`, msg('prepare.step.softdep')));
    steps.push(...initramfsSteps(initramfs, bootloader, facts, warnings));
    const withoutEntry = (bootloader === 'grub' || (bootloader === 'proxmox-boot-tool' && proxmoxBootFile(facts) === '/etc/default/grub')) && !/^\s*GRUB_ENABLE_BLSCFG=["']?true/m.test(facts.files['/etc/default/grub'] ?? '');
    const added = [...managedArgs(facts.cpuVendor, ids, initramfs === 'dracut'), ...hugeArgs];
    if (steps.some((s) => s !== null)) steps.push(write(facts, RECOVERY_NOTE, recoveryNote(bootloader, added, withoutEntry), RECOVERY_REASON));
  }
  if (handed.length > 0) {
    // Handed over at VM start: the IOMMU on, no vfio-pci at boot, the libvirt hook.
    steps.push(...bootloaderSteps(bootloader, facts, [...managedArgs(facts.cpuVendor, [], false), ...hugeArgs], warnings, argsReason(true)));
    const bound = tokens(facts.cmdline).filter((t) => /^vfio[-_]pci\.ids=/.test(t));
    if (bound.some((t) => handed.some((d) => t.includes(`${d.vendorId}:${d.deviceId}`)))) warnings.add(msg('prepare.warn.stillBound', { args: bound.join(' ') }));
    for (const w of handoverWrites(handed, facts, warnings)) steps.push(write(facts, w.path, w.after, w, w.mode));
  }
  if (devices.length === 0 && handed.length === 0 && hugeArgs.length > 0) {
    const boot = bootloaderSteps(bootloader, facts, hugeArgs, warnings, argsReason(false));
    steps.push(...boot);
    const withoutEntry = boot.some((s) => s.kind === 'write' && s.path === WITHOUT_ENTRY) || (facts.files[WITHOUT_ENTRY] ?? null) !== null;
    if (boot.length > 0) steps.push(write(facts, RECOVERY_NOTE, recoveryNote(bootloader, hugeArgs, withoutEntry), RECOVERY_REASON));
  }
  for (const w of huge?.writes ?? []) steps.push(write(facts, w.path, w.after, said(w.reasonMsg, w.reason)));
  steps.push(...(huge?.commands ?? []));
  steps.push(...lookingGlassSteps(request, facts, apparmor, warnings));
  if (request.ignoreMsrs) steps.push(write(facts, '/etc/modprobe.d/kvm-ignore-msrs.conf', `${HEADER}\noptions kvm ignore_msrs=1 report_ignored_msrs=0\n`, msg('prepare.step.ignoreMsrs')));
  if (request.allowUnsafeInterrupts) {
    steps.push(write(facts, '/etc/modprobe.d/vfio-unsafe-interrupts.conf', `${HEADER}\n# Security cost: without interrupt remapping a passed device can inject interrupts into the host.\noptions vfio_iommu_type1 allow_unsafe_interrupts=1\n`, msg('prepare.step.unsafeInterrupts')));
    warnings.add(msg('prepare.warn.unsafeInterrupts'));
  }
  const real = steps.filter((s): s is PlanWrite | PlanCommand => s !== null);
  // Commands only make sense after a write they follow from; drop them otherwise (idempotence).
  const anyWrite = real.some((s) => s.kind === 'write');
  // An SELinux context is needed on its own (planned only when missing).
  // A hugepage pool short of its file's size is reserved again on its own (sysctl -w).
  const finalSteps = real.filter((s) => s.kind === 'write' || anyWrite || s.kernelArgs !== undefined || s.argv[0] === 'semanage' || s.argv[0] === 'sysctl');
  const rebootRequired = finalSteps.some((s) =>
    s.kind === 'write' ? !s.path.startsWith('/etc/tmpfiles.d/') && !isHandoverWrite(s) && !(s.path === HUGEPAGES_SYSCTL && huge?.now) : s.long || s.kernelArgs !== undefined,
  );
  const reason = planReason(request, handover ? handed : devices, huge);
  const content: Omit<HostPlan, 'id'> = { reason, host: { bootloader, initramfs, apparmor }, steps: finalSteps, rebootRequired, warnings: warnings.texts };
  // The reason and the warnings as messages for the UI (the same words; not part of the id).
  const reasonMsg = planReasonMsg(reason);
  return { id: planIdOf(content), ...content, ...(reasonMsg ? { reasonMsg } : {}), warningMsgs: warnings.msgs };
}

/** JSON with every object's keys sorted and undefined members left out: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A plan's id: the sha256 of its whole content (every path, before and after
 * bytes, mode, argv, reason, the reboot flag, the warnings; the English
 * texts, not their catalogue messages), so any
 * difference gives another id. The helper plans again for itself and applies
 * only when its own plan has the id the user reviewed. Nothing in it is a
 * timestamp or random: the same host and request always give the same id.
 */
export function planIdOf(content: Omit<HostPlan, 'id'>): string {
  const { reason, host, steps, rebootRequired, warnings } = content;
  return createHash('sha256').update(canonicalJson({ reason, host, steps: steps.map(withoutMsg), rebootRequired, warnings })).digest('hex');
}

/** A step without its reason's message (the message says the reason's words: ids hash the English only, the same on the helper's side). */
export function withoutMsg<T extends { reasonMsg?: Msg }>(step: T): T {
  return { ...step, reasonMsg: undefined };
}
