import type { GpuAssessment, GpuVerdict, PciDevice } from '../../shared/api';
import { amdResetVerdict } from './amd-reset';
import { msg, type Msg } from '../../shared/i18n/message';
import { english } from '../common/text';
import { PCI_ADDRESS } from '../common/pci-address';
import { compareText } from '../common/collate';

/** PCI-to-PCI bridges stay with the host: they are never passed. */
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
  return [...chosen.values()].filter((d) => !isBridge(d)).sort((a, b) => compareAddresses(a.address, b.address));
}

/**
 * The order localeCompare gives addresses, without its collator (whose first
 * use loads ICU's data: tens of ms of a `vitrine doctor`): two sysfs addresses
 * (lowercase hex, the same shape) first differ at a hex digit, where the
 * collation order is the characters' order; anything else goes to compareText.
 */
export function compareAddresses(a: string, b: string): number {
  if (PCI_ADDRESS.test(a) && PCI_ADDRESS.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return compareText(a, b);
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

/** The verdict as a message for the user (English through `english`). */
function sentence(verdict: GpuVerdict, gpu: PciDevice, card: PciDevice[], others: PciDevice[]): Msg {
  const name = deviceLabel(gpu);
  const group = gpu.iommuGroup ?? '';
  const functions = card.length > 1 ? msg('gpuVerdict.functions', { count: card.length - 1 }) : '';
  switch (verdict) {
    case 'no-iommu':
    case 'no-outputs':
    case 'boot-gpu':
      return msg(`gpuVerdict.${verdict}`, { name });
    case 'shares-group':
      return msg('gpuVerdict.shares-group', { name, group, others: listNames(others) });
    case 'ready':
      return msg('gpuVerdict.ready', { name, functions });
    case 'passable':
      return msg('gpuVerdict.passable', { name, functions, group });
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
  const sentenceMsg = sentence(verdict, gpu, card, others);
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
    sentence: english(sentenceMsg),
    sentenceMsg,
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
