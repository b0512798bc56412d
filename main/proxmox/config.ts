/**
 * A Proxmox VE VM's configuration as `qm config ID` prints it (and as
 * /etc/pve/qemu-server/ID.conf holds it): `key: value` lines. Snapshots
 * (`[name]` sections of the .conf file) and the description's `#` lines are
 * not part of the current configuration.
 */
export type QmConfig = Map<string, string>;

export function parseQmConfig(text: string): QmConfig {
  const config: QmConfig = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*\[/.test(line)) break;
    if (/^\s*(#|$)/.test(line)) continue;
    const m = line.match(/^([a-z][a-z0-9_-]*):\s?(.*)$/);
    if (m) config.set(m[1]!, m[2]!);
  }
  return config;
}

/** `a,b=c,d=e` as Proxmox writes property strings: the leading value without a key (the default key) comes first. */
export interface PropertyString {
  /** The leading value without `key=` (hostpci's host, cpu's type), or null. */
  head: string | null;
  /** key=value pairs in their order. */
  pairs: [string, string][];
}

export function parseProperties(text: string, defaultKey: string): PropertyString {
  const parts = text.split(',').filter((p) => p !== '');
  let head: string | null = null;
  const pairs: [string, string][] = [];
  parts.forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0 && index === 0) head = part;
    else if (eq < 0) pairs.push([part, '']);
    else if (part.slice(0, eq) === defaultKey) head = part.slice(eq + 1);
    else pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
  });
  return { head, pairs };
}

export function formatProperties(p: PropertyString): string {
  return [...(p.head !== null ? [p.head] : []), ...p.pairs.map(([k, v]) => (v === '' ? k : `${k}=${v}`))].join(',');
}

/** Set (or replace in place) key=value; keep every other option the user had. */
export function withProperty(p: PropertyString, key: string, value: string): PropertyString {
  const at = p.pairs.findIndex(([k]) => k === key);
  const pairs = [...p.pairs];
  if (at >= 0) pairs[at] = [key, value];
  else pairs.push([key, value]);
  return { head: p.head, pairs };
}

export const property = (p: PropertyString, key: string): string | undefined => p.pairs.find(([k]) => k === key)?.[1];

export interface HostPciEntry {
  key: string;
  /** `0000:01:00` (all functions) or `0000:01:00.0`, or a mapping name (`mapping=…`). */
  host: string;
  allFunctions: boolean;
  pcie: boolean;
  xVga: boolean;
  romfile: string | null;
}

/** What matters for GPU passthrough in a VM's configuration, and what is wrong with it. */
export interface ProxmoxPassthroughState {
  vmid: number;
  name: string | null;
  machine: string | null;
  q35: boolean;
  bios: 'ovmf' | 'seabios';
  efidisk: boolean;
  cpu: string | null;
  hidden: boolean;
  vga: string | null;
  hostpci: HostPciEntry[];
  ivshmem: { sizeMiB: number; name: string | null } | null;
  usb: { key: string; host: string }[];
  /** Problems for passthrough, each a sentence that says what to change. */
  issues: string[];
}

const flag = (value: string | undefined): boolean => value === '1' || value === 'on' || value === 'yes' || value === 'true';

const numbered = (config: QmConfig, prefix: string): string[] =>
  [...config.keys()].filter((k) => new RegExp(`^${prefix}\\d+$`).test(k)).sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));

export function hostPciEntry(key: string, value: string): HostPciEntry {
  const p = parseProperties(value, 'host');
  const host = p.head ?? (property(p, 'mapping') !== undefined ? `mapping=${property(p, 'mapping')}` : '');
  return {
    key,
    host,
    allFunctions: /^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}$/i.test(host),
    pcie: flag(property(p, 'pcie')),
    xVga: flag(property(p, 'x-vga')),
    romfile: property(p, 'romfile') ?? null,
  };
}

/** The passthrough state of a VM from `qm config ID`. */
export function passthroughState(vmid: number, config: QmConfig): ProxmoxPassthroughState {
  const machine = config.get('machine') ?? null;
  const q35 = machine !== null && /q35/.test(machine);
  const bios = config.get('bios') === 'ovmf' ? 'ovmf' : 'seabios';
  const cpuText = config.get('cpu') ?? null;
  const cpu = cpuText === null ? null : parseProperties(cpuText, 'cputype');
  const hostpci = numbered(config, 'hostpci').map((k) => hostPciEntry(k, config.get(k)!));
  const ivText = config.get('ivshmem');
  const iv = ivText === undefined ? null : parseProperties(ivText, 'size');
  const usb = numbered(config, 'usb').map((k) => ({ key: k, host: parseProperties(config.get(k)!, 'host').head ?? '' }));
  const vga = config.get('vga') ?? null;
  const issues: string[] = [];
  const gpu = hostpci.find((h) => h.xVga) ?? hostpci[0];
  if (hostpci.some((h) => h.pcie) && !q35) issues.push(`pcie=1 needs the q35 machine type (machine: q35); this VM has ${machine ?? 'the default i440fx'}.`);
  if (gpu && bios !== 'ovmf') issues.push('A passed GPU needs UEFI firmware: bios: ovmf (with an EFI disk). Changing the firmware of an installed Windows needs it reinstalled (or converted to GPT).');
  if (bios === 'ovmf' && ![...config.keys()].includes('efidisk0')) issues.push('OVMF without an EFI disk forgets its boot entries: add one (web UI: Hardware > Add > EFI Disk).');
  if (gpu && !gpu.allFunctions && !gpu.host.startsWith('mapping=')) issues.push(`${gpu.key} passes only ${gpu.host}: pass the whole card (${gpu.host.replace(/\.\d$/, '')}, "All Functions" in the web UI) so its audio goes along.`);
  // Seed 001 shows the emulated console fighting the card.
  if (gpu?.xVga && vga !== null && !/^none\b/.test(vga)) issues.push(`The passed GPU is the primary display (x-vga=1) but the VM still has an emulated display (vga: ${vga}): set vga: none, or the console fights the card for the screen.`);
  if (gpu && !(cpu?.head === 'host' && flag(property(cpu, 'hidden')))) issues.push('NVIDIA drivers before 465 stop with Code 43 when they see a hypervisor: cpu: host,hidden=1.');
  return {
    vmid,
    name: config.get('name') ?? null,
    machine,
    q35,
    bios,
    efidisk: config.has('efidisk0'),
    cpu: cpuText,
    hidden: cpu !== null && flag(property(cpu, 'hidden')),
    vga,
    hostpci,
    ivshmem: iv ? { sizeMiB: Number(iv.head ?? property(iv, 'size') ?? 0), name: property(iv, 'name') ?? null } : null,
    usb,
    issues,
  };
}
