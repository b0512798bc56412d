import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { normaliseParamName, parseCmdline } from '../host/cmdline';

/** The kernel parameters Vitrine manages; anything else on the line is the user's and stays. */
export function managedArgs(vendor: 'intel' | 'amd' | 'other', ids: string[], dracut: boolean): string[] {
  const args: string[] = [];
  if (vendor === 'intel') args.push('intel_iommu=on');
  if (vendor === 'amd') args.push('amd_iommu=on');
  args.push('iommu=pt');
  if (ids.length > 0) args.push(`vfio-pci.ids=${ids.join(',')}`);
  if (dracut && ids.length > 0) args.push('rd.driver.pre=vfio-pci');
  return args;
}

// Hugepage parameters are replaced only when they are Vitrine's own set (the hugepage planner refuses any other).
const REPLACED = new Set(['intel_iommu', 'amd_iommu', 'iommu', 'vfio_pci.ids', 'default_hugepagesz', 'hugepagesz', 'hugepages']);

/**
 * The new parameter list: earlier `*_iommu=`, `iommu=`, `vfio-pci.ids=`
 * (either spelling) and, when hugepages are wanted, `hugepages=`… are removed before ours are added, so a second run finds
 * nothing to do; every other parameter keeps its place and spelling.
 * `alsoPresent` are tokens set elsewhere (GRUB_CMDLINE_LINUX) that count as present.
 */
export function withManagedArgs(current: string[], wanted: string[], alsoPresent: string[] = []): string[] {
  const wantedNames = new Set(wanted.map((w) => normaliseParamName(w.split('=')[0]!)));
  const keep = current.filter((token) => {
    const name = normaliseParamName(token.split('=')[0]!);
    if (token === 'rd.driver.pre=vfio-pci') return !wanted.includes(token);
    return !(REPLACED.has(name) && wantedNames.has(name)) || wanted.includes(token);
  });
  const present = new Set([...keep, ...alsoPresent]);
  return [...keep, ...wanted.filter((w) => !present.has(w))];
}

/** Remove exactly the given tokens (the undo of withManagedArgs). */
export function withoutArgs(current: string[], added: string[]): string[] {
  const gone = new Set(added);
  return current.filter((t) => !gone.has(t));
}

/** Tokens of a kernel command line (quotes respected, `--` and what follows dropped). */
export function tokens(line: string): string[] {
  return parseCmdline(line).map((p) => (p.value === null ? p.name : `${p.name}=${/\s/.test(p.value) ? `"${p.value}"` : p.value}`));
}

/** Check PCI ids before they reach a kernel command line. */
export function checkIds(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (!/^[0-9a-f]{4}:[0-9a-f]{4}$/.test(id)) {
      throw VitrineError.of('invalid-id', msg('error.setup.badPciId', { id }), msg('error.setup.badPciIdHint'));
    }
    if (seen.has(id)) throw VitrineError.of('duplicate-id', msg('error.setup.duplicatePciId', { id }), msg('error.setup.duplicatePciIdHint'));
    seen.add(id);
  }
}
