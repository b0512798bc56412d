import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogSource } from '../../shared/api';
import { guessSource } from '../../main/cli/diagnose';
import { KNOWLEDGE } from '../../main/diagnose/knowledge';
import { matchTexts, searchKnowledge } from '../../main/diagnose/match';

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
};
// <entry id>.<kind>.<ext>
const fixtures = readdirSync(dir)
  .filter((f) => /\.(log|txt|xml)$/.test(f))
  .map((file) => {
    const [id, kind] = file.split('.') as [string, string];
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
