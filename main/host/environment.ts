import { userInfo } from 'node:os';
import type { ErrorInfo } from '../../shared/api';
import { toErrorInfo } from '../common/errors';
import { run } from '../common/process';
import { readBootConfig, type BootConfigFacts } from './boot-config';
import { detectFirmware, type FirmwareInfo } from './firmware';
import { fileExists, readText } from './fs-read';
import { DEFAULT_ROOTS, hostPath, type HostRoots } from './roots';
import { which } from './which';

export type OsFamily = 'debian' | 'fedora' | 'arch' | 'suse' | 'other';

/** What the checklist needs beyond the hardware: tools, libvirt, the user's groups, firmware. */
export interface EnvironmentFacts {
  os: { family: OsFamily; name: string | null };
  user: { name: string; configuredGroups: string[]; sessionGroups: string[] };
  tools: { virsh: string | null; qemuImg: string | null; swtpm: string | null; lookingGlass: string | null };
  libvirt: { uri: string; reachable: boolean; hypervisor: string | null; error: ErrorInfo | null };
  firmware: FirmwareInfo;
  /** The boot configuration files, to compare with the running command line (absent: not read). */
  boot?: BootConfigFacts;
  /** Proxmox VE: present when /etc/pve exists (null or absent otherwise). */
  proxmox?: ProxmoxFacts | null;
}

/** What differs on a Proxmox VE host: its VMs are managed by qm and the web UI, not libvirt. */
export interface ProxmoxFacts {
  /** pve-manager's version from `pveversion` (null when it did not answer). */
  version: string | null;
  /** Where qm is (null: not found). */
  qm: string | null;
  /** Proxmox's own OVMF (pve-edk2-firmware) is installed. */
  ovmf: boolean;
}

/** `pveversion` prints `pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)`. */
export function parsePveversion(text: string): string | null {
  return text.match(/pve-manager\/([0-9][\w.~+-]*)/)?.[1] ?? null;
}

/** Proxmox VE is there when its cluster file system is mounted on /etc/pve. */
export async function detectProxmox(roots: HostRoots): Promise<ProxmoxFacts | null> {
  if (!(await fileExists(hostPath(roots, '/etc/pve')))) return null;
  const [pveversion, qm, ovmf] = await Promise.all([which('pveversion'), which('qm'), fileExists(hostPath(roots, '/usr/share/pve-edk2-firmware'))]);
  const version = pveversion ? await run(pveversion, [], { timeoutMs: 10_000 }).then((r) => parsePveversion(r.stdout), () => null) : null;
  return { version, qm, ovmf };
}

/** Distribution family from os-release's ID and ID_LIKE. */
export function osFamily(osRelease: string): { family: OsFamily; name: string | null } {
  const field = (key: string): string => (osRelease.match(new RegExp(`^${key}=("?)(.*)\\1$`, 'm'))?.[2] ?? '').toLowerCase();
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/);
  const name = osRelease.match(/^PRETTY_NAME=("?)(.*)\1$/m)?.[2] ?? null;
  if (ids.some((id) => ['debian', 'ubuntu'].includes(id))) return { family: 'debian', name };
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return { family: 'fedora', name };
  if (ids.some((id) => ['arch', 'archlinux'].includes(id))) return { family: 'arch', name };
  if (ids.some((id) => id.includes('suse'))) return { family: 'suse', name };
  return { family: 'other', name };
}

/** Group names from /etc/group text: those listing the user, and those of the given gids. */
export function groupsOf(groupFile: string, user: string, gids: number[]): { configured: string[]; session: string[] } {
  const configured: string[] = [];
  const session: string[] = [];
  for (const line of groupFile.split('\n')) {
    const [name, , gid, members] = line.split(':');
    if (!name || gid === undefined) continue;
    if ((members ?? '').split(',').includes(user)) configured.push(name);
    if (gids.includes(Number(gid))) session.push(name);
  }
  return { configured: configured.sort(), session: session.sort() };
}

/**
 * Gather the environment facts for the checklist (one libvirt probe, a few PATH
 * lookups). `virshVersion` runs `virsh version` on the connection: the caller
 * (services) owns libvirt, the host layer only reads the answer. Files
 * (/etc/os-release, /etc/group, the firmware) are read through `roots`.
 */
export async function gatherEnvironment(uri: string, virshVersion: () => Promise<string>, roots: HostRoots = DEFAULT_ROOTS): Promise<EnvironmentFacts> {
  const [osRelease, groupFile, virshPath, qemuImg, swtpm, lookingGlass, firmware, boot, proxmox] = await Promise.all([
    readText(hostPath(roots, '/etc/os-release')),
    readText(hostPath(roots, '/etc/group')),
    which('virsh'),
    which('qemu-img'),
    which('swtpm'),
    which('looking-glass-client'),
    detectFirmware(roots),
    readBootConfig(roots),
    detectProxmox(roots),
  ]);
  const name = userInfo().username;
  const groups = groupsOf(groupFile ?? '', name, process.getgroups?.() ?? []);
  let libvirt: EnvironmentFacts['libvirt'] = { uri, reachable: false, hypervisor: null, error: null };
  if (virshPath) {
    try {
      const out = await virshVersion();
      libvirt = { uri, reachable: true, hypervisor: out.match(/Running hypervisor:\s*(.+)/)?.[1]?.trim() ?? null, error: null };
    } catch (error) {
      libvirt = { uri, reachable: false, hypervisor: null, error: toErrorInfo(error) };
    }
  }
  return {
    os: osFamily(osRelease ?? ''),
    user: { name, configuredGroups: groups.configured, sessionGroups: groups.session },
    tools: { virsh: virshPath, qemuImg, swtpm, lookingGlass },
    libvirt,
    firmware,
    boot,
    proxmox,
  };
}
