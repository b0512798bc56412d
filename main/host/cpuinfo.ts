import type { HostReport } from '../../shared/api';

/** CPU facts from the first processor block of /proc/cpuinfo. */
export function parseCpuinfo(text: string): HostReport['cpu'] {
  const block = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | null => {
    const line = block.split('\n').find((l) => l.split(':')[0]?.trim() === name);
    return line ? line.slice(line.indexOf(':') + 1).trim() : null;
  };
  const vendorId = field('vendor_id');
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  return {
    vendor: vendorId === 'GenuineIntel' ? 'intel' : vendorId === 'AuthenticAMD' || vendorId === 'HygonGenuine' ? 'amd' : 'other',
    vendorId,
    model: field('model name'),
    virtualization: flags.has('vmx') || flags.has('svm'),
    inVirtualMachine: flags.has('hypervisor'),
    gigaPages: flags.has('pdpe1gb'),
  };
}
