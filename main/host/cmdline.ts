import type { KernelParam } from '../../shared/api';

/**
 * Split a kernel command line into parameters the way the kernel does:
 * whitespace-separated, double quotes group, `--` ends the kernel's part.
 */
export function parseCmdline(text: string): KernelParam[] {
  const params: KernelParam[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let token = '';
    let quoted = false;
    while (i < s.length && (quoted || !/\s/.test(s[i]!))) {
      if (s[i] === '"') quoted = !quoted;
      else token += s[i];
      i++;
    }
    if (token === '--') break;
    const eq = token.indexOf('=');
    params.push(eq < 0 ? { name: token, value: null } : { name: token.slice(0, eq), value: token.slice(eq + 1) });
  }
  return params;
}

/** Module parameter names treat `-` and `_` alike (`vfio-pci.ids` = `vfio_pci.ids`). */
export function normaliseParamName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name.replace(/-/g, '_') : name.slice(0, dot).replace(/-/g, '_') + name.slice(dot).replace(/-/g, '_');
}

const RELEVANT = new Set([
  'intel_iommu',
  'amd_iommu',
  'iommu',
  'iommu.passthrough',
  'intremap',
  'vfio_pci.ids',
  'vfio_pci.disable_vga',
  'rd.driver.pre',
  'rd.driver.blacklist',
  'modprobe.blacklist',
  'module_blacklist',
  'video',
  'pcie_acs_override',
  'kvm.ignore_msrs',
  'vfio_iommu_type1.allow_unsafe_interrupts',
  'initcall_blacklist',
]);

/** The parameters that matter for passthrough (IOMMU, vfio, blacklists, framebuffer). */
export function relevantParams(params: KernelParam[]): KernelParam[] {
  return params.filter((p) => RELEVANT.has(normaliseParamName(p.name)));
}

/** The value of a parameter (last one wins, as in the kernel), or undefined. */
export function paramValue(params: KernelParam[], name: string): string | null | undefined {
  const wanted = normaliseParamName(name);
  let found: string | null | undefined;
  for (const p of params) if (normaliseParamName(p.name) === wanted) found = p.value;
  return found;
}
