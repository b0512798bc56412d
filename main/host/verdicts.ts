import type { GpuAssessment, GpuVerdict, PciDevice } from '../../shared/api';
import { amdResetVerdict } from './amd-reset';

/** PCI-to-PCI bridges stay with the host: they are never passed (seed 003). */
export function isBridge(device: PciDevice): boolean {
  return device.class.startsWith('0x0604') || device.class.startsWith('0x0609');
}

export function isDisplayDevice(device: PciDevice): boolean {
  return device.class.startsWith('0x03');
}

/** `0000:01:00.0` -> `0000:01:00` (the card's slot; its functions share it). */
export function slotOf(address: string): string {
  return address.slice(0, address.lastIndexOf('.'));
}

/** A human name: `NVIDIA Corporation GA102 [GeForce RTX 3080]`, or the ids. */
export function deviceLabel(device: PciDevice): string {
  if (device.deviceName) return device.vendorName ? `${device.vendorName} ${device.deviceName}` : device.deviceName;
  return `${device.className ?? 'PCI device'} [${device.vendorId}:${device.deviceId}]`;
}

/** `Intel 82571EB (0000:04:00.0, 0000:04:00.1), Realtek RTL8125 (0000:09:00.0)`: one name per kind of device. */
function listNames(devices: PciDevice[]): string {
  const byLabel = new Map<string, string[]>();
  for (const d of devices) byLabel.set(deviceLabel(d), [...(byLabel.get(deviceLabel(d)) ?? []), d.address]);
  return [...byLabel].map(([label, addresses]) => `${label} (${addresses.join(', ')})`).join(', ');
}

/**
 * What must go to the VM with a GPU: every function of its card, and every
 * device of the IOMMU groups those functions are in, PCI bridges excepted.
 */
export function passSet(gpu: PciDevice, devices: PciDevice[]): PciDevice[] {
  const { bySlot, byGroup } = indexOf(devices);
  const chosen = new Map<string, PciDevice>();
  const queue = [...(bySlot.get(slotOf(gpu.address)) ?? [])];
  for (let next = 0; next < queue.length; next++) {
    const device = queue[next]!;
    if (chosen.has(device.address)) continue;
    chosen.set(device.address, device);
    if (device.iommuGroup === null) continue;
    for (const other of byGroup.get(device.iommuGroup) ?? []) {
      if (!chosen.has(other.address) && !isBridge(other)) queue.push(other);
    }
  }
  return [...chosen.values()].filter((d) => !isBridge(d)).sort((a, b) => a.address.localeCompare(b.address));
}

/** Devices by slot and by IOMMU group, built once per device list (each GPU's passSet reads them: linear, not n²). */
interface DeviceIndex {
  size: number;
  bySlot: Map<string, PciDevice[]>;
  byGroup: Map<number, PciDevice[]>;
}
const indexes = new WeakMap<PciDevice[], DeviceIndex>();
function push<K>(map: Map<K, PciDevice[]>, key: K, device: PciDevice): void {
  const list = map.get(key);
  if (list) list.push(device);
  else map.set(key, [device]);
}
function indexOf(devices: PciDevice[]): DeviceIndex {
  let index = indexes.get(devices);
  if (index?.size === devices.length) return index;
  index = { size: devices.length, bySlot: new Map(), byGroup: new Map() };
  for (const device of devices) {
    push(index.bySlot, slotOf(device.address), device);
    if (device.iommuGroup !== null) push(index.byGroup, device.iommuGroup, device);
  }
  indexes.set(devices, index);
  return index;
}

function sentence(verdict: GpuVerdict, gpu: PciDevice, card: PciDevice[], others: PciDevice[]): string {
  const name = deviceLabel(gpu);
  const group = gpu.iommuGroup === null ? '' : ` ${gpu.iommuGroup}`;
  const functions = card.length > 1 ? ` with its ${card.length - 1} other function${card.length > 2 ? 's' : ''}` : '';
  switch (verdict) {
    case 'no-iommu':
      return `${name} cannot be passed: the IOMMU is off, so the host cannot isolate any device. Turn on VT-d / AMD-Vi (IOMMU) in the firmware setup.`;
    case 'no-outputs':
      return `${name} is a 3D controller without display outputs (a laptop's discrete GPU draws through the integrated one): it cannot drive a monitor, so it cannot give Looking Glass a picture, and Windows drivers usually stop it with Code 43 (seed 000).`;
    case 'boot-gpu':
      return `${name} is the host's boot display: passing it leaves the host without a picture. Give the host another GPU (or the iGPU) and boot from it, or use single-GPU mode.`;
    case 'shares-group':
      return `${name} shares IOMMU group${group} with ${listNames(others)}: those would have to go to the VM too, and the host would lose them. Try another PCIe slot, or accept passing them.`;
    case 'ready':
      return `${name}${functions} is bound to vfio-pci and alone in its IOMMU group: ready to attach.`;
    case 'passable':
      return `${name}${functions} is alone in IOMMU group${group}: it can be passed once it is bound to vfio-pci (host preparation does that).`;
  }
}

/** Assess one display-class device. */
export function assessGpu(gpu: PciDevice, devices: PciDevice[], iommuActive: boolean): GpuAssessment {
  const pass = passSet(gpu, devices);
  const card = pass.filter((d) => slotOf(d.address) === slotOf(gpu.address));
  const others = pass.filter((d) => slotOf(d.address) !== slotOf(gpu.address));
  let verdict: GpuVerdict;
  if (!iommuActive || gpu.iommuGroup === null) verdict = 'no-iommu';
  else if (gpu.class.startsWith('0x0302') && gpu.displays.length === 0) verdict = 'no-outputs';
  else if (gpu.bootVga === true) verdict = 'boot-gpu';
  else if (others.length > 0) verdict = 'shares-group';
  else if (pass.every((d) => d.driver === 'vfio-pci')) verdict = 'ready';
  else verdict = 'passable';
  const hostDrivers = new Set<string>();
  for (const device of pass) {
    for (const name of [device.driver, ...device.modules]) {
      if (name && name !== 'vfio-pci' && name !== 'vfio_pci') hostDrivers.add(name.replace(/-/g, '_'));
    }
  }
  return {
    address: gpu.address,
    name: deviceLabel(gpu),
    verdict,
    sentence: sentence(verdict, gpu, card, others),
    passWith: pass.map((d) => d.address),
    sharesWith: others.map((d) => d.address),
    ids: [...new Set(pass.map((d) => `${d.vendorId}:${d.deviceId}`))],
    hostDrivers: [...hostDrivers].sort(),
    ...withResetBug(gpu),
  };
}

function withResetBug(gpu: PciDevice): Pick<GpuAssessment, 'resetBug'> {
  const verdict = amdResetVerdict(gpu.vendorId, gpu.deviceId);
  return verdict ? { resetBug: verdict } : {};
}

/** Every GPU's assessment, in address order. */
export function assessGpus(devices: PciDevice[], iommuActive: boolean): GpuAssessment[] {
  return devices.filter(isDisplayDevice).map((gpu) => assessGpu(gpu, devices, iommuActive));
}
