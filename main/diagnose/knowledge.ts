import type { EditRequest, KnownProblem, LogSource, OneClickFix } from '../../shared/api';
import { TEXT_SOURCES } from '../../shared/enums';

/** A PCI address as logs print it. */
export const ADDRESS = String.raw`[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]`;
/** The same, bare or in the single quotes libvirt puts around the values it reports ('%1$s'). */
const QADDRESS = String.raw`'?${ADDRESS}'?`;
/** A number (a header type, a group), bare or quoted. */
const QNUM = (n = String.raw`\d+`): string => String.raw`'?${n}'?`;
/** A path, bare or quoted. */
const QPATH = String.raw`'?/[^'\s]+'?`;

export interface Pattern {
  /** Matched on every line of the text (case-insensitive unless the regex says otherwise). */
  regex: RegExp;
  /** The strongest texts weigh most: the finding of the cause, not of a consequence. */
  weight: number;
  /** Only in these sources; all text sources when absent. */
  sources?: LogSource[];
  /** The pattern counts only if the same text also matches this (configuration rules). */
  requires?: RegExp;
}

/**
 * Evidence against an entry: when any given text shows it, the entry's score
 * is multiplied by `factor` (it stays listed, lower), and the finding says why.
 */
export interface Contradiction {
  regex: RegExp;
  sources?: LogSource[];
  factor: number;
  /** The finding's title while contradicted. */
  title: string;
  /** Said first in the explanation; `{line}` becomes the contradicting line. */
  note: string;
}

/** What a one-click fix needs from the evidence and the host (see service.ts). */
export type FixRecipe =
  | { kind: 'edit'; label: string; edits: EditRequest }
  | { kind: 'edit-from-evidence'; label: string; build: 'shmem-recommended' | 'whole-group' }
  | { kind: 'host'; label: string; change: { path: string; content: string }; setup: Extract<OneClickFix, { kind: 'host' }>['setup'] };

export interface KnowledgeEntry extends KnownProblem {
  patterns: Pattern[];
  contradictions?: Contradiction[];
  recipe: FixRecipe | null;
}

const TEXT: LogSource[] = [...TEXT_SOURCES];
const LG: LogSource[] = ['looking-glass', 'pasted'];
const XML: LogSource[] = ['domain-xml'];
/** Vitrine's GPU handover hook: its log, its message in a failed start, pasted. */
const HOOK: LogSource[] = ['hook-log', 'virsh', 'pasted'];
const re = (source: string, flags = 'i'): RegExp => new RegExp(source, flags);

/**
 * Every known failure (shared/reference/troubleshooting.md, libvirt.md,
 * looking-glass.md), with the words people use, the texts that betray it,
 * what it means, how to fix it, and the seed it comes from.
 */
export const KNOWLEDGE: KnowledgeEntry[] = [
  {
    id: 'code-43',
    title: 'Code 43: Windows stopped the GPU',
    words: ['code 43', 'error 43', 'windows has stopped this device', 'nvidia driver error', 'amd driver error', 'device manager'],
    patterns: [{ regex: re(String.raw`\(Code 43\)|\bcode 43\b|\berror 43\b`), weight: 10, sources: ['pasted'] }],
    explanation:
      'Windows loaded the GPU driver, which then refused the card. Older NVIDIA drivers (before R465) did this on purpose inside a VM; AMD drivers can do it when they see Hyper-V. A VBIOS without UEFI GOP, Resizable BAR, or a laptop/embedded GPU cause it too.',
    fix: [
      'Hide the hypervisor: kvm hidden, ioapic driver=kvm, and either a Hyper-V vendor_id (method B) or the CPUID hypervisor bit off (method A).',
      'Give the GPU a clean ROM file (dump it on the host) if the card has no UEFI GOP.',
      'Turn Resizable BAR off in the host firmware.',
      'Laptop and embedded GPUs cannot be passed this way.',
    ],
    seeds: ['000', '003'],
    recipe: { kind: 'edit', label: 'Hide the hypervisor (method B)', edits: { hideHypervisor: { method: 'b' } } },
  },
  {
    id: 'reset-bug-127',
    title: 'Error 127: the GPU did not reset',
    words: ['error 127', 'header type 127', 'vm will not start again', 'reset bug', 'amd reset bug', 'only starts once', 'second start'],
    patterns: [
      // libvirt: virReportError(VIR_ERR_INTERNAL_ERROR, _("Unknown PCI header type '%1$d' for device '%2$s'"), ...)
      { regex: re(String.raw`Unknown PCI header type ${QNUM('127')} for device ${QADDRESS}`), weight: 10, sources: TEXT },
      // lspci of the same card: "!!! Unknown header type 7f"
      { regex: re(String.raw`Unknown header type 7f`), weight: 8, sources: TEXT },
    ],
    explanation:
      'The card did not come back after the VM stopped: the host reads its configuration as all ones (header type 127). Many AMD cards have this reset bug (the AMD reset bug); some cards stay in D3cold.',
    fix: ['Reboot the host to reset the card.', 'For affected AMD cards, install and load the vendor-reset module.', 'Avoid stopping and starting the VM without a host reboot until then.'],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'reset-bug-d3',
    title: 'AMD card dead after a guest reboot (D3 power state)',
    words: ['d3', 'd3cold', 'refused to change power state', 'amd reset bug', 'dead after reboot', 'restoring bars'],
    patterns: [
      // Older kernels (drivers/pci/pci.c): "Refused to change power state, currently in D%d"
      { regex: re(String.raw`vfio-pci ${QADDRESS}: Refused to change power state, currently in D3`), weight: 10, sources: TEXT },
      // pci_power_up(): "Unable to change power state from %s to D0, device inaccessible"
      { regex: re(String.raw`Unable to change power state from D3(cold|hot)? to D0, device inaccessible`), weight: 10, sources: TEXT },
      { regex: re(String.raw`vfio_bar_restore: reset recovery - restoring BARs`), weight: 4, sources: TEXT },
    ],
    explanation: 'The card stayed in a low-power state and cannot be reset: the AMD reset bug, or old firmware (AGESA) on the board.',
    fix: ['Reboot the host.', 'Install vendor-reset for affected AMD cards.', 'Update the board firmware; or use another card.'],
    seeds: ['000'],
    recipe: null,
  },
  {
    id: 'reset-unsupported',
    title: 'The GPU could not be reset before the VM started',
    words: ['failed to reset pci device', 'reset failed', 'pci_irq_handler', 'assertion failed', 'qemu exited with code 1', 'proxmox start failed', 'cannot reset device'],
    patterns: [
      // QEMU hw/pci/pci.c pci_irq_handler(): assert(0 <= irq_num && irq_num < PCI_NUM_PINS), as glibc prints a failed assertion
      { regex: re(String.raw`pci_irq_handler: Assertion .0 <= irq_num && irq_num < PCI_NUM_PINS. failed`), weight: 10, sources: TEXT },
      // Proxmox VE qemu-server (PVE/QemuServer/PCI.pm prepare_pci_device): warn "failed to reset PCI device '$pciid', but trying to continue as not all devices need a reset\n"
      { regex: re(String.raw`failed to reset PCI device ${QADDRESS}, but trying to continue as not all devices need a reset`), weight: 3, sources: TEXT },
      // QEMU hw/vfio/pci.c: "vfio: Cannot reset device %s, depends on group %d which is not owned."
      { regex: re(String.raw`vfio: Cannot reset device ${QADDRESS}, depends on group ${QNUM()} which is not owned`), weight: 5, sources: TEXT },
    ],
    explanation:
      'The card offers a function-level reset but refused it when the VM started (Proxmox warns and carries on: `failed to reset PCI device`); QEMU then found the card in a state it could not use and stopped on an assertion. New cards without a working reset, a card still used by the host, or a function of the card left out of the VM cause it.',
    fix: [
      'Pass the whole card (every function: "All Functions" in Proxmox, hostpci0: 0000:01:00) so it resets as one device.',
      'Make sure the host never loads a driver for it (vfio-pci.ids, softdeps: host preparation), then reboot the host.',
      'If it still fails, try the card in another slot, update the card\'s and the board\'s firmware, or set reset_method to bus for it.',
    ],
    seeds: ['000', '001'],
    recipe: null,
  },
  {
    id: 'no-iommu-22',
    title: 'Error -22: the IOMMU is off',
    words: ['error -22', 'error 22', 'einval', 'no iommu_group', 'vt-d', 'amd-vi', 'iommu off', 'passthrough not supported'],
    patterns: [
      // drivers/base/dd.c: "probe with driver %s failed with error %d" (older kernels: "%s: probe of %s failed with error %d")
      { regex: re(String.raw`probe (with driver vfio-pci failed|of ${QADDRESS} failed) with error -22`), weight: 10, sources: TEXT },
      // QEMU: error_setg_errno(errp, errno, "no iommu_group found")
      { regex: re(String.raw`no iommu_group found`), weight: 10, sources: TEXT },
      // libvirt (qemu_hostdev.c): VIR_ERR_CONFIG_UNSUPPORTED
      { regex: re(String.raw`host doesn't support passthrough of host PCI devices`), weight: 10, sources: TEXT },
      // … and with <driver name='vfio'/> on the hostdev
      { regex: re(String.raw`host doesn't support VFIO PCI passthrough`), weight: 10, sources: TEXT },
      { regex: re(String.raw`VFIO device assignment is currently not supported on this system`), weight: 10, sources: TEXT },
      // Proxmox VE qemu-server (PVE/QemuServer/PCI.pm prepare_pci_device): die "cannot prepare PCI pass-through, IOMMU not present\n", the task log's TASK ERROR
      { regex: re(String.raw`cannot prepare PCI pass-through, IOMMU not present`), weight: 10, sources: TEXT },
    ],
    contradictions: [
      {
        // drivers/iommu/iommu.c: "Adding to iommu group %d" (dev_info); before 5.x: "iommu: Adding device %s to group %d"
        regex: re(String.raw`Adding to iommu group \d+|iommu: Adding device ${QADDRESS} to group \d+`),
        sources: TEXT,
        factor: 0.3,
        title: 'Error -22 with the IOMMU on: vfio-pci refused the device',
        note: 'The same logs show IOMMU groups being created ("{line}"), so the IOMMU is on and is not the cause here.',
      },
    ],
    explanation:
      'vfio-pci cannot take the card, usually because the host has no IOMMU running: VT-d / AMD-Vi is off in the firmware, or intel_iommu=on is missing. With the IOMMU on, -22 (EINVAL) has other causes: vfio-pci takes only ordinary devices (PCI header type 0), so it refuses a PCI bridge, and a card that did not reset and was rescanned while it read as all ones (header type 127); it also refuses a device the IOMMU put in no group.',
    fix: [
      'Turn on VT-d (Intel) or the IOMMU (AMD: Settings > AMD CBS > NBIO > IOMMU) in the firmware setup.',
      'On Intel, add intel_iommu=on to the kernel command line (host preparation does it), then reboot.',
      'If the IOMMU is on (groups under /sys/kernel/iommu_groups): pass only the GPU\'s own functions (not a bridge); if the card is dead after a stop (header type 127, D3), reboot the host; check the device has an iommu_group link.',
    ],
    seeds: ['001', '002'],
    recipe: null,
  },
  {
    id: 'group-not-viable',
    title: 'IOMMU group not viable',
    words: ['group not viable', 'iommu group', 'not viable', 'bound to their vfio bus driver'],
    patterns: [
      // QEMU: error_setg(errp, "group %d is not viable", groupid), prefixed "vfio %s: " (VFIO_MSG_PREFIX)
      { regex: re(String.raw`vfio ${QADDRESS}: group ${QNUM()} is not viable`), weight: 10, sources: TEXT },
      { regex: re(String.raw`group ${QNUM()} is not viable`), weight: 6, sources: TEXT },
      { regex: re(String.raw`Please ensure all devices within the iommu_group are bound to their vfio bus driver`), weight: 4, sources: TEXT },
    ],
    explanation: 'Another device of the same IOMMU group is still used by the host. A group goes to a VM as a whole, or not at all.',
    fix: ['Pass every device of the group (bridges excepted) to the VM.', 'Or move the card to a slot with its own group.', 'The ACS override patch splits groups but weakens isolation.'],
    seeds: ['002'],
    recipe: { kind: 'edit-from-evidence', label: 'Attach the whole group', build: 'whole-group' },
  },
  {
    id: 'no-interrupt-remapping',
    title: 'No interrupt remapping',
    words: ['interrupt remapping', 'allow_unsafe_interrupts', 'failed to set iommu for container'],
    patterns: [
      { regex: re(String.raw`No interrupt remapping support\.\s+Use the module param "allow_unsafe_interrupts"`), weight: 10, sources: TEXT },
      // QEMU: error_setg_errno(errp, errno, "Failed to set iommu for container") (older: error_report "vfio: failed to set iommu for container")
      { regex: re(String.raw`Failed to set iommu for container`), weight: 6, sources: TEXT },
    ],
    explanation: 'The platform cannot remap interrupts, so vfio refuses to attach devices: a passed device could inject interrupts into the host.',
    fix: [
      'Look for an interrupt remapping / x2APIC setting in the firmware.',
      'Or allow unsafe interrupts: options vfio_iommu_type1 allow_unsafe_interrupts=1. Security cost: a malicious guest driver could inject interrupts into the host.',
    ],
    seeds: ['001', '003'],
    recipe: { kind: 'host', label: 'Allow unsafe interrupts (security cost)', change: { path: '/etc/modprobe.d/vfio-unsafe-interrupts.conf', content: 'options vfio_iommu_type1 allow_unsafe_interrupts=1\n' }, setup: { allowUnsafeInterrupts: true } },
  },
  {
    id: 'host-driver-grabbed',
    title: 'The host driver took the card first',
    words: ['amdgpu', 'device removal is currently not supported', 'driver grabbed', 'blacklist'],
    patterns: [{ regex: re(String.raw`\[drm:amdgpu_pci_remove \[amdgpu\]\] \*ERROR\* Device removal is currently not supported outside of fbcon`), weight: 10, sources: TEXT }],
    explanation: 'amdgpu bound the card before vfio-pci could, and cannot let go of it while the host uses it.',
    fix: ['Bind the card to vfio-pci at boot: vfio-pci.ids on the kernel command line and softdep amdgpu pre: vfio-pci (host preparation does both).', 'Blacklist amdgpu only if no other GPU of the host needs it.'],
    seeds: ['000'],
    recipe: null,
  },
  {
    id: 'bar-reserve',
    title: "BAR can't be reserved (host framebuffer)",
    words: ["can't reserve", 'bar 3', 'efifb', 'simplefb', 'framebuffer'],
    patterns: [
      // drivers/pci/pci.c __pci_request_region(): pci_warn(pdev, "BAR %d: can't reserve %pR\n", ...)
      { regex: re(String.raw`vfio-pci ${QADDRESS}: BAR \d+: can't reserve \[mem`), weight: 10, sources: TEXT },
    ],
    explanation: "The host's boot framebuffer (efifb/simplefb) still holds the card's memory: the card was the boot display.",
    fix: ['Boot the host from its other GPU (firmware setting), or add video=efifb:off to the kernel command line.'],
    seeds: ['003'],
    recipe: null,
  },
  {
    id: 'kmode-msrs',
    title: 'KMODE_EXCEPTION_NOT_HANDLED: unhandled MSRs',
    words: ['kmode_exception_not_handled', 'kmode', 'blue screen', 'bsod', 'boot loop', 'msr', 'ignore_msrs'],
    patterns: [
      // arch/x86/kvm: "Unhandled WRMSR(0x%x) = 0x%llx", "unhandled wrmsr: 0x%x data 0x%llx", "ignored wrmsr: 0x%x data 0x%llx", "ignored rdmsr: 0x%x"
      { regex: re(String.raw`Unhandled WRMSR\(0x[0-9a-f]+\)|unhandled wrmsr: 0x[0-9a-f]+`), weight: 10, sources: TEXT },
      { regex: re(String.raw`ignored [rw]dmsr: 0x[0-9a-f]+|Unhandled RDMSR\(0x[0-9a-f]+\)|unhandled rdmsr: 0x[0-9a-f]+`), weight: 8, sources: TEXT },
      { regex: re(String.raw`KMODE_EXCEPTION_NOT_HANDLED`), weight: 6, sources: ['pasted'] },
    ],
    explanation: 'Windows touches a model-specific register KVM does not emulate, and crashes (KMODE_EXCEPTION_NOT_HANDLED, boot loop).',
    fix: ['Let KVM ignore such registers: options kvm ignore_msrs=1 report_ignored_msrs=0, then reboot (or reload kvm).'],
    seeds: ['002'],
    recipe: { kind: 'host', label: 'Ignore unhandled MSRs', change: { path: '/etc/modprobe.d/kvm-ignore-msrs.conf', content: 'options kvm ignore_msrs=1 report_ignored_msrs=0\n' }, setup: { ignoreMsrs: true } },
  },
  {
    id: 'no-kvm',
    title: 'KVM is not available',
    words: ['kvm', 'requires kvm', 'could not access kvm', 'virtualization', 'vt-x', 'amd-v', 'svm'],
    patterns: [
      { regex: re(String.raw`Domain requires KVM, but it is not available`), weight: 10, sources: TEXT },
      { regex: re(String.raw`Could not access KVM kernel module`), weight: 10, sources: TEXT },
      { regex: re(String.raw`failed to initialize kvm`), weight: 8, sources: TEXT },
      // libvirt: _("Emulator '%1$s' does not support virt type '%2$s'")
      { regex: re(String.raw`does not support virt type '?kvm'?`), weight: 10, sources: TEXT },
    ],
    explanation: 'The VM asks for KVM, which this host cannot give: virtualisation is off in the firmware, the kvm module is not loaded, or your user may not open /dev/kvm.',
    fix: ['Turn on VT-x / AMD-V (SVM) in the firmware setup.', 'Load the module: sudo modprobe kvm_intel (or kvm_amd).', 'Join the kvm group: sudo usermod -aG kvm $USER, then log in again.'],
    seeds: ['001'],
    recipe: null,
  },
  {
    id: 'stale-shm',
    title: 'Stale Looking Glass memory file',
    words: ['backing store', 'dev/shm', 'looking-glass file', 'permission denied'],
    // QEMU: error_setg_errno(errp, errno, "can't open backing store %s for guest RAM", path)
    patterns: [{ regex: re(String.raw`can't open backing store '?/dev/shm/\S+?'? for guest RAM: Permission denied`), weight: 10, sources: TEXT }],
    explanation: "A /dev/shm file left by another user or an earlier run belongs to someone else, so QEMU cannot open it and the VM does not start.",
    fix: ['With the VM off, remove the file: sudo rm /dev/shm/looking-glass', 'Add the tmpfiles rule so the file is created for you and QEMU alike (host preparation does it).'],
    seeds: ['002'],
    recipe: { kind: 'host', label: 'Add the tmpfiles rule for /dev/shm/looking-glass', change: { path: '/etc/tmpfiles.d/10-looking-glass.conf', content: 'f /dev/shm/looking-glass 0660 USER kvm -\n' }, setup: { lookingGlass: { mode: 'shm', sizeMiB: 32 } } },
  },
  {
    id: 'device-missing',
    title: 'A passed device is not on the host (any more)',
    words: ['could not find matching device', 'bios update', 'pci address changed', 'device missing'],
    patterns: [
      // virsh: vshError(ctl, _("Could not find matching device '%1$s'"), ...)
      { regex: re(String.raw`Could not find matching device '?pci_[0-9a-f]{4}_[0-9a-f]{2}_[0-9a-f]{2}_[0-7]'?`), weight: 10, sources: TEXT },
      // libvirt virpci.c: virReportSystemError(errno, _("Device %1$s not found: could not access %2$s"), ...)
      { regex: re(String.raw`Device ${QADDRESS} not found: could not access ${QPATH}`), weight: 10, sources: TEXT },
    ],
    explanation: 'The VM passes a PCI address the host no longer has: a firmware update or a moved card changes addresses.',
    fix: ['Run the host check, find the GPU at its new address, detach the old address and attach the new one.'],
    seeds: ['004'],
    recipe: null,
  },
  {
    id: 'nvram-undefine',
    title: 'Cannot remove a UEFI VM without its NVRAM',
    words: ['cannot undefine', 'nvram', 'undefine'],
    patterns: [{ regex: re(String.raw`cannot undefine domain with nvram`), weight: 10, sources: TEXT }],
    explanation: 'A UEFI VM keeps its firmware variables in a file; libvirt removes the VM only with them.',
    fix: ['Remove it with its variables: virsh undefine --nvram followed by the VM name (Vitrine does this).'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'dnsmasq-missing',
    title: "The 'default' network cannot start (no dnsmasq)",
    words: ['dnsmasq', 'default network', 'network not active'],
    patterns: [
      // libvirt virdnsmasq.c: "Unable to find 'dnsmasq' binary in $PATH"; virfile.c: "Cannot find '%1$s' in path"
      { regex: re(String.raw`Unable to find '?dnsmasq'? binary in \$PATH|Cannot find '?dnsmasq'? in path`), weight: 10, sources: TEXT },
    ],
    explanation: "libvirt's NAT network needs dnsmasq, which is not installed.",
    fix: ['Install it: dnsmasq-base (Debian, Ubuntu) or dnsmasq (Fedora, Arch); or use a bridge or user networking.'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'libvirt-unreachable',
    title: 'libvirt is not running or not reachable',
    words: ['failed to connect', 'libvirt-sock', 'libvirtd not running', 'system bus'],
    patterns: [
      // libvirt virnetsocket.c: _("Failed to connect socket to '%1$s'") (libvirt-sock, virtqemud-sock, …)
      { regex: re(String.raw`Failed to connect socket to '?[^' ]*(libvirt|virtqemud)-sock(-ro)?'?`), weight: 10, sources: TEXT },
      { regex: re(String.raw`Unable to get system bus connection`), weight: 8, sources: TEXT },
    ],
    explanation: 'Nothing answers on the libvirt socket: the daemon is stopped, or your user may not use it.',
    fix: ['Start it: sudo systemctl enable --now libvirtd (or virtqemud.socket).', 'Join the libvirt group for qemu:///system, or use qemu:///session.'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'lg-host-not-running',
    title: 'Looking Glass waits for the host application in Windows',
    words: ['waiting for the host application', 'host application', 'looking glass waiting', 'looking-glass-host'],
    patterns: [
      { regex: re(String.raw`The host application seems to not be running`), weight: 10, sources: LG },
      { regex: re(String.raw`Waiting for the host application to start`), weight: 8, sources: LG },
      { regex: re(String.raw`Check the host log in your guest at %ProgramData%\\Looking Glass \(host\)\\looking-glass-host\.txt`), weight: 6, sources: LG },
      // From development build B7-390 on (and B8): the new transport's words.
      { regex: re(String.raw`The transport source is not available`), weight: 10, sources: LG },
      { regex: re(String.raw`Waiting for the source to start\.\.\.`), weight: 8, sources: LG },
    ],
    explanation: "The client found the shared memory but Looking Glass's guest side is not running in Windows (or the IVSHMEM driver is missing).",
    fix: [
      "In Windows: install the IVSHMEM driver (virtio-win) and Looking Glass's guest side of the client's release, and let it start with Windows: for B7, the host service (looking-glass-host-setup.exe /S; the card needs a monitor or a dummy plug); for B8, the display driver (looking-glass-idd-setup.exe /S /ivshmem). The VM page’s Looking Glass section names the one for your client.",
      'B7: read %ProgramData%\\Looking Glass (host)\\looking-glass-host.txt in the guest; B8: %ProgramData%\\Looking Glass (IDD).',
    ],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'lg-spice',
    title: 'Looking Glass cannot reach the SPICE server',
    words: ['spice', 'failed to connect to spice server', 'keyboard mouse looking glass'],
    patterns: [{ regex: re(String.raw`Failed to connect to spice server`), weight: 10, sources: LG }],
    explanation: 'The client wants SPICE for keyboard and mouse, but the VM has no SPICE display, or the host/port differ.',
    fix: ['Keep a <graphics type="spice"> in the VM (Vitrine builds one), and start the client with its port; or set spice:enable=no.'],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'lg-shm-missing',
    title: 'Looking Glass memory file missing',
    words: ['invalid path to the ivshmem file', 'shmfile', 'ivshmem missing'],
    patterns: [
      { regex: re(String.raw`Invalid path to the ivshmem file specified`), weight: 10, sources: LG },
      { regex: re(String.raw`Invalid value provided to the option: (app:shmFile|lgmp:shmDevice)`), weight: 8, sources: LG },
    ],
    explanation: 'The shared memory file does not exist yet: the VM is not running, or has no <shmem> device.',
    fix: ['Start the VM first; make sure it has the Looking Glass memory device (the VM page adds it).'],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'lg-shm-permission',
    title: 'Looking Glass may not open the memory file',
    words: ['failed to open', 'failed to map memory', 'permission denied looking glass'],
    patterns: [
      { regex: re(String.raw`Failed to open: /dev/(shm/\S+|kvmfr\d+)`), weight: 8, sources: LG },
      { regex: re(String.raw`Failed to map memory`), weight: 8, sources: LG },
    ],
    explanation: 'The memory file belongs to QEMU and your user may not read and write it.',
    fix: ['Add the tmpfiles rule f /dev/shm/looking-glass 0660 USER kvm - (or the kvmfr udev rule), then restart the VM.'],
    seeds: ['002'],
    recipe: { kind: 'host', label: 'Add the tmpfiles rule for /dev/shm/looking-glass', change: { path: '/etc/tmpfiles.d/10-looking-glass.conf', content: 'f /dev/shm/looking-glass 0660 USER kvm -\n' }, setup: { lookingGlass: { mode: 'shm', sizeMiB: 32 } } },
  },
  {
    id: 'lg-shm-empty',
    title: 'Looking Glass memory file is empty',
    words: ['failed to map the shared memory device', 'invalid argument'],
    patterns: [{ regex: re(String.raw`Failed to map the shared memory device`), weight: 10, sources: LG }],
    explanation: 'The file exists but has no size: it was created before QEMU sized it (the VM is not running), or by hand.',
    fix: ['Start the VM, then the client; if it stays, stop the VM and remove the file.'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'lg-too-small',
    title: 'Looking Glass memory too small for the resolution',
    words: ['ivshmem too small', 'screen truncated', 'increase size', 'shared memory size'],
    patterns: [
      { regex: re(String.raw`IVSHMEM too small, screen truncated`), weight: 10, sources: LG },
      { regex: re(String.raw`Recommend increase size to \d+ MiB`), weight: 8, sources: LG },
      // From development build B7-390 on (and B8).
      { regex: re(String.raw`Transport buffer too small, screen truncated`), weight: 10, sources: LG },
    ],
    explanation: "The guest's resolution needs more shared memory than the VM has: the picture is cut.",
    fix: ['Stop the VM, give it the size its resolution needs on your Looking Glass release (the VM page shows it: 32 MiB for 1080p, 64 for 1440p, 128 for 4K; 4K HDR 256 on B7, 128 on B8), remove the old /dev/shm file, start again.'],
    seeds: ['002'],
    recipe: { kind: 'edit-from-evidence', label: 'Set the recommended size', build: 'shmem-recommended' },
  },
  {
    id: 'lg-version-mismatch',
    title: 'Looking Glass client and host application differ',
    words: ['not compatible', 'version mismatch', 'looking glass version', 'incompatible', 'matching host application', 'b7 b8'],
    patterns: [
      // B7 and development builds before the new transport (client/src/main.c reportBadVersion).
      { regex: re(String.raw`The host application is not compatible with this client`), weight: 10, sources: LG },
      { regex: re(String.raw`Please install the matching host application for this client`), weight: 8, sources: LG },
      { regex: re(String.raw`Waiting for you to upgrade the host application`), weight: 6, sources: LG },
      { regex: re(String.raw`Expected KVMFR version \d+, got \d+`), weight: 8, sources: LG },
      // The B8 line (the new transport): reportBadVersion with the component and its versions.
      { regex: re(String.raw`Incompatible (LGMP|KVMFR|\w+) version`), weight: 10, sources: LG },
      { regex: re(String.raw`The transport is not compatible with this client`), weight: 10, sources: LG },
      { regex: re(String.raw`Please install matching Looking Glass components`), weight: 8, sources: LG },
    ],
    explanation: "The client and Looking Glass's guest side in Windows are from different releases; B7 and B8 cannot talk to each other. The client's first line says its release: Looking Glass (B7), (B7-247-g…), (B8-rc1), (B8).",
    fix: [
      'Install the guest side that matches the client (the VM page says which): a B7 client needs the B7 host service, looking-glass-host-setup.exe /S (and a monitor or dummy plug on the card); a B8 client (or a development build from B7-390 on) needs the display driver, looking-glass-idd-setup.exe /S /ivshmem (no dummy plug).',
      'Or install the client of the release that runs in Windows. Both come from https://looking-glass.io/downloads.',
    ],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'lg-no-display',
    title: 'Looking Glass found no display server',
    words: ['no display servers', 'wayland', 'x11', 'display server'],
    patterns: [{ regex: re(String.raw`No display servers available, tried:`), weight: 10, sources: LG }],
    explanation: 'The client was started outside a graphical session (no DISPLAY or WAYLAND_DISPLAY).',
    fix: ['Start it from your desktop session (Vitrine passes the session variables).'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'lg-root',
    title: 'Looking Glass refuses to run as root',
    words: ['do not run looking glass as root', 'root', 'sudo looking-glass'],
    patterns: [{ regex: re(String.raw`Do not run looking glass as root!`), weight: 10, sources: LG }],
    explanation: 'The Looking Glass client refuses to run as root, on purpose: a viewer has no business with root rights.',
    fix: ['Run it (and Vitrine) as your desktop user; give that user access to the memory file instead.'],
    seeds: [],
    recipe: null,
  },
  {
    id: 'lg-bad-option',
    title: 'Looking Glass rejected an option',
    words: ['invalid value provided to the option', 'ignored unknown argument', 'looking glass option'],
    patterns: [
      { regex: re(String.raw`Invalid value provided to the option: (?!app:shmFile|lgmp:shmDevice)[\w:]+`), weight: 10, sources: LG },
      { regex: re(String.raw`Ignored (unknown|invalid) argument: \S+`), weight: 6, sources: LG },
      // After B7: the two options that refuse each other, and the renames (common/src/option.c).
      { regex: re(String.raw`win:autoResize \(-a\) and win:setGuestRes can't be used simultaneously`), weight: 10, sources: LG },
      { regex: re(String.raw`\b\w{1,40}:\w{1,40} has been renamed to \w{1,40}:\w{1,40}, please update your configuration`), weight: 6, sources: LG },
    ],
    explanation: 'The client got a value it does not accept, an option it does not know (which it ignores), an old option name (it warns), or options that exclude each other.',
    fix: ["Check the option against your client's release (the VM page shows the command Vitrine runs); booleans take `yes` or `no`. On B8, `win:autoResize=yes` needs `win:setGuestRes=no`; old names such as `app:shmFile` are now `lgmp:shmDevice`. Look in `~/.looking-glass-client.ini` and `/etc/looking-glass-client.ini` too."],
    seeds: [],
    recipe: null,
  },
  {
    id: 'lg-black-screen',
    title: 'Looking Glass shows a black screen',
    words: ['black screen', 'écran noir', 'no picture', 'nothing shows', 'dummy plug'],
    // A plain string, not String.raw: the CLI's build can then write the é as an ASCII escape.
    patterns: [{ regex: re('\\bblack screen\\b|écran noir'), weight: 8, sources: ['pasted'] }],
    explanation: "The guest GPU renders nothing without a display attached, and Looking Glass copies what it renders. A different resolution in Windows and in the client shows nothing useful either.",
    fix: ['Plug a monitor or a dummy plug (HDMI/DP) into the guest GPU.', 'Make the guest GPU the primary display in Windows, at the resolution the client uses.'],
    seeds: ['002'],
    recipe: null,
  },
  {
    id: 'mouse-only-on-click',
    title: 'The mouse moves only when I click',
    words: ['mouse only moves when i click', 'mouse moves only on click', 'mouse lag', 'mouse stutters', 'stutter', 'stuttering', 'choppy mouse', 'cursor stuck', 'tablet'],
    patterns: [
      { regex: re(String.raw`mouse (only )?moves? only (when I click|on click)|mouse only moves when I click|souris ne bouge`), weight: 8, sources: ['pasted'] },
      { regex: re(String.raw`<input type=['"]tablet['"]`), weight: 8, sources: XML, requires: re(String.raw`<shmem name=['"]looking-glass['"]|/dev/kvmfr\d`) },
    ],
    explanation: "The emulated USB tablet competes with Looking Glass's SPICE input.",
    fix: ['Remove the emulated tablet from the VM; Looking Glass sends the mouse through SPICE.'],
    seeds: ['002'],
    recipe: { kind: 'edit', label: 'Remove the emulated tablet', edits: { removeTablet: true } },
  },
  {
    id: 'emulated-display-with-gpu',
    title: 'Login loop or no picture once the GPU is passed',
    words: ['login loop', 'no picture in virt-viewer', 'second monitor', 'qxl', 'display none'],
    patterns: [
      { regex: re(String.raw`login loop|no picture in (the )?(virt-viewer|console)`), weight: 8, sources: ['pasted'] },
      { regex: re(String.raw`<model type=['"](qxl|virtio|vga|cirrus|bochs)['"][^>]*(heads|primary|vram)`), weight: 4, sources: XML, requires: re(String.raw`<hostdev mode=['"]subsystem['"] type=['"]pci['"]`) },
    ],
    explanation: 'An emulated display beside the passed GPU gives Windows two screens: it may sign in on the wrong one or show nothing on the GPU.',
    fix: ['Set the emulated video to none; use the GPU output or Looking Glass.'],
    seeds: ['001'],
    recipe: { kind: 'edit', label: 'No emulated display', edits: { videoNone: true } },
  },
  {
    id: 'x4-slot-offline',
    title: 'A card in another slot goes offline when the GPU is passed',
    words: ['x4 slot offline', 'usb card disappears', 'nic disappears', 'pcie card offline'],
    patterns: [{ regex: re(String.raw`(x4|pcie) (slot|card)s? (goes|went|go) offline`), weight: 8, sources: ['pasted'] }],
    explanation: 'That slot shares isolation with the GPU on this board: passing the GPU disturbs it.',
    fix: ['Check the IOMMU groups on the Host page; move the cards between slots.'],
    seeds: ['000'],
    recipe: null,
  },
  {
    id: 'single-gpu-black-after-stop',
    title: 'Single GPU: the host screen stays black after the VM stops',
    words: ['host screen black after vm', 'single gpu', 'display manager', 'release hook'],
    patterns: [{ regex: re(String.raw`(host )?screen stays black after the vm (stops|shuts down)`), weight: 8, sources: ['pasted'] }],
    explanation: 'In single-GPU mode the release hook must give the card back to its driver and restart the consoles and the display manager.',
    fix: ['Check the release hook: rebind the host driver, restore efi-framebuffer and the virtual consoles, restart the display manager.'],
    seeds: ['004'],
    recipe: null,
  },  {
    id: 'handover-dm-stuck',
    title: 'GPU handover: the display manager would not stop',
    words: ['display manager would not stop', 'gdm will not stop', 'sddm will not stop', 'handover', 'single gpu start fails', 'hook log'],
    patterns: [
      // Vitrine's hook (/var/log/vitrine/hook-NAME.log, and its message in a failed start)
      { regex: re(String.raw`the display manager would not stop: \S+`), weight: 10, sources: HOOK },
    ],
    explanation: 'Single-GPU mode closes the desktop before the card can go to the VM, and systemctl could not stop the display manager, so the start was stopped and the host left as it was.',
    fix: ['Look at the display manager’s own log (journalctl -u display-manager).', 'Log out first and start the VM from the login screen, or over SSH.', 'Check that display-manager.service points to your display manager (gdm, sddm, lightdm).'],
    seeds: ['004'],
    recipe: null,
  },
  {
    id: 'handover-card-busy',
    title: 'GPU handover: the card is still in use',
    words: ['driver still in use', 'card still in use', 'gpu busy', 'handover', 'cannot unbind', 'hold the card'],
    patterns: [{ regex: re(String.raw`the driver is still in use: .+`), weight: 10, sources: HOOK }],
    explanation: 'Programs still have the card’s device nodes open (/dev/dri, /dev/nvidia*, its HDMI audio), so its driver cannot let it go; the hook stopped the start and gave back what it had stopped.',
    fix: ['Close the programs the message names (games, browsers using the GPU, OBS, CUDA jobs), then start again.', 'Vitrine lists what holds the card before Play.', 'Audio servers holding the HDMI audio: switch the output to another device.'],
    seeds: ['004'],
    recipe: null,
  },
  {
    id: 'handover-framebuffer-busy',
    title: 'GPU handover: the boot framebuffer is busy',
    words: ['framebuffer busy', 'efi-framebuffer', 'simpledrm', 'vesafb', 'handover', 'black screen then back to login'],
    patterns: [{ regex: re(String.raw`the framebuffer is busy: \S+ would not unbind`), weight: 10, sources: HOOK }],
    explanation: 'The firmware’s framebuffer (efifb, simpledrm or vesafb) still holds the card’s memory and would not let go; the card cannot be handed over while it does.',
    fix: ['Add video=efifb:off (or initcall_blacklist=simpledrm_platform_driver_init) to the kernel command line, reboot, and start again.', 'A delay after the unbind helps some cards (settle_seconds in /etc/libvirt/hooks/vitrine-handover.conf).'],
    seeds: ['004'],
    recipe: null,
  },
  {
    id: 'handover-card-not-back',
    title: 'GPU handover: the card did not come back after the VM',
    words: ['card did not come back', 'no display after vm', 'host black after vm', 'handover', 'rebind failed', 'watchdog'],
    patterns: [
      { regex: re(String.raw`the card did not come back: \S+ could not be bound to \S+`), weight: 10, sources: HOOK },
      { regex: re(String.raw`watchdog: \S+ did not reach running`), weight: 6, sources: HOOK },
    ],
    explanation: 'When the VM stopped, the hook could not give the card back to its driver: the card did not reset (the AMD reset bug on some cards) or the driver refused it. The desktop cannot come back on it until it does.',
    fix: ['Reach the host over SSH and read the VM’s hook log in /var/log/vitrine/.', 'Reboot the host to reset the card.', 'For Polaris, Vega, Navi 10/12/14 and Navi 23 cards, install vendor-reset (the Host page says whether yours is covered).'],
    seeds: ['004'],
    recipe: null,
  },
];

/** Turn a recipe whose edits need nothing more into a one-click fix. */
export function staticOneClick(recipe: FixRecipe | null): OneClickFix | null {
  if (!recipe) return null;
  if (recipe.kind === 'edit') return { kind: 'edit', label: recipe.label, edits: recipe.edits };
  if (recipe.kind === 'host') return { kind: 'host', label: recipe.label, change: recipe.change, setup: recipe.setup };
  return null;
}
