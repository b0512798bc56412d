import { join } from 'node:path';

/**
 * Where the host is read from. Tests point these at a fixture tree; the
 * defaults are the real host.
 */
export interface HostRoots {
  sys: string;
  proc: string;
  dev: string;
  /** Holds `<kernel release>/modules.alias`. */
  modules: string;
  /** /etc: os-release, group, QEMU's firmware descriptors. */
  etc: string;
  /** The file system root for the other paths read (OVMF and its descriptors under /usr/share). */
  root: string;
  /** pci.ids candidates, first readable wins. */
  pciIds: readonly string[];
  /** A folder where the pci.ids index is kept between runs (scan.ts); none: kept in memory only. */
  cacheDir?: string;
}

/** pci.ids as shipped by hwdata (Fedora, Arch, Debian) and pciutils/pci.ids (Debian, Ubuntu). */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids', '/usr/share/pci.ids', '/usr/share/pciids/pci.ids'] as const;

export const DEFAULT_ROOTS: HostRoots = {
  sys: '/sys',
  proc: '/proc',
  dev: '/dev',
  modules: '/lib/modules',
  etc: '/etc',
  root: '/',
  pciIds: PCI_IDS_PATHS,
};

/** Roots from CLI flags (each optional), over the defaults. */
export function hostRoots(overrides: Partial<Record<'sys' | 'proc' | 'dev' | 'modules' | 'etc' | 'root', string | undefined>> = {}): HostRoots {
  return {
    sys: overrides.sys ?? DEFAULT_ROOTS.sys,
    proc: overrides.proc ?? DEFAULT_ROOTS.proc,
    dev: overrides.dev ?? DEFAULT_ROOTS.dev,
    modules: overrides.modules ?? DEFAULT_ROOTS.modules,
    etc: overrides.etc ?? DEFAULT_ROOTS.etc,
    root: overrides.root ?? DEFAULT_ROOTS.root,
    pciIds: DEFAULT_ROOTS.pciIds,
  };
}

const UNDER: readonly ['sys' | 'proc' | 'dev' | 'etc', string][] = [
  ['sys', '/sys/'],
  ['proc', '/proc/'],
  ['dev', '/dev/'],
  ['etc', '/etc/'],
];

/**
 * Where an absolute host path is read under these roots: /sys, /proc, /dev
 * and /etc paths under their own roots, anything else under `root`.
 * `hostPath(DEFAULT_ROOTS, p)` is `p`.
 */
export function hostPath(roots: HostRoots, path: string): string {
  for (const [key, prefix] of UNDER) {
    if (path === prefix.slice(0, -1)) return roots[key];
    if (path.startsWith(prefix)) return join(roots[key], path.slice(prefix.length));
  }
  return join(roots.root, path);
}
