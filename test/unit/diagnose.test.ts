import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogSource } from '../../shared/api';
import { formatSearch, guessSource, positionalIs } from '../../main/cli/diagnose';
import { KNOWLEDGE } from '../../main/diagnose/knowledge';
import { closestKnowledge, hasTerm, matchTexts, queryTerms, searchKnowledge } from '../../main/diagnose/match';
import { DiagnoseService } from '../../main/diagnose/service';
import type { Lifecycle } from '../../main/libvirt/lifecycle';
import type { HostRoots } from '../../main/host/roots';

const dir = join(import.meta.dirname, '..', 'fixtures', 'diagnose');
const SOURCE: Record<string, LogSource> = {
  pasted: 'pasted',
  qemu: 'qemu-log',
  kernel: 'kernel-log',
  'newer-kernel': 'kernel-log',
  virsh: 'virsh',
  define: 'virsh',
  'system-bus': 'virsh',
  lg: 'looking-glass',
  domain: 'domain-xml',
  journal: 'pasted',
  // Proxmox VE's task log (web UI or qm start), as the user pastes it.
  task: 'pasted',
  hook: 'hook-log',
};
// <entry id>[.<variant>].<kind>.<ext>
const fixtures = readdirSync(dir)
  .filter((f) => /\.(log|txt|xml)$/.test(f))
  .map((file) => {
    const parts = file.split('.');
    const id = parts[0]!;
    const kind = parts[parts.length - 2]!;
    return { file, id, source: SOURCE[kind]!, text: readFileSync(join(dir, file), 'utf8') };
  });

describe('knowledge base', () => {
  it('has a real-text fixture for every entry, and every fixture names an entry', () => {
    const ids = new Set(KNOWLEDGE.map((e) => e.id));
    expect(KNOWLEDGE.filter((e) => !fixtures.some((f) => f.id === e.id)).map((e) => e.id)).toEqual([]);
    expect(fixtures.filter((f) => !ids.has(f.id) || !f.source).map((f) => f.file)).toEqual([]);
    expect(new Set(KNOWLEDGE.map((e) => e.id)).size).toBe(KNOWLEDGE.length);
  });

  it('every entry explains and fixes, in words people use', () => {
    for (const e of KNOWLEDGE) {
      expect(e.explanation.length, e.id).toBeGreaterThan(40);
      expect(e.fix.length, e.id).toBeGreaterThan(0);
      expect(e.words.length, e.id).toBeGreaterThan(0);
    }
  });
});

describe('confusion matrix: each fixture fires its own entry and no other', () => {
  for (const f of fixtures) {
    it(`${f.file} -> ${f.id}`, () => {
      const found = matchTexts([{ source: f.source, label: f.file, text: f.text }]);
      expect(found.map((m) => m.entry.id)).toEqual([f.id]);
      const evidence = found[0]!.evidence;
      expect(evidence.length).toBeGreaterThan(0);
      for (const e of evidence) {
        expect(e.text.slice(e.match[0], e.match[1]).length).toBeGreaterThan(3);
        expect(f.text.split(/\r?\n/)[e.line - 1]).toContain(e.text.trim().slice(0, 40));
      }
    });
  }
});

describe('ranking', () => {
  it('puts the cause first when several texts are given', () => {
    const text = (file: string) => readFileSync(join(dir, file), 'utf8');
    const found = matchTexts([
      { source: 'looking-glass', label: 'client', text: text('lg-shm-missing.lg.log') },
      { source: 'virsh', label: 'start', text: text('group-not-viable.virsh.log') },
      { source: 'pasted', label: 'me', text: 'the mouse only moves when I click' },
    ]);
    expect(found[0]!.entry.id).toBe('group-not-viable');
    expect(found.map((m) => m.entry.id)).toEqual(expect.arrayContaining(['lg-shm-missing', 'mouse-only-on-click']));
  });

  it('tolerates other addresses, groups, timestamps and names', () => {
    const line = "error: internal error: qemu unexpectedly closed the monitor: 2031-01-02T23:59:59.000001Z qemu-system-x86_64: -device {}: vfio 0001:a3:1f.7: group 107 is not viable";
    expect(matchTexts([{ source: 'virsh', label: 'x', text: line }])[0]?.entry.id).toBe('group-not-viable');
    expect(matchTexts([{ source: 'qemu-log', label: 'x', text: "Unknown PCI header type '127' for device 0000:0a:00.3" }])[0]?.entry.id).toBe('reset-bug-127');
  });
});

describe('searching by the words people use', () => {
  it.each([
    ['Code 43', 'code-43'],
    ['error 127', 'reset-bug-127'],
    ['error -22', 'no-iommu-22'],
    ['group not viable', 'group-not-viable'],
    ['black screen', 'lg-black-screen'],
    ['mouse only moves when I click', 'mouse-only-on-click'],
    ['KMODE_EXCEPTION_NOT_HANDLED', 'kmode-msrs'],
    ['looking glass waiting', 'lg-host-not-running'],
  ])('%s', (query, id) => {
    expect(searchKnowledge(query)[0]?.id).toBe(id);
  });

  it('lists everything for an empty query and nothing for nonsense', () => {
    expect(searchKnowledge('')).toHaveLength(KNOWLEDGE.length);
    expect(searchKnowledge('zzqx frobnicate')).toEqual([]);
  });
});

describe('guessing the kind of a log file', () => {
  it.each([
    ['no-kvm.qemu.log', 'qemu-log'],
    ['bar-reserve.kernel.log', 'kernel-log'],
    ['lg-root.lg.log', 'looking-glass'],
    ['device-missing.virsh.log', 'virsh'],
    ['code-43.pasted.txt', 'pasted'],
  ])('%s', (file, source) => {
    expect(guessSource(readFileSync(join(dir, file), 'utf8'))).toBe(source);
  });
});

interface Wording {
  format: string;
  printed: string;
  source: string;
  fixture: string;
  alone?: boolean;
}
const wording = JSON.parse(readFileSync(join(dir, 'wording.json'), 'utf8')) as { entries: Record<string, Wording[]>; userWordsOnly: Record<string, string> };

/** A printf-style format (C, glib, libvirt's positional %1$s) as a regular expression. */
function formatRegex(format: string): RegExp {
  const escaped = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = escaped
    .replace(/%(\d\\\$)?(ll|l|z)?[sm]/g, '.+?')
    .replace(/%(\d\\\$)?(ll|l)?[du]/g, '-?\\d+')
    .replace(/%(\d\\\$)?(0\d)?(ll|l)?[xX]/g, '[0-9a-fA-F]+')
    .replace(/%(\d\\\$)?(ll|l)?i/g, '-?\\d+')
    .replace(/%pR/g, '\\[[^\\]]+\\]');
  return new RegExp(body);
}

describe("the programs' exact wording (test/fixtures/diagnose/wording.json)", () => {
  it('names every entry: the texts programs print for it, or why only the user\'s words show it', () => {
    const named = new Set([...Object.keys(wording.entries), ...Object.keys(wording.userWordsOnly)]);
    expect(KNOWLEDGE.map((e) => e.id).filter((id) => !named.has(id))).toEqual([]);
    expect([...named].filter((id) => !KNOWLEDGE.some((e) => e.id === id))).toEqual([]);
    for (const id of Object.keys(wording.userWordsOnly)) {
      // Nothing but pasted words can show these.
      expect(KNOWLEDGE.find((e) => e.id === id)!.patterns.every((p) => p.sources?.every((s) => s === 'pasted')), id).toBe(true);
    }
  });

  const cases = Object.entries(wording.entries).flatMap(([id, list]) => list.map((w) => ({ id, ...w })));
  it.each(cases)('$id: $printed', ({ id, format, printed, fixture }) => {
    // The printed text is an instance of the source's format, quotes included.
    expect(printed).toMatch(formatRegex(format));
    // A fixture holds it verbatim, and that fixture fires the entry (and, by the matrix above, no other).
    const f = fixtures.find((x) => x.file === fixture);
    expect(f, fixture).toBeDefined();
    expect(f!.id).toBe(id);
    expect(f!.text).toContain(printed);
    expect(matchTexts([{ source: f!.source, label: f!.file, text: f!.text }])[0]?.entry.id).toBe(id);
  });
  it.each(cases.filter((c) => c.alone !== false))('$id alone: $printed', ({ id, printed, fixture }) => {
    // The exact text on its own is enough (no context from the rest of the log).
    const source = fixtures.find((x) => x.file === fixture)!.source;
    expect(matchTexts([{ source, label: 'x', text: printed }])[0]?.entry.id).toBe(id);
  });
});

describe("libvirt's quoted forms and the bare ones", () => {
  it.each([
    ["internal error: Unknown PCI header type '127' for device '0000:01:00.0'", 'reset-bug-127'],
    ["internal error: Unknown PCI header type '127' for device 0000:01:00.0", 'reset-bug-127'],
    ['internal error: Unknown PCI header type 127 for device 0000:01:00.0', 'reset-bug-127'],
    ["Device '0000:01:00.0' not found: could not access '/sys/bus/pci/devices/0000:01:00.0/config': No such file or directory", 'device-missing'],
    ['Could not find matching device pci_0000_01_00_0', 'device-missing'],
    ["vfio '0000:01:00.0': group '1' is not viable", 'group-not-viable'],
    ["Emulator '/usr/bin/qemu-system-x86_64' does not support virt type kvm", 'no-kvm'],
    ["can't open backing store '/dev/shm/looking-glass' for guest RAM: Permission denied", 'stale-shm'],
    ["Unable to find dnsmasq binary in $PATH: No such file or directory", 'dnsmasq-missing'],
    ["Cannot find 'dnsmasq' in path: No such file or directory", 'dnsmasq-missing'],
    ['Failed to connect socket to /run/libvirt/virtqemud-sock: Connection refused', 'libvirt-unreachable'],
    ["vfio-pci '0000:01:00.0': BAR 3: can't reserve [mem 0xc0000000-0xc1ffffff 64bit pref]", 'bar-reserve'],
    ["vfio-pci: probe of '0000:01:00.0' failed with error -22", 'no-iommu-22'],
  ])('%s', (text, id) => {
    expect(matchTexts([{ source: 'virsh', label: 'x', text }])[0]?.entry.id).toBe(id);
  });
});

const kernelHead = [
  '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=2f7c3c1e ro quiet intel_iommu=on iommu=pt',
  '[    0.046142] DMAR: IOMMU enabled',
];
const probe22 = '[    3.201388] vfio-pci 0000:01:00.0: probe with driver vfio-pci failed with error -22';

describe('evidence against an explanation lowers it', () => {
  const service = new DiagnoseService('qemu:///session', {} as Lifecycle, {} as HostRoots);

  it.each([
    ['pci 0000:01:00.0: Adding to iommu group 13', '[    1.912345] pci 0000:01:00.0: Adding to iommu group 13'],
    ['iommu: Adding device 0000:01:00.0 to group 13 (older kernels)', '[    1.912345] iommu: Adding device 0000:01:00.0 to group 13'],
  ])('IOMMU groups being created (%s) and a vfio-pci probe error -22: "the IOMMU is off" is not the top finding', async (_, groups) => {
    const dead = '[  402.119921] vfio-pci 0000:01:00.0: Refused to change power state, currently in D3';
    const log = [...kernelHead, groups, probe22, dead].join('\n');
    const withGroups = matchTexts([{ source: 'kernel-log', label: 'dmesg', text: log }]);
    expect(withGroups.map((m) => m.entry.id)).toEqual(['reset-bug-d3', 'no-iommu-22']);
    const lowered = withGroups.find((m) => m.entry.id === 'no-iommu-22')!;
    expect(lowered.contradicted?.evidence.text).toContain(groups.slice(16));
    // The same log without the groups: -22 says "the IOMMU is off" first again.
    const without = matchTexts([{ source: 'kernel-log', label: 'dmesg', text: [...kernelHead, probe22, dead].join('\n') }]);
    expect(without[0]!.entry.id).toBe('no-iommu-22');
    expect(without[0]!.contradicted).toBeNull();
    expect(lowered.score).toBeLessThan(without[0]!.score);

    // Alone, the -22 finding no longer claims the IOMMU is off, says why, and what else gives -22.
    const alone = await service.run(undefined, [{ source: 'kernel-log', label: 'dmesg', text: [...kernelHead, groups, probe22].join('\n') }]);
    expect(alone.findings).toHaveLength(1);
    expect(alone.findings[0]!.title).toBe('Error -22 with the IOMMU on: vfio-pci refused the device');
    expect(alone.findings[0]!.title).not.toMatch(/IOMMU is off/);
    expect(alone.findings[0]!.explanation).toMatch(/^The same logs show IOMMU groups being created \(".*Adding.*group 13"\), so the IOMMU is on/);
    expect(alone.findings[0]!.explanation).toMatch(/PCI header type 0/);
    expect(alone.findings[0]!.explanation).toMatch(/bridge/);
    expect(alone.findings[0]!.explanation).toMatch(/header type 127/);
  });

  it('the groups count from any text given with the error (a kernel log beside virsh\'s -22)', () => {
    const found = matchTexts([
      { source: 'kernel-log', label: 'dmesg', text: '[    1.9] pci 0000:01:00.0: Adding to iommu group 13\n' + probe22 },
      { source: 'virsh', label: 'start', text: "error: internal error: Unknown PCI header type '127' for device '0000:01:00.0'" },
    ]);
    expect(found.map((m) => m.entry.id)).toEqual(['reset-bug-127', 'no-iommu-22']);
  });

  it('a log with no groups keeps "the IOMMU is off" as it was', async () => {
    const result = await service.run(undefined, [{ source: 'kernel-log', label: 'dmesg', text: readFileSync(join(dir, 'no-iommu-22.kernel.log'), 'utf8') }]);
    expect(result.findings[0]).toMatchObject({ id: 'no-iommu-22', title: 'Error -22: the IOMMU is off' });
    expect(result.findings[0]!.explanation).toMatch(/^vfio-pci cannot take the card, usually because/);
  });
});

describe('plain words, as the Troubleshoot page and vitrine diagnose search', () => {
  const service = new DiagnoseService('qemu:///session', {} as Lifecycle, {} as HostRoots);

  it.each([
    ['error 127', 'reset-bug-127'],
    ['Error 127', 'reset-bug-127'],
    ['black screen in looking glass', 'lg-black-screen'],
    ['stutter', 'mouse-only-on-click'],
    ['the mouse stutters', 'mouse-only-on-click'],
    ['error 22', 'no-iommu-22'],
  ])('%s -> %s first', (query, id) => {
    expect(searchKnowledge(query)[0]?.id).toBe(id);
    expect(service.searchDetailed(query)).toMatchObject({ found: true });
    expect(service.search(query)[0]?.id).toBe(id);
  });

  it('"127" is a number of its own, "stutter" starts "stuttering", stop words weigh nothing', () => {
    expect(hasTerm('header type 127', '127')).toBe(true);
    expect(hasTerm('header type 1270', '127')).toBe(false);
    expect(hasTerm('stuttering', 'stutter')).toBe(true);
    expect(hasTerm('a stutter', 'utter')).toBe(false);
    expect(queryTerms('black screen in looking glass')).toEqual(['black', 'screen', 'looking', 'glass']);
    expect(queryTerms('error -22')).toEqual(['error', '-22']);
  });

  it('when nothing matches, says so and gives the closest entries', () => {
    expect(searchKnowledge('zzqx frobnicate')).toEqual([]);
    const none = service.searchDetailed('zzqx frobnicate');
    expect(none.found).toBe(false);
    expect(none.problems).toHaveLength(3);
    // A misspelling finds what it meant among the closest.
    const typo = service.searchDetailed('stuter');
    expect(typo.found).toBe(false);
    expect(typo.problems[0]!.id).toBe('mouse-only-on-click');
    expect(closestKnowledge('kmode exeption')[0]!.id).toBe('kmode-msrs');
    // The API's search gives the same closest entries (the page shows them under "nothing found").
    expect(service.search('stuter').map((p) => p.id)).toEqual(typo.problems.map((p) => p.id));
    expect(service.searchDetailed('')).toMatchObject({ found: true });
    expect(service.search('')).toHaveLength(KNOWLEDGE.length);
  });

  it('vitrine diagnose prints the best entry first, or that nothing matched and the closest', () => {
    const found = formatSearch('error 127', service.searchDetailed('error 127'));
    expect(found.split('\n')[0]).toBe('1. Error 127: the GPU did not reset  [reset-bug-127]');
    const none = formatSearch('stuter', service.searchDetailed('stuter'));
    expect(none.split('\n')[0]).toBe('Nothing known matches "stuter". The closest known problems:');
    expect(none).toContain('[mouse-only-on-click]');
  });
});

describe('vitrine diagnose TEXT: a VM name or words', () => {
  it.each([
    // text, pieces, --log given, the VMs libvirt lists (null: libvirt could not be asked), then what it is
    ['win11', 1, false, new Set(['win11']), 'vm'],
    ['my game vm', 1, false, new Set(['my game vm']), 'vm'],
    ['error 127', 1, false, new Set(['win11']), 'words'],
    ['stutter', 1, false, new Set(['win11']), 'words'],
    ['error 127', 2, false, null, 'words'],
    ['error 127', 1, false, null, 'words'],
    ['win11', 1, false, null, 'vm'],
    ['win11', 1, true, null, 'vm'],
    ['anything at all', 1, true, new Set<string>(), 'vm'],
  ] as const)('%s (%i piece(s), logs %s)', (text, pieces, logs, existing, is) => {
    expect(positionalIs(text, pieces, logs, existing as Set<string> | null)).toBe(is);
  });
});

describe('a Looking Glass release mismatch (issue 16, acceptance 3)', () => {
  const service = new DiagnoseService('qemu:///session', {} as Lifecycle, {} as HostRoots);
  it.each([
    ['lg-version-mismatch.b7.lg.log', 'looking-glass-host-setup.exe /S', 'dummy plug'],
    ['lg-version-mismatch.b8-line.lg.log', 'looking-glass-idd-setup.exe /S /ivshmem', 'no dummy plug'],
    ['lg-version-mismatch.b8-transport.lg.log', 'looking-glass-idd-setup.exe /S /ivshmem', 'no dummy plug'],
  ])('%s: the top finding, its first fix naming the guest package of the client in the banner', async (file, silent, plug) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const result = await service.run(undefined, [{ source: 'looking-glass', label: 'client', text }]);
    expect(result.findings[0]!.id).toBe('lg-version-mismatch');
    expect(result.findings[0]!.fix[0]).toContain(silent);
    expect(result.findings[0]!.fix[0]).toContain(plug);
  });
  it('one mismatch line alone, pasted, is the top finding with the generic fix', async () => {
    const result = await service.run(undefined, [{ source: 'pasted', label: 'pasted', text: '[E] main.c:2776 | reportBadVersion | Incompatible LGMP version' }]);
    expect(result.findings[0]!.id).toBe('lg-version-mismatch');
    expect(result.findings[0]!.fix.join(' ')).toContain('looking-glass-idd-setup.exe /S /ivshmem');
  });
});
