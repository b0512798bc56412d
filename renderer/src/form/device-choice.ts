/**
 * What a choice of devices means on this host (pure: the picker and its test use it).
 */
import type { EditRequest, HostCheck, PciDevice } from '../../../shared/api';

/** What the user picked: a card (or none), the group companions accepted, USB controllers and devices. */
export interface DeviceChoice {
  gpu: string | null;
  /**
   * The group companions the user accepted with "pass the whole group" (needed
   * when a chosen device shares its IOMMU group); a companion that a later
   * pick brings is not accepted until the box is ticked again.
   */
  accepted: string[];
  controllers: string[];
  /** `vendor:product` ids. */
  usb: string[];
}

export const NO_DEVICES: DeviceChoice = { gpu: null, accepted: [], controllers: [], usb: [] };

/** Bridges stay with the host (as the host check's passWith says). */
function isBridge(device: PciDevice): boolean {
  return device.class.startsWith('0x0604') || device.class.startsWith('0x0609');
}

/** A device's name for people: its model, else its kind, else its ids. */
export function deviceName(device: PciDevice | undefined, address: string): string {
  if (!device) return address;
  return device.deviceName ?? device.className ?? `${device.vendorId}:${device.deviceId}`;
}

/** The host's USB controllers that are not part of a graphics card. */
export function usbControllers(check: HostCheck, gpuFunctions: ReadonlySet<string>): PciDevice[] {
  return check.devices.filter((d) => d.class.startsWith('0x0c03') && !gpuFunctions.has(d.address) && !check.gpus.some((g) => g.passWith.includes(d.address) && !g.sharesWith.includes(d.address)));
}

/**
 * What a choice means on this host: the PCI functions picked (a card's own
 * functions, the controllers), the devices that share their IOMMU groups and
 * must go too (bridges excepted), and the addresses to attach — the
 * companions only once the user accepted them.
 */
export function resolveChoice(check: HostCheck, choice: DeviceChoice): { picked: string[]; companions: PciDevice[]; addresses: string[]; blocked: boolean } {
  const gpu = check.gpus.find((g) => g.address === choice.gpu) ?? null;
  const own = gpu ? gpu.passWith.filter((a) => !gpu.sharesWith.includes(a)) : [];
  const picked = [...new Set([...own, ...choice.controllers])];
  const groups = new Set(picked.map((a) => check.devices.find((d) => d.address === a)?.iommuGroup).filter((g): g is number => g !== null && g !== undefined));
  const companions = check.devices.filter((d) => d.iommuGroup !== null && groups.has(d.iommuGroup) && !picked.includes(d.address) && !isBridge(d));
  const blocked = companions.some((d) => !choice.accepted.includes(d.address));
  return { picked, companions, addresses: blocked ? picked : [...picked, ...companions.map((d) => d.address)], blocked };
}

/** The edits a choice asks for (nothing while the group is not accepted). */
export function choiceEdits(check: HostCheck, choice: DeviceChoice): Pick<EditRequest, 'attachPci' | 'usb'> | null {
  const { addresses, blocked } = resolveChoice(check, choice);
  if (blocked) return null;
  // A device plugged into a controller that goes to the VM goes with it.
  const viaController = new Set(check.devices.filter((d) => addresses.includes(d.address)).flatMap((d) => d.usb.map((u) => `${u.vendorId}:${u.productId}`)));
  const usb = choice.usb.filter((id) => !viaController.has(id));
  return {
    ...(addresses.length > 0 ? { attachPci: { addresses, rom: null } } : {}),
    ...(usb.length > 0 ? { usb } : {}),
  };
}
