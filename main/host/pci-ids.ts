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
 * Parse pci.ids text: vendors (`vvvv  Name`), their devices (`\tdddd  Name`)
 * and subsystems (`\t\tssss ssss  Name`), then classes (`C cc  Name`) with
 * subclasses (`\tss  Name`). Ids are lowercase hex.
 */
export function parsePciIds(text: string): PciIds {
  const vendors = new Map<string, VendorEntry>();
  const classes = new Map<string, { name: string; subclasses: Map<string, string> }>();
  let vendor: VendorEntry | null = null;
  let device: { name: string; subsystems: Map<string, string> } | null = null;
  let klass: { name: string; subclasses: Map<string, string> } | null = null;
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) continue;
    if (line.startsWith('C ')) {
      klass = { name: line.slice(6).trim(), subclasses: new Map() };
      classes.set(line.slice(2, 4).toLowerCase(), klass);
      vendor = null;
      device = null;
    } else if (line.startsWith('\t\t')) {
      if (device) {
        const ids = line.slice(2, 11).toLowerCase();
        device.subsystems.set(ids, line.slice(11).trim());
      }
    } else if (line.startsWith('\t')) {
      if (vendor) {
        device = { name: line.slice(7).trim(), subsystems: new Map() };
        vendor.devices.set(line.slice(1, 5).toLowerCase(), device);
      } else if (klass) {
        klass.subclasses.set(line.slice(1, 3).toLowerCase(), line.slice(3).trim());
      }
    } else if (/^[0-9a-fA-F]{4} /.test(line)) {
      vendor = { name: line.slice(4).trim(), devices: new Map() };
      vendors.set(line.slice(0, 4).toLowerCase(), vendor);
      device = null;
      klass = null;
    }
  }
  return {
    vendor: (v) => vendors.get(v)?.name ?? null,
    device: (v, d) => vendors.get(v)?.devices.get(d)?.name ?? null,
    subsystem: (v, d, sv, sd) => vendors.get(v)?.devices.get(d)?.subsystems.get(`${sv} ${sd}`) ?? null,
    className: (code) => {
      const hex = code.replace(/^0x/, '').toLowerCase();
      const entry = classes.get(hex.slice(0, 2));
      return entry?.subclasses.get(hex.slice(2, 4)) ?? entry?.name ?? null;
    },
  };
}

/** A database that knows no names: the UI then shows ids. */
export const NO_PCI_IDS: PciIds = { vendor: () => null, device: () => null, subsystem: () => null, className: () => null };
