import { VitrineError } from '../common/errors';

/** The `error: …` lines virsh printed, without the prefix, in order. */
export function virshErrorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('error:'))
    .map((line) => line.slice('error:'.length).trim())
    .filter((line) => line.length > 0);
}

/**
 * Failures of `virsh start`/`define` the app explains, with the verbatim
 * libvirt/QEMU texts they match (shared/reference/libvirt.md, troubleshooting.md).
 * The troubleshooter reads `detail` for the full story.
 */
const START_FAILURES: { kind: string; pattern: RegExp; message: string; hint: string }[] = [
  {
    kind: 'no-kvm',
    pattern: /Domain requires KVM|Could not access KVM kernel module|failed to initialize kvm|does not support virt type 'kvm'/i,
    message: 'KVM is not available, so the VM cannot start.',
    hint: 'Turn on VT-x / AMD-V in the firmware, load kvm_intel or kvm_amd, and add yourself to the kvm group (see the Host page).',
  },
  {
    kind: 'no-iommu',
    pattern: /host doesn't support passthrough of host PCI devices|VFIO device assignment is currently not supported|no iommu_group found/i,
    message: 'The host cannot pass PCI devices: the IOMMU is off.',
    hint: 'Enable VT-d / AMD-Vi (IOMMU) in the firmware and the kernel parameter (see the Host page), then reboot.',
  },
  {
    kind: 'group-not-viable',
    pattern: /group \d+ is not viable/i,
    message: 'An IOMMU group of a passed device is not viable: another device of the group is still used by the host.',
    hint: 'Pass every device of the group (the Host page lists them), or move the card to another slot.',
  },
  {
    kind: 'device-missing',
    pattern: /Could not find matching device|could not access \/sys\/bus\/pci\/devices|no such PCI device|Device .* not found/i,
    message: 'A device the VM passes through is not on this host (any more).',
    hint: 'PCI addresses change after a firmware update or a card move: check the Host page and attach the GPU again.',
  },
  {
    kind: 'shm-permission',
    pattern: /can't open backing store \/dev\/shm\/\S+ for guest RAM: Permission denied/i,
    message: 'QEMU cannot open the Looking Glass shared memory file: it belongs to someone else (a stale file).',
    hint: 'Remove /dev/shm/looking-glass while the VM is off, and add the tmpfiles rule (host preparation does both).',
  },
  {
    kind: 'permission',
    pattern: /Permission denied|Operation not permitted/i,
    message: 'Permission denied while starting the VM.',
    hint: 'Check that the files the VM uses (disk, ISOs, ROM) are readable by libvirt, and your groups (see the Host page).',
  },
];

const CHECK_URI = 'the URI given with --connect or VITRINE_LIBVIRT_URI';

/**
 * Classify a failed virsh run into an error the user can act on.
 * The verbatim text stays in `detail` for the troubleshooter.
 */
export function classifyVirshFailure(uri: string, args: readonly string[], stderr: string, exitCode: number | null): VitrineError {
  const lines = virshErrorLines(stderr);
  const detail = stderr.trim();
  const text = lines.join(' ');
  const last = lines.at(-1) ?? (detail || `virsh exited with code ${exitCode ?? 'unknown'}`);

  if (/failed to connect to the hypervisor/i.test(text) || /no connection driver available/i.test(text)) {
    let hint: string;
    if (/no connection driver available/i.test(text) || /no valid connection/i.test(text)) {
      hint = `Check ${CHECK_URI}: libvirt has no driver for it (for a local VM use qemu:///system or qemu:///session).`;
    } else if (/permission denied|authentication/i.test(text)) {
      hint = `Check that your user may use ${uri}: add it to the "libvirt" group (sudo usermod -aG libvirt $USER, then log in again), or use qemu:///session.`;
    } else if (/no such file or directory|connection refused|socket/i.test(text)) {
      hint = `Check that the libvirt daemon is running (sudo systemctl enable --now libvirtd) and that ${CHECK_URI} is right.`;
    } else if (/system bus/i.test(text)) {
      hint = `Check that D-Bus and polkit are running, or that your user is in the "libvirt" group; qemu:///session needs neither.`;
    } else {
      hint = `Check that the libvirt daemon is running and that ${CHECK_URI} is right.`;
    }
    return new VitrineError({ kind: 'connect', message: `Cannot connect to libvirt at '${uri}': ${last}`, hint, detail });
  }
  for (const known of START_FAILURES) {
    if (known.pattern.test(text)) {
      return new VitrineError({ kind: known.kind, message: `${known.message} (${last})`, hint: known.hint, detail });
    }
  }
  if (/failed to get domain|domain not found|no domain with matching name/i.test(text)) {
    return new VitrineError({
      kind: 'domain-not-found',
      message: `libvirt at '${uri}' has no such virtual machine: ${last}`,
      hint: 'The VM may have been removed or renamed; refresh the list.',
      detail,
    });
  }
  return new VitrineError({
    kind: 'virsh',
    message: `virsh ${(args[0] ?? '').split(/[\s;]/)[0]} failed: ${last}`,
    hint: 'See the details; the Troubleshoot page explains the known failures.',
    detail,
  });
}
