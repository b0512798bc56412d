/** Names from a pci.ids database (the format of pciutils/hwdata). */
export interface PciIds {
  vendor(vendorId: string): string | null;
  device(vendorId: string, deviceId: string): string | null;
  subsystem(vendorId: string, deviceId: string, subVendorId: string, subDeviceId: string): string | null;
  /** The subclass name (`VGA compatible controller`) or, failing that, the class name. */
  className(classCode: string): string | null;
}

/**
 * Where each vendor's block starts and ends in a pci.ids file, and where the
 * classes are: a few kB that locate any name without parsing the 1.4 MB file
 * (scan.ts keeps it in the cache folder, keyed by the file's mtime and size).
 * Offsets count the file's bytes (the text is read as latin1, one character a
 * byte: pci.ids has a few UTF-8 names, and a UTF-8 decoded copy of the whole
 * file costs tens of ms); names are decoded from UTF-8 one at a time.
 */
export interface PciIdsIndex {
  /** Vendor id (lowercase hex) -> [start, end) of its block, its own line first. */
  vendors: Record<string, [number, number]>;
  /** [start, end) of the classes (`C cc  Name` lines and their subclasses), or null. */
  classes: [number, number] | null;
}

/** A pci.ids text: the file's bytes, or a string (tests). */
export type PciIdsSource = string | Uint8Array;

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

const bufferOf = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** [start, end) of a source as text: for bytes, one character a byte (latin1), so offsets stay byte offsets. */
const textOf = (source: PciIdsSource, start = 0, end = source.length): string => (typeof source === 'string' ? source.slice(start, end) : bufferOf(source).toString('latin1', start, end));

/** One pass over the line starts of a pci.ids text: the vendors' and the classes' positions. */
export function indexPciIds(source: PciIdsSource): PciIdsIndex {
  const text = textOf(source);
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

/** Part of the source as text (`text` starts at the source's `offset`), and how to read a name in it. */
class Block {
  constructor(
    private readonly source: PciIdsSource,
    readonly offset: number,
    readonly text: string,
  ) {}

  /** Where the line starting at `at` ends (its newline, or the block's end). */
  lineEnd(at: number): number {
    const next = this.text.indexOf('\n', at);
    return next < 0 ? this.text.length : next;
  }

  /** The text of [start, end) trimmed; from bytes, decoded as UTF-8 first (its names may be UTF-8). */
  name(start: number, end: number): string {
    const from = Math.min(start, end);
    if (typeof this.source === 'string') return this.text.slice(from, end).trim();
    return bufferOf(this.source).toString('utf8', this.offset + from, this.offset + end).trim();
  }
}

/** A vendor's block, read once: its name, and where its device lines begin. */
interface VendorLines {
  block: Block;
  name: string;
  /** The end of the vendor's own line: device lines come after it. */
  from: number;
  /** Device id (lowercase) -> start of its line, for ids that are not 4 hex digits (built when first needed). */
  all?: Map<string, number>;
}

/** A device line: a tab, then not a tab (`\t\t` begins a subsystem), its id being what follows, up to 4 characters. */
const DEVICE_LINE = /\n\t(?!\t)([^\n]{0,4})/g;

/**
 * Where the line of device `d` starts in a vendor's block (the last one, if
 * the id repeats), or undefined. The id of a line is its 4 characters after
 * the tab, in lower case: for a 4-digit hex id (every id a scan asks for),
 * one case-insensitive search for `\n\t` and the id finds exactly those lines
 * (Intel's block has 4,000 device lines: a search costs less than listing
 * them); any other id is looked up in the list of every device line.
 */
function deviceLine(vendor: VendorLines, d: string): number | undefined {
  const text = vendor.block.text;
  if (/^[0-9a-f]{4}$/.test(d)) {
    const line = new RegExp(`\\n\\t${d}`, 'gi');
    line.lastIndex = vendor.from;
    let last: number | undefined;
    for (let m = line.exec(text); m; m = line.exec(text)) last = m.index + 1;
    return last;
  }
  if (!vendor.all) {
    vendor.all = new Map();
    DEVICE_LINE.lastIndex = vendor.from;
    for (let m = DEVICE_LINE.exec(text); m; m = DEVICE_LINE.exec(text)) vendor.all.set(m[1]!.toLowerCase(), m.index + 1);
  }
  return vendor.all.get(d);
}

/**
 * Names from a pci.ids text and its index. The first time a vendor is asked
 * for, its block alone is read (a scan asks for a few vendors of the file's
 * thousands); each name is then found and read from its own line when asked
 * for, once per id. The answers are those of parsing the whole
 * file: `vvvv  Name`, `\tdddd  Name`, `\t\tssss ssss  Name` under the device
 * line above it, comments and other lines skipped, the last line of a
 * repeated id winning.
 */
export function pciIdsFromIndex(source: PciIdsSource, index: PciIdsIndex): PciIds {
  const vendors = new Map<string, VendorLines | null>();
  const vendorOf = (id: string): VendorLines | null => {
    const known = vendors.get(id);
    if (known !== undefined) return known;
    const range = Object.hasOwn(index.vendors, id) ? index.vendors[id] : undefined;
    let vendor: VendorLines | null = null;
    if (range) {
      const block = new Block(source, range[0], textOf(source, range[0], range[1]));
      const text = block.text;
      // Its first line that is not empty, a comment or tabbed names it (the block begins with it).
      let at = 0;
      for (; at < text.length; at = block.lineEnd(at) + 1) {
        const c = text.charCodeAt(at);
        if (c !== 10 && c !== 35 /* # */ && c !== 9 /* tab */) break;
      }
      if (at < text.length) vendor = { block, name: block.name(at + 4, block.lineEnd(at)), from: block.lineEnd(at) };
    }
    vendors.set(id, vendor);
    return vendor;
  };
  const deviceNames = new Map<string, string | null>();
  const device = (v: string, d: string): string | null => {
    const key = `${v}:${d}`;
    let name = deviceNames.get(key);
    if (name === undefined) {
      const vendor = vendorOf(v);
      const at = vendor ? deviceLine(vendor, d) : undefined;
      name = vendor && at !== undefined ? vendor.block.name(at + 7, vendor.block.lineEnd(at)) : null;
      deviceNames.set(key, name);
    }
    return name;
  };
  const subsystemNames = new Map<string, string | null>();
  const subsystem = (v: string, d: string, sv: string, sd: string): string | null => {
    const key = `${v}:${d}:${sv}:${sd}`;
    let name = subsystemNames.get(key);
    if (name === undefined) {
      name = null;
      const vendor = vendorOf(v);
      const at = vendor ? deviceLine(vendor, d) : undefined;
      if (vendor && at !== undefined) {
        // The `\t\t` lines after the device's line, up to the next device line.
        const { block } = vendor;
        const text = block.text;
        const wanted = `${sv} ${sd}`;
        for (let line = block.lineEnd(at) + 1; line < text.length; ) {
          const stop = block.lineEnd(line);
          if (stop > line && text.charCodeAt(line) === 9 /* tab */) {
            if (text.charCodeAt(line + 1) !== 9) break;
            if (text.slice(line + 2, Math.min(line + 11, stop)).toLowerCase() === wanted) name = block.name(line + 11, stop);
          }
          line = stop + 1;
        }
      }
      subsystemNames.set(key, name);
    }
    return name;
  };
  let classes: Map<string, { name: string; subclasses: Map<string, string> }> | null = null;
  const classesOf = (): Map<string, { name: string; subclasses: Map<string, string> }> => {
    if (classes) return classes;
    classes = new Map();
    let klass: { name: string; subclasses: Map<string, string> } | null = null;
    const [start, end] = index.classes ?? [0, 0];
    const block = new Block(source, start, textOf(source, start, end));
    const text = block.text;
    for (let at = 0; at < text.length; ) {
      const stop = block.lineEnd(at);
      const c = text.charCodeAt(at);
      if (stop > at && c !== 35 /* # */) {
        if (c === 67 /* C */ && text.charCodeAt(at + 1) === 32) {
          klass = { name: block.name(at + 6, stop), subclasses: new Map() };
          classes.set(text.slice(at + 2, Math.min(at + 4, stop)).toLowerCase(), klass);
        } else if (c === 9 && text.charCodeAt(at + 1) !== 9 && klass) {
          klass.subclasses.set(text.slice(at + 1, Math.min(at + 3, stop)).toLowerCase(), block.name(at + 3, stop));
        }
      }
      at = stop + 1;
    }
    return classes;
  };
  const classNames = new Map<string, string | null>();
  return {
    vendor: (v) => vendorOf(v)?.name ?? null,
    device,
    subsystem,
    className: (code) => {
      let name = classNames.get(code);
      if (name === undefined) {
        const hex = code.replace(/^0x/, '').toLowerCase();
        const entry = classesOf().get(hex.slice(0, 2));
        name = entry?.subclasses.get(hex.slice(2, 4)) ?? entry?.name ?? null;
        classNames.set(code, name);
      }
      return name;
    },
  };
}

/**
 * Parse pci.ids text: vendors (`vvvv  Name`), their devices (`\tdddd  Name`)
 * and subsystems (`\t\tssss ssss  Name`), then classes (`C cc  Name`) with
 * subclasses (`\tss  Name`). Ids are lowercase hex.
 */
export function parsePciIds(source: PciIdsSource): PciIds {
  return pciIdsFromIndex(source, indexPciIds(source));
}

/** A database that knows no names: the UI then shows ids. */
export const NO_PCI_IDS: PciIds = { vendor: () => null, device: () => null, subsystem: () => null, className: () => null };
