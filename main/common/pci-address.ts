import { msg } from '../../shared/i18n/message';
import { VitrineError } from './errors';

export interface PciAddress {
  domain: number;
  bus: number;
  slot: number;
  function: number;
}

/** A PCI address as sysfs and the kernel write it: `0000:01:00.0`, lowercase. */
export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

const FULL = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\.([0-7])$/;
const SHORT = /^([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\.([0-7])$/;

/** Parse `0000:01:00.0` (or `01:00.0`); anything else is refused with the expected form. */
export function parsePciAddress(text: string): PciAddress {
  const full = text.trim().match(FULL);
  const short = full ? null : text.trim().match(SHORT);
  const parts = full ? full.slice(1) : short ? ['0000', ...short.slice(1)] : null;
  if (!parts) {
    throw VitrineError.of('invalid-address', msg('error.app.badPciAddress', { text }), msg('error.app.badPciAddressHint'));
  }
  const [domain, bus, slot, fn] = parts.map((p) => parseInt(p!, 16)) as [number, number, number, number];
  return { domain, bus, slot, function: fn };
}

/** `0000:01:00.0` */
export function formatPciAddress(a: PciAddress): string {
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.slot, 2)}.${a.function}`;
}

/** The host slot of an address (`0000:01:00`), which its functions share. */
export function slotKey(a: PciAddress): string {
  return formatPciAddress(a).slice(0, -2);
}

/** Read a libvirt `<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>` attribute set. */
export function fromLibvirtAttrs(get: (name: string) => string | null): PciAddress | null {
  const values = ['domain', 'bus', 'slot', 'function'].map((n) => get(n));
  if (values.some((v) => v === null)) return null;
  const [domain, bus, slot, fn] = values.map((v) => parseInt(v!, v!.startsWith('0x') ? 16 : 10)) as [number, number, number, number];
  return [domain, bus, slot, fn].some(Number.isNaN) ? null : { domain, bus, slot, function: fn };
}

/** The attributes libvirt writes for an address. */
export function libvirtAttrs(a: PciAddress): string {
  const h = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;
  return `domain='${h(a.domain, 4)}' bus='${h(a.bus, 2)}' slot='${h(a.slot, 2)}' function='${h(a.function, 1)}'`;
}
