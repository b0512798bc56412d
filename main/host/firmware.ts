import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileExists } from './fs-read';
import { DEFAULT_ROOTS, hostPath, type HostRoots } from './roots';

/** One UEFI firmware build: code and the template of its variable store. */
export interface FirmwarePair {
  code: string;
  vars: string;
  /** Where it was found: a descriptor file or a known distribution path. */
  source: string;
}

export interface FirmwareInfo {
  /** OVMF without Secure Boot (Windows 10). */
  plain: FirmwarePair | null;
  /** OVMF with Secure Boot and Microsoft's keys enrolled (Windows 11). */
  secureBoot: FirmwarePair | null;
}

/** QEMU's firmware descriptor folders, highest priority first (docs/interop/firmware.json). */
export const DESCRIPTOR_DIRS = ['/etc/qemu/firmware', '/usr/share/qemu/firmware'] as const;

/** Known OVMF paths when no descriptor says: Debian/Ubuntu, Fedora/RHEL, Arch. */
export const KNOWN_FIRMWARE: { plain: [string, string][]; secureBoot: [string, string][] } = {
  plain: [
    ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
    ['/usr/share/edk2/ovmf/OVMF_CODE.fd', '/usr/share/edk2/ovmf/OVMF_VARS.fd'],
    ['/usr/share/edk2/x64/OVMF_CODE.4m.fd', '/usr/share/edk2/x64/OVMF_VARS.4m.fd'],
    ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
  ],
  secureBoot: [
    ['/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'],
    ['/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd', '/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd'],
    ['/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd', '/usr/share/edk2/x64/OVMF_VARS.4m.fd'],
  ],
};

interface Descriptor {
  'interface-types'?: string[];
  mapping?: { device?: string; executable?: { filename?: string }; 'nvram-template'?: { filename?: string } };
  targets?: { architecture?: string; machines?: string[] }[];
  features?: string[];
}

/**
 * Find OVMF for q35 guests: QEMU's firmware descriptors first (what libvirt
 * itself uses), then the distributions' known paths. A descriptor in /etc
 * overrides one of the same name in /usr/share. Every file is read through
 * `roots`; the paths reported are the host's (they go into domain XML).
 */
export async function detectFirmware(roots: HostRoots = DEFAULT_ROOTS, descriptorDirs: readonly string[] = DESCRIPTOR_DIRS): Promise<FirmwareInfo> {
  const exists = (path: string): Promise<boolean> => fileExists(hostPath(roots, path));
  const byName = new Map<string, string>();
  for (const dir of [...descriptorDirs].reverse()) {
    const names = await readdir(hostPath(roots, dir)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json'))) byName.set(name, join(dir, name));
  }
  const info: FirmwareInfo = { plain: null, secureBoot: null };
  for (const name of [...byName.keys()].sort()) {
    const path = byName.get(name)!;
    let d: Descriptor;
    try {
      d = JSON.parse(await readFile(hostPath(roots, path), 'utf8')) as Descriptor;
    } catch {
      continue;
    }
    const code = d.mapping?.executable?.filename;
    const vars = d.mapping?.['nvram-template']?.filename;
    const q35 = d.targets?.some((t) => t.architecture === 'x86_64' && (t.machines ?? []).some((m) => m.includes('q35')));
    if (!d['interface-types']?.includes('uefi') || d.mapping?.device !== 'flash' || !code || !vars || !q35) continue;
    if (!(await exists(code)) || !(await exists(vars))) continue;
    const features = new Set(d.features ?? []);
    const pair = { code, vars, source: path };
    if (features.has('secure-boot') && features.has('enrolled-keys')) info.secureBoot ??= pair;
    else if (!features.has('secure-boot')) info.plain ??= pair;
  }
  for (const kind of ['plain', 'secureBoot'] as const) {
    if (info[kind]) continue;
    for (const [code, vars] of KNOWN_FIRMWARE[kind]) {
      if ((await exists(code)) && (await exists(vars))) {
        info[kind] = { code, vars, source: 'known path' };
        break;
      }
    }
  }
  return info;
}
