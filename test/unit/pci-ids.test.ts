import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexPciIds, parsePciIds, pciIdsFromIndex, type PciIds } from '../../main/host/pci-ids';

// The parser as it was before names were read line by line from the file's bytes
// (copied from main/host/pci-ids.ts at 46cb93e): each vendor's whole block split
// into lines and kept in maps, over the UTF-8 decoded text. The lookups must
// answer exactly like it.
interface VendorEntry {
  name: string;
  devices: Map<string, { name: string; subsystems: Map<string, string> }>;
}
interface OldIndex {
  vendors: Record<string, [number, number]>;
  classes: [number, number] | null;
}
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function oldIndexPciIds(text: string): OldIndex {
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

function oldPciIdsFromIndex(text: string, index: OldIndex): PciIds {
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

// Names in UTF-8 (one ending in "à", whose second byte is 0xA0, a no-break space in latin1),
// a repeated device id and subsystem (the last wins), upper-case and short ids, comments between a device and its subsystems, CRLF lines.
const TRICKY = `# pci.ids excerpt
1af4  Red Hat, Inc.
\t1000  Virtio network device
\t\t1af4 0001  Virtio réseau
# a comment inside a device
\t\t1af4 0002  Virtio network device (à)
\t1041  Virtio 1.0 network device
\t1AF5  Upper-case id
\tab
\t10
\t1000  Virtio network device, again
\t\t1af4 0003  Third
\t\t1AF4 0003  Third, again
10ec  Realtek Semiconductor Co., Ltd.\r
\t8125  RTL8125 2.5GbE Controller\r
\t\t1458 e000  Onboard — Gigabyte\r
\t\r
abcd  Ünïcödé Vendor Ltd.  
\t0001  Dévice à
\t
C 02  Network controller
\t00  Ethernet controller
\t80  Network controller — other
C 0c  Serial bus controller
\t03  USB controller
\t\t30  XHCI
`;

function expectSameAnswers(bytes: Buffer, text: string, queries: { v: string; d: string; sv: string; sd: string }[], classes: string[]): number {
  const reference = oldPciIdsFromIndex(text, oldIndexPciIds(text));
  const names = parsePciIds(bytes);
  let named = 0;
  for (const { v, d, sv, sd } of queries) {
    expect(names.vendor(v), v).toBe(reference.vendor(v));
    expect(names.device(v, d), `${v}:${d}`).toBe(reference.device(v, d));
    expect(names.subsystem(v, d, sv, sd), `${v}:${d} ${sv}:${sd}`).toBe(reference.subsystem(v, d, sv, sd));
    if (reference.subsystem(v, d, sv, sd) !== null) named++;
  }
  for (const code of classes) expect(names.className(code), code).toBe(reference.className(code));
  return named;
}

describe('pci.ids names, read from the bytes through the index', () => {
  it('answers as parsing the whole text did: UTF-8 names, repeated ids, comments, CRLF', () => {
    const bytes = Buffer.from(TRICKY, 'utf8');
    const queries = [
      { v: '1af4', d: '1000', sv: '1af4', sd: '0001' },
      { v: '1af4', d: '1000', sv: '1af4', sd: '0002' },
      { v: '1af4', d: '1000', sv: '1af4', sd: '0003' },
      { v: '1af4', d: '1041', sv: '1af4', sd: '0003' },
      { v: '10ec', d: '8125', sv: '1458', sd: 'e000' },
      { v: 'abcd', d: '0001', sv: '0000', sd: '0000' },
      { v: '1af4', d: '1af5', sv: '0000', sd: '0000' },
      { v: '1af4', d: '1AF5', sv: '0000', sd: '0000' },
      { v: '1af4', d: 'ab', sv: '0000', sd: '0000' },
      { v: '1af4', d: '10', sv: '0000', sd: '0000' },
      { v: '1af4', d: '1', sv: '0000', sd: '0000' },
      { v: 'abcd', d: '', sv: '0000', sd: '0000' },
      { v: 'ffff', d: '0001', sv: '0000', sd: '0000' },
    ];
    expectSameAnswers(bytes, TRICKY, queries, ['0x020000', '0x028000', '0x020100', '0x0c0330', '0x0c0500', '0x030000']);
    const names = parsePciIds(bytes);
    expect(names.vendor('abcd')).toBe('Ünïcödé Vendor Ltd.');
    expect(names.device('abcd', '0001')).toBe('Dévice à');
    expect(names.device('1af4', '1000')).toBe('Virtio network device, again');
    expect(names.device('1af4', '1af5')).toBe('Upper-case id');
    expect(names.device('1af4', '1AF5')).toBeNull();
    expect(names.subsystem('1af4', '1000', '1af4', '0003')).toBe('Third, again');
    expect(names.subsystem('1af4', '1000', '1af4', '0002')).toBeNull();
    expect(names.subsystem('10ec', '8125', '1458', 'e000')).toBe('Onboard — Gigabyte');
    expect(names.className('0x028000')).toBe('Network controller — other');
  });

  it('counts bytes in its index, so that a stored index and the file agree', () => {
    const bytes = Buffer.from(TRICKY, 'utf8');
    const index = indexPciIds(bytes);
    const [start] = index.vendors['abcd']!;
    expect(bytes.subarray(start, start + 4).toString()).toBe('abcd');
    expect(bytes.subarray(index.classes![0], index.classes![0] + 4).toString()).toBe('C 02');
    // A copy of the index (as read back from the cache folder) gives the same names.
    expect(pciIdsFromIndex(bytes, JSON.parse(JSON.stringify(index))).device('abcd', '0001')).toBe('Dévice à');
  });

  const system = '/usr/share/misc/pci.ids';
  it.skipIf(!existsSync(system))(`answers as parsing the whole text did, for every id of ${system}`, () => {
    const bytes = readFileSync(system);
    const text = bytes.toString('utf8');
    // Every vendor, device and subsystem line of the file (and a subsystem no device has).
    const queries: { v: string; d: string; sv: string; sd: string }[] = [];
    let v = '';
    let d = '';
    for (const line of text.split('\n')) {
      if (/^[0-9a-f]{4} /.test(line)) [v, d] = [line.slice(0, 4), ''];
      else if (line.startsWith('C ')) v = '';
      else if (v && /^\t[0-9a-f]{4} /.test(line)) {
        d = line.slice(1, 5);
        queries.push({ v, d, sv: 'ffff', sd: 'ffff' });
      } else if (v && d && /^\t\t[0-9a-f]{4} [0-9a-f]{4} /.test(line)) queries.push({ v, d, sv: line.slice(2, 6), sd: line.slice(7, 11) });
    }
    const classes: string[] = [];
    for (let c = 0; c < 0x14; c++) for (const s of ['00', '01', '02', '03', '04', '80']) classes.push(`0x${c.toString(16).padStart(2, '0')}${s}00`);
    const named = expectSameAnswers(bytes, text, queries, classes);
    expect(named).toBeGreaterThan(1000);
  }, 120_000);
});
