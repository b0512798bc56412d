import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModalias, globToRegex, parseModulesAlias, type ModuleAliases } from '../../main/host/modules-alias';
import { MODULES_ALIAS } from '../support/host-tree';
import { FIXTURE_HOSTS, generatedHost } from '../support/hosts';

/**
 * The matcher as it was before aliases were indexed by (vendor, device): every
 * alias of the device's vendor and every alias without a literal vendor, each
 * tested by its glob. The indexed matcher must answer exactly like it.
 */
function referenceMatcher(text: string): ModuleAliases {
  const byVendor = new Map<string, { pattern: string; module: string; regex?: RegExp }[]>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('alias pci:')) continue;
    const parts = line.split(/\s+/);
    const pattern = parts[1];
    const module = parts[2];
    if (!pattern || !module) continue;
    const vendor = pattern.slice(5, 13);
    const key = /^[0-9A-F]{8}$/.test(vendor) ? vendor : '*';
    let list = byVendor.get(key);
    if (!list) byVendor.set(key, (list = []));
    list.push({ pattern, module });
  }
  return {
    match(modalias) {
      const vendor = modalias.slice(5, 13).toUpperCase();
      const found = new Set<string>();
      for (const list of [byVendor.get(vendor), byVendor.get('*')]) {
        for (const entry of list ?? []) {
          entry.regex ??= globToRegex(entry.pattern);
          if (entry.regex.test(modalias)) found.add(entry.module);
        }
      }
      return [...found].sort();
    },
  };
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = /^pci:v(.{8}|\*)d(.{8}|\*)sv(.{8}|\*)sd(.{8}|\*)bc(.{2}|\*)sc(.{2}|\*)i(.{2}|\*)\*?$/;
const WIDTHS = [8, 8, 8, 8, 2, 2, 2];
const NAMES = ['v', 'd', 'sv', 'sd', 'bc', 'sc', 'i'];

/**
 * Modaliases made from the aliases: each alias filled in (every `*` and `?`
 * by random hex), and the same with one field changed at random (which may or
 * may not match any more); plus the fixture hosts' devices and odd strings.
 */
function modaliasesFor(text: string): string[] {
  const next = random(19);
  const hex = (width: number): string =>
    Array.from({ length: width }, () => '0123456789ABCDEF'[Math.floor(next() * 16)]).join('');
  const fill = (field: string, width: number): string => (field === '*' ? hex(width) : field.replace(/\?/g, () => hex(1)).replace(/\[([^\]]*)\]/g, (_, set: string) => set.replace(/^!/, '').charAt(0) || '0'));
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const pattern = line.startsWith('alias pci:') ? line.split(/\s+/)[1] : undefined;
    const fields = pattern?.match(FIELDS)?.slice(1);
    if (!fields) continue;
    const filled = fields.map((f, i) => fill(f, WIDTHS[i]!));
    const text = (values: string[]): string => `pci:${values.map((v, i) => `${NAMES[i]}${v}`).join('')}`;
    out.add(text(filled));
    const changed = [...filled];
    const which = Math.floor(next() * changed.length);
    changed[which] = hex(WIDTHS[which]!);
    out.add(text(changed));
    out.add(text(filled).toLowerCase());
  }
  for (const host of [...Object.values(FIXTURE_HOSTS), generatedHost(16)]) {
    for (const d of host.devices) {
      const [vendorId, deviceId] = d.id.split(':') as [string, string];
      const [sv, sd] = d.subsystem ? (d.subsystem.split(':') as [string, string]) : [null, null];
      out.add(buildModalias({ vendorId, deviceId, subsystemVendorId: sv, subsystemDeviceId: sd, class: d.class }));
    }
  }
  for (const odd of ['', 'pci:', 'pci:v', 'pci:v00008086', 'pci:v00008086d', 'pci:v00008086d00001533', 'pci:v*d*', 'usb:v046DpC52B', 'pci:V00008086D00001533SV00000000SD00000000BC02SC00I00']) out.add(odd);
  return [...out];
}

describe('modules.alias matching, indexed by vendor and device', () => {
  const realLooking = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'host', 'modules.alias'), 'utf8');

  for (const [name, text] of [
    ["an excerpt of Debian 12's kernel 6.1 modules.alias", realLooking],
    ["the fixture hosts' modules.alias", MODULES_ALIAS],
  ] as const) {
    it(`answers exactly as matching every alias of the vendor: ${name}`, () => {
      const indexed = parseModulesAlias(text);
      const reference = referenceMatcher(text);
      const modaliases = modaliasesFor(text);
      let matched = 0;
      for (const modalias of modaliases) {
        const expected = reference.match(modalias);
        expect(indexed.match(modalias), modalias).toEqual(expected);
        // Asked twice: the second answer comes from the matcher's memory.
        expect(indexed.match(modalias), modalias).toEqual(expected);
        if (expected.length > 0) matched++;
      }
      // The comparison means something only if many of them match a module, and not all.
      expect(matched).toBeGreaterThan(modaliases.length / 4);
      expect(matched).toBeLessThan(modaliases.length);
    });
  }

  it('finds the modules of real devices in the excerpt', () => {
    const aliases = parseModulesAlias(realLooking);
    // Intel's 82547GI network chip and Arc A770 GPU, an NVIDIA GPU and its audio function, an xHCI controller, an NVMe disk.
    expect(aliases.match('pci:v00008086d0000107Bsv00008086sd00000001bc02sc00i00')).toEqual(['e1000']);
    expect(aliases.match('pci:v00008086d000056A0sv00008086sd00001020bc03sc00i00')).toEqual(['i915']);
    expect(aliases.match('pci:v000010DEd00002206sv00001458sd0000403Bbc03sc00i00')).toEqual(['nouveau']);
    expect(aliases.match('pci:v000010DEd00001AEFsv00001458sd0000403Bbc04sc03i00')).toEqual(['snd_hda_intel']);
    expect(aliases.match('pci:v00001912d00000014sv00000000sd00000000bc0Csc03i30')).toEqual(['xhci_pci']);
    expect(aliases.match('pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02')).toEqual(['nvme']);
  });

  it('hands out a copy: changing an answer does not change the next one', () => {
    const aliases = parseModulesAlias(MODULES_ALIAS);
    const first = aliases.match('pci:v000010DEd00002206sv00000000sd00000000bc03sc00i00');
    first.push('changed');
    expect(aliases.match('pci:v000010DEd00002206sv00000000sd00000000bc03sc00i00')).toEqual(['nouveau', 'nvidia']);
  });
});
