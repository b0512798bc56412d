import { basename, dirname, join, resolve } from 'node:path';
import type { BlockDevice, DisplayConnector, PciDevice, UsbDevice } from '../../shared/api';
import { linkNameSync as linkName, listDirSync as listDir, pathExistsSync as exists, readAttrSync as readAttr, readLinkSync as readLink, readTextSync as readText, realPathSync as realPath } from './fs-read';
import { buildModalias, type ModuleAliases } from './modules-alias';
import type { PciIds } from './pci-ids';
import { PCI_ADDRESS } from '../common/pci-address';
import { compareText } from '../common/collate';


const hex4 = (value: string | null): string | null => (value ? value.replace(/^0x/, '').toLowerCase().padStart(4, '0') : null);

// The scan reads sysfs synchronously (see fs-read.ts): one device after the
// other, with no promise per file.

/** Connectors under `<device>/drm/cardN/cardN-NAME/status`. */
function readDisplays(deviceDir: string): DisplayConnector[] {
  const out: DisplayConnector[] = [];
  for (const card of listDir(join(deviceDir, 'drm')).filter((n) => /^card\d+$/.test(n))) {
    for (const entry of listDir(join(deviceDir, 'drm', card)).filter((n) => n.startsWith(`${card}-`))) {
      const status = readAttr(join(deviceDir, 'drm', card, entry, 'status'));
      out.push({ card, name: entry.slice(card.length + 1), connected: status === 'connected' });
    }
  }
  return out.sort((a, b) => compareText(a.name, b.name));
}

/** USB devices (not interfaces, not root hubs) below a controller's `usbN` root hubs. */
function readUsb(deviceDir: string): UsbDevice[] {
  const out: UsbDevice[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    for (const name of listDir(dir).filter((n) => /^\d+-[\d.]+$/.test(n))) {
      const path = join(dir, name);
      const [vendorId, productId, product, manufacturer] = ['idVendor', 'idProduct', 'product', 'manufacturer'].map((f) => readAttr(join(path, f)));
      if (vendorId && productId) {
        const label = [manufacturer, product].filter(Boolean).join(' ');
        out.push({ port: name, vendorId: vendorId.toLowerCase(), productId: productId.toLowerCase(), name: label || null });
      }
      walk(path, depth + 1);
    }
  };
  for (const hub of listDir(deviceDir).filter((n) => /^usb\d+$/.test(n))) walk(join(deviceDir, hub), 0);
  return out.sort((a, b) => a.port.localeCompare(b.port, undefined, { numeric: true }));
}

interface BlockIndex {
  /** PCI address -> the disks behind it. */
  byController: Map<string, BlockDevice[]>;
}

/** Mount points by kernel block name, from /proc/mounts (device-mapper names resolved to dm-N). */
function readMounts(sys: string, proc: string): Map<string, string[]> {
  const dmNames = new Map<string, string>();
  for (const name of listDir(join(sys, 'class', 'block')).filter((n) => n.startsWith('dm-'))) {
    const mapped = readAttr(join(sys, 'class', 'block', name, 'dm', 'name'));
    if (mapped) dmNames.set(mapped, name);
  }
  const mounts = new Map<string, string[]>();
  for (const line of (readText(join(proc, 'mounts')) ?? '').split('\n')) {
    const [source, target] = line.split(' ');
    if (!source?.startsWith('/dev/') || !target) continue;
    const dev = source.startsWith('/dev/mapper/') ? dmNames.get(source.slice('/dev/mapper/'.length)) : basename(source);
    if (!dev) continue;
    mounts.set(dev, [...(mounts.get(dev) ?? []), target.replace(/\\040/g, ' ')]);
  }
  return mounts;
}

/**
 * Disks behind each PCI storage controller: /sys/class/block entries resolved
 * to their device path; the nearest PCI address in that path is the controller.
 * Mounts on partitions and on device-mapper volumes (LUKS, LVM) count for the disk.
 */
function indexBlockDevices(sys: string, proc: string): BlockIndex {
  const mounts = readMounts(sys, proc);
  const classDir = join(sys, 'class', 'block');
  const names = listDir(classDir);
  const diskOf = new Map<string, string>(); // partition or disk -> disk
  const controllerOf = new Map<string, string>(); // disk -> PCI address
  for (const name of names) {
    const real = realPath(join(classDir, name));
    if (!real) continue;
    const isPartition = readAttr(join(real, 'partition')) !== null;
    const disk = isPartition ? basename(dirname(real)) : name;
    diskOf.set(name, disk);
    if (isPartition) continue;
    const pci = real.split('/').filter((part) => PCI_ADDRESS.test(part)).at(-1);
    if (pci) controllerOf.set(name, pci);
  }
  // What each mounted device-mapper volume sits on, down to disks.
  const underlying = (name: string, seen = new Set<string>()): string[] => {
    if (seen.has(name)) return [];
    seen.add(name);
    const slaves = listDir(join(classDir, name, 'slaves'));
    if (slaves.length === 0) return [diskOf.get(name) ?? name];
    return slaves.flatMap((s) => underlying(s, seen));
  };
  const diskMounts = new Map<string, string[]>();
  for (const [dev, targets] of mounts) {
    for (const disk of underlying(dev)) diskMounts.set(disk, [...(diskMounts.get(disk) ?? []), ...targets]);
  }
  const byController = new Map<string, BlockDevice[]>();
  for (const [disk, pci] of controllerOf) {
    const [size, model] = [readAttr(join(classDir, disk, 'size')), readAttr(join(classDir, disk, 'device', 'model'))];
    const mountpoints = [...new Set(diskMounts.get(disk) ?? [])].sort();
    const entry: BlockDevice = {
      name: disk,
      sizeBytes: size && /^\d+$/.test(size) ? Number(size) * 512 : null,
      model,
      mountpoints,
      holdsRoot: mountpoints.includes('/'),
    };
    byController.set(pci, [...(byController.get(pci) ?? []), entry].sort((a, b) => compareText(a.name, b.name)));
  }
  return { byController };
}

/** `KEY=value` lines of a sysfs uevent file. */
function parseUevent(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/**
 * Whether a device of this class (`0x030000`; `known` false when its class
 * could not be read) may have a `boot_vga` file: the kernel shows it for VGA
 * devices only (class 0x0300, and 0x0001, VGA before class codes); every
 * display class is read.
 */
const mayHaveBootVga = (classCode: string, known: boolean): boolean => !known || classCode.startsWith('0x03') || classCode.startsWith('0x0001');

/**
 * Whether a device may have USB root hubs (`usbN` folders): the kernel makes
 * them under USB host controllers (class 0x0c03: UHCI, OHCI, EHCI, xHCI).
 */
const mayHaveRootHubs = (classCode: string, known: boolean): boolean => !known || classCode.startsWith('0x0c03');

/**
 * Read one PCI device directory by opening the few files the report needs,
 * with no listing of the folder: an absent file costs one failed open (sysfs
 * shows a file only when the device has it). The kernel's `uevent` file
 * carries the driver, class, ids and modalias in one read. `boot_vga` is read
 * only for the classes the kernel shows it for, and the folder is listed for
 * its `usbN` root hubs only on USB controllers. The IOMMU group comes from the
 * groups' own listing (`groupOf`), so the `iommu_group` link is read only for
 * a device no group lists.
 */
function readDevice(bus: string, address: string, names: PciIds, aliases: ModuleAliases, blocks: BlockIndex, groupOf: ReadonlyMap<string, number>): PciDevice {
  const target = readLink(join(bus, address));
  // The device's own folder, so that each read below need not follow the bus link again.
  const link = target ? resolve(bus, target) : join(bus, address);
  // The names are sysfs's own (no `/`, no `..`): appended to the normalised folder, they need no join.
  const file = (name: string): string => `${link}/${name}`;
  const ueventText = readAttr(file('uevent'));
  const resetMethod = readAttr(file('reset_method'));
  const numa = readAttr(file('numa_node'));
  const listed = groupOf.get(address);
  const group = listed !== undefined ? String(listed) : linkName(file('iommu_group'));
  const displays = exists(file('drm')) ? readDisplays(link) : [];
  const uevent = parseUevent(ueventText);
  // Without a uevent (unusual), fall back to the one-value files.
  const [vendorHex, deviceHex] = (uevent.get('PCI_ID') ?? '').split(':');
  const [subVendorHex, subDeviceHex] = (uevent.get('PCI_SUBSYS_ID') ?? '').split(':');
  const [klass, vendor, device, subVendor, subDevice, driver, modaliasText] = ueventText
    ? [uevent.get('PCI_CLASS') ?? null, vendorHex ?? null, deviceHex ?? null, subVendorHex ?? null, subDeviceHex ?? null, uevent.get('DRIVER') ?? null, uevent.get('MODALIAS') ?? null]
    : [
        readAttr(file('class')),
        readAttr(file('vendor')),
        readAttr(file('device')),
        readAttr(file('subsystem_vendor')),
        readAttr(file('subsystem_device')),
        linkName(file('driver')),
        readAttr(file('modalias')),
      ];
  const vendorId = hex4(vendor) ?? '0000';
  const deviceId = hex4(device) ?? '0000';
  const subsystemVendorId = hex4(subVendor);
  const subsystemDeviceId = hex4(subDevice);
  const classCode = `0x${(klass ?? '0').replace(/^0x/, '').toLowerCase().padStart(6, '0')}`;
  const bootVga = mayHaveBootVga(classCode, klass !== null) ? readAttr(file('boot_vga')) : null;
  const usb = mayHaveRootHubs(classCode, klass !== null) ? readUsb(link) : [];
  const modalias = modaliasText ?? buildModalias({ vendorId, deviceId, subsystemVendorId, subsystemDeviceId, class: classCode });
  // Older kernels have no reset_method: a `reset` file means the kernel can reset it somehow.
  const resetMethods = resetMethod ? resetMethod.split(/\s+/).filter(Boolean) : [];
  // bus/pci/devices/X links to …/devices/pci0000:00/<parent>/X: the parent is the component before X.
  const parentName = target ? target.split('/').at(-2) ?? null : null;
  return {
    address,
    class: classCode,
    className: names.className(classCode),
    vendorId,
    deviceId,
    subsystemVendorId,
    subsystemDeviceId,
    vendorName: names.vendor(vendorId),
    deviceName: names.device(vendorId, deviceId),
    subsystemName: subsystemVendorId && subsystemDeviceId ? names.subsystem(vendorId, deviceId, subsystemVendorId, subsystemDeviceId) : null,
    driver,
    modules: aliases.match(modalias),
    iommuGroup: group !== null && /^\d+$/.test(group) ? Number(group) : null,
    resettable: resetMethods.length > 0 || exists(file('reset')),
    resetMethods,
    bootVga: bootVga === null ? null : bootVga === '1',
    rom: exists(file('rom')),
    numaNode: numa !== null && /^-?\d+$/.test(numa) && Number(numa) >= 0 ? Number(numa) : null,
    parent: parentName && PCI_ADDRESS.test(parentName) ? parentName : null,
    displays,
    usb,
    block: blocks.byController.get(address) ?? [],
  };
}

/**
 * Every PCI device of the host, sorted by address. `groups` (scanIommuGroups'
 * answer) gives each listed device its group without reading its link.
 */
export async function scanPciDevices(sys: string, proc: string, names: PciIds, aliases: ModuleAliases, groups: readonly IommuGroup[] = []): Promise<PciDevice[]> {
  const bus = join(sys, 'bus', 'pci', 'devices');
  const addresses = listDir(bus).filter((n) => PCI_ADDRESS.test(n)).sort();
  const blocks = indexBlockDevices(sys, proc);
  const groupOf = new Map<string, number>();
  for (const group of groups) for (const address of group.devices) groupOf.set(address, group.id);
  return addresses.map((address) => readDevice(bus, address, names, aliases, blocks, groupOf));
}

export interface IommuGroup {
  id: number;
  devices: string[];
}

/** IOMMU groups from /sys/kernel/iommu_groups, numerically sorted. */
export async function scanIommuGroups(sys: string): Promise<IommuGroup[]> {
  const base = join(sys, 'kernel', 'iommu_groups');
  const ids = listDir(base).filter((n) => /^\d+$/.test(n));
  const groups = ids.map((id) => ({ id: Number(id), devices: listDir(join(base, id, 'devices')).sort() }));
  return groups.sort((a, b) => a.id - b.id);
}
