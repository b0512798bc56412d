import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';

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
 * The troubleshooter reads `detail` for the full story. Their words are the
 * catalogue's `error.libvirt.<key>` and `<key>Hint` (shared/i18n/*.json).
 */
const START_FAILURES: { kind: string; pattern: RegExp; key: string }[] = [
  {
    kind: 'no-kvm',
    key: 'noKvm',
    pattern: /Domain requires KVM|Could not access KVM kernel module|failed to initialize kvm|does not support virt type 'kvm'/i,
  },
  {
    kind: 'no-iommu',
    key: 'noIommu',
    pattern: /host doesn't support passthrough of host PCI devices|VFIO device assignment is currently not supported|no iommu_group found/i,
  },
  {
    kind: 'group-not-viable',
    key: 'groupNotViable',
    pattern: /group \d+ is not viable/i,
  },
  {
    kind: 'device-missing',
    key: 'deviceMissing',
    pattern: /Could not find matching device|could not access \/sys\/bus\/pci\/devices|no such PCI device|Device .* not found/i,
  },
  {
    kind: 'shm-permission',
    key: 'shmPermission',
    pattern: /can't open backing store \/dev\/shm\/\S+ for guest RAM: Permission denied/i,
  },
  {
    kind: 'permission',
    key: 'startPermission',
    pattern: /Permission denied|Operation not permitted/i,
  },
];

const CHECK_URI = msg('error.libvirt.checkUri');

/**
 * Classify a failed virsh run into an error the user can act on.
 * The verbatim text stays in `detail` for the troubleshooter.
 */
export function classifyVirshFailure(uri: string, args: readonly string[], stderr: string, exitCode: number | null): VitrineError {
  const lines = virshErrorLines(stderr);
  const detail = stderr.trim();
  const text = lines.join(' ');
  const last = lines.at(-1) ?? (detail || (exitCode === null ? msg('error.libvirt.exitUnknown') : msg('error.libvirt.exitCode', { code: String(exitCode) })));

  if (/failed to connect to the hypervisor/i.test(text) || /no connection driver available/i.test(text)) {
    let hint: string;
    if (/no connection driver available/i.test(text) || /no valid connection/i.test(text)) {
      hint = 'error.libvirt.connectNoDriver';
    } else if (/permission denied|authentication/i.test(text)) {
      hint = 'error.libvirt.connectDenied';
    } else if (/no such file or directory|connection refused|socket/i.test(text)) {
      hint = 'error.libvirt.connectNoDaemon';
    } else if (/system bus/i.test(text)) {
      hint = 'error.libvirt.connectNoBus';
    } else {
      hint = 'error.libvirt.connectHint';
    }
    return VitrineError.of('connect', msg('error.libvirt.connect', { uri, said: last }), msg(hint, { uri, source: CHECK_URI }), detail);
  }
  // The daemon went away in the middle of the call (stopped, restarted, crashed): the connection, not the command, failed.
  if (/end of file while reading data|cannot recv data|cannot write data|client socket is closed|connection reset by peer/i.test(text)) {
    return VitrineError.of('connect', msg('error.libvirt.dropped', { uri, said: last }), msg('error.libvirt.droppedHint', { uri }), detail);
  }
  for (const known of START_FAILURES) {
    if (known.pattern.test(text)) {
      return VitrineError.of(known.kind, msg(`error.libvirt.${known.key}`, { said: last }), msg(`error.libvirt.${known.key}Hint`), detail);
    }
  }
  if (/failed to get domain|domain not found|no domain with matching name/i.test(text)) {
    return VitrineError.of('domain-not-found', msg('error.libvirt.noSuchDomain', { uri, said: last }), msg('error.libvirt.noSuchDomainHint'), detail);
  }
  return VitrineError.of('virsh', msg('error.libvirt.virshFailed', { command: (args[0] ?? '').split(/[\s;]/)[0] ?? '', said: last }), msg('error.libvirt.virshFailedHint'), detail);
}
