/**
 * Where the host scanner reads from. Tests point these at a fixture tree; the
 * defaults are the real host.
 */
export interface HostRoots {
  sys: string;
  proc: string;
  dev: string;
  /** Holds `<kernel release>/modules.alias`. */
  modules: string;
  /** pci.ids candidates, first readable wins. */
  pciIds: readonly string[];
}

/** pci.ids as shipped by hwdata (Fedora, Arch, Debian) and pciutils/pci.ids (Debian, Ubuntu). */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids', '/usr/share/pci.ids', '/usr/share/pciids/pci.ids'] as const;

export const DEFAULT_ROOTS: HostRoots = {
  sys: '/sys',
  proc: '/proc',
  dev: '/dev',
  modules: '/lib/modules',
  pciIds: PCI_IDS_PATHS,
};

/** Roots from CLI flags (each optional), over the defaults. */
export function hostRoots(overrides: Partial<Record<'sys' | 'proc' | 'dev' | 'modules', string | undefined>> = {}): HostRoots {
  return {
    sys: overrides.sys ?? DEFAULT_ROOTS.sys,
    proc: overrides.proc ?? DEFAULT_ROOTS.proc,
    dev: overrides.dev ?? DEFAULT_ROOTS.dev,
    modules: overrides.modules ?? DEFAULT_ROOTS.modules,
    pciIds: DEFAULT_ROOTS.pciIds,
  };
}
