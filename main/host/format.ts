import type { CheckStatus, HostCheck } from '../../shared/api';
import { deviceLabel, isBridge } from './verdicts';

const MARK: Record<CheckStatus, string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]', unknown: '[ ?? ]' };

/** `vitrine doctor` for people: the checklist with fixes, the GPUs, then the group table. */
export function formatHostCheck(check: HostCheck): string {
  const lines: string[] = ['Readiness checklist', ''];
  for (const c of check.checks) {
    lines.push(`${MARK[c.status]} ${c.title}: ${c.detail}`);
    if (c.fix) lines.push(`       fix: ${c.fix}`);
  }
  lines.push('', 'GPUs');
  if (check.gpus.length === 0) lines.push('  none found');
  for (const gpu of check.gpus) {
    lines.push(`  ${gpu.address}  ${gpu.verdict}  ${gpu.name}`, `    ${gpu.sentence}`);
    if (gpu.passWith.length > 0) lines.push(`    passes with: ${gpu.passWith.join(', ')}  (ids ${gpu.ids.join(',')})`);
  }
  lines.push('', 'IOMMU groups');
  if (check.groups.length === 0) lines.push('  none (the IOMMU is off)');
  const byAddress = new Map(check.devices.map((d) => [d.address, d]));
  for (const group of check.groups) {
    lines.push(`  group ${group.id}`);
    for (const address of group.devices) {
      const d = byAddress.get(address);
      if (!d) continue;
      const extra = [
        d.driver ? `driver ${d.driver}` : 'no driver',
        d.resettable ? `reset ${d.resetMethods.join('/') || 'yes'}` : 'no reset',
        d.bootVga ? 'boot VGA' : null,
        isBridge(d) ? 'bridge, stays with the host' : null,
      ].filter(Boolean);
      lines.push(`    ${address} [${d.vendorId}:${d.deviceId}] ${deviceLabel(d)} (${extra.join(', ')})`);
    }
  }
  if (check.groups.length === 0 && check.devices.length > 0) {
    lines.push('', 'PCI devices');
    for (const d of check.devices) lines.push(`  ${d.address} [${d.vendorId}:${d.deviceId}] ${deviceLabel(d)} (${d.driver ? `driver ${d.driver}` : 'no driver'})`);
  }
  if (!check.pciIds) lines.push('', 'No pci.ids database found: devices are shown by id (install pciutils or hwdata for names).');
  return lines.join('\n') + '\n';
}
