interface VendorEntry {
  name: string;
  devices: Map<string, { name: string; subsystems: Map<string, string> }>;
}

/** Names from a pci.ids database (the format of pciutils/hwdata). */
export interface PciIds {
  vendor(vendorId: string): string | null;
  device(vendorId: string, deviceId: string): string | null;
  subsystem(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string | null;
  /** The subclass name (`VGA compatible controller`) or, failing that, the class name. */
  className(classCode: string): string | null;
}

/**
 * Where each vendor's block starts and ends in a pci.ids text, and where the
 * classes are: a few kB that locate any name without parsing the 1.4 MB file
 * (scan.ts keeps it in the cache folder, keyed by the file's mtime and size).
 * Offsets are in UTF-16 units of the text as read (UTF-8 decoded).
 */
export interface PciIdsIndex {
  /** Vendor id (lowercase hex) -> [start, end) of its block, its own line first. */
  vendors: Record<string, [number, number]>;
  /** [start, end) of the classes (`C cc  Name` lines and their subclasses), or null. */
  classes: [number, number] | null;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** One pass over the line starts of a pci.ids text: the vendors' and the classes' positions. */
export function indexPciIds(text: string): PciIdsIndex {
  const vendors: Record<string, [number, number]> = Object.create(null) as Record<string, [number, number]>;
  let open: [number, number] | null = null;
  let classes: [number, number] | null = null;
  for (let at = 0; at < text.length; ) {
    const next = text.indexOf('\n', at);
    const end = next < 0 ? text.length : next;
    const c = text.charCodeAt(at);
    if (c !== 9 /* tab */ && c !== 35 /* # */ && end > at) {
      if (c === 67 /* C */ && text.charCodeAt(at + 1) === 32) {
        if (open) open[1] = at;
        open = null;
        classes ??= [at, text.length];
      } else if (end - at > 4 && isHex(c) && isHex(text.charCodeAt(at + 1)) && isHex(text.charCodeAt(at + 2)) && isHex(text.charCodeAt(at + 3)) && text.charCodeAt(at + 4) === 32) {
        if (open) open[1] = at;
        open = [at, text.length];
        vendors[text.slice(at, at + 4).toLowerCase()] = open;
        if (classes) classes[1] = at;
      }
    }
    at = end + 1;
  }
  return { vendors, classes };
}

/**
 * Names from a pci.ids text and its index: a vendor's block is parsed the
 * first time one of its ids is asked for (a scan asks for a few dozen
 * vendors of the file's thousands).
 */
export function pciIdsFromIndex(text: string, index: PciIdsIndex): PciIds {
  const vendors = new Map<string, VendorEntry | null>();
  const vendorOf = (id: string): VendorEntry | null => {
    if (vendors.has(id)) return vendors.get(id)!;
    const range = Object.hasOwn(index.vendors, id) ? index.vendors[id] : undefined;
    let vendor: VendorEntry | null = null;
    if (range) {
      let device: { name: string; subsystems: Map<string, string> } | null = null;
      for (const line of text.slice(range[0], range[1]).split('\n')) {
        if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) continue;
        if (line.startsWith('\t\t')) {
          if (device) device.subsystems.set(line.slice(2, 11).toLowerCase(), line.slice(11).trim());
        } else if (line.startsWith('\t')) {
          if (vendor) {
            device = { name: line.slice(7).trim(), subsystems: new Map() };
            vendor.devices.set(line.slice(1, 5).toLowerCase(), device);
          }
        } else if (!vendor) {
          vendor = { name: line.slice(4).trim(), devices: new Map() };
        }
      }
    }
    vendors.set(id, vendor);
    return vendor;
  };
  let classes: Map<string, { name: string; subclasses: Map<string, string> }> | null = null;
  const classesOf = (): Map<string, { name: string; subclasses: Map<string, string> }> => {
    if (classes) return classes;
    classes = new Map();
    let klass: { name: string; subclasses: Map<string, string> } | null = null;
    for (const line of index.classes ? text.slice(index.classes[0], index.classes[1]).split('\n') : []) {
      if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) continue;
      if (line.startsWith('C ')) {
        klass = { name: line.slice(6).trim(), subclasses: new Map() };
        classes.set(line.slice(2, 4).toLowerCase(), klass);
      } else if (line.startsWith('\t') && !line.startsWith('\t\t') && klass) {
        klass.subclasses.set(line.slice(1, 3).toLowerCase(), line.slice(3).trim());
      }
    }
    return classes;
  };
  return {
    vendor: (v) => vendorOf(v)?.name ?? null,
    device: (v, d) => vendorOf(v)?.devices.get(d)?.name ?? null,
    subsystem: (v, d, sv, sd) => vendorOf(v)?.devices.get(d)?.subsystems.get(`${sv} ${sd}`) ?? null,
    className: (code) => {
      const hex = code.replace(/^0x/, '').toLowerCase();
      const entry = classesOf().get(hex.slice(0, 2));
      return entry?.subclasses.get(hex.slice(2, 4)) ?? entry?.name ?? null;
    },
  };
}

/**
 * Parse pci.ids text: vendors (`vvvv  Name`), their devices (`\tdddd  Name`)
 * and subsystems (`\t\tssss ssss  Name`), then classes (`C cc  Name`) with
 * subclasses (`\tss  Name`). Ids are lowercase hex.
 */
export function parsePciIds(text: string): PciIds {
  return pciIdsFromIndex(text, indexPciIds(text));
}

/** A database that knows no names: the UI then shows ids. */
export const NO_PCI_IDS: PciIds = { vendor: () => null, device: () => null, subsystem: () => null, className: () => null };
