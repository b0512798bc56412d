import { describe, expect, it } from 'vitest';
import { batchCommands, parseBatch, readDomains } from '../../main/libvirt/domain-batch';
import type { Virsh } from '../../main/libvirt/virsh';

const SEP = '/vitrine-batch-00ff/';
const info = (name: string): string => `Id:             -\nName:           ${name}\nUUID:           77126c88-bf9c-4858-9062-b2d37bd4894c\nState:          shut off\nPersistent:     yes\nAutostart:      disable\n`;
const xml = (name: string): string => `<domain type='qemu'>\n  <name>${name}</name>\n</domain>\n`;

describe('the batched read of the dashboard cards', () => {
  it('quotes each name for virsh (no shell; virshCommand, tested against virsh in virsh-batch.test.ts)', () => {
    expect(batchCommands(['x y'], SEP)).toBe(`dominfo --domain 'x y'; echo ${SEP}; dumpxml --inactive --security-info --domain 'x y'; echo ${SEP}; dumpxml --domain 'x y'; echo ${SEP}`);
  });

  it('cuts the output per domain; a domain with a failed read is null, the others are kept', () => {
    // 'gone' failed its three reads (nothing on stdout), 'b' its live dumpxml.
    const out = [info('a'), xml('a'), xml('a'), '', '', '', info('b'), xml('b'), '', ''].join(SEP);
    const read = parseBatch(out, ['a', 'gone', 'b'], SEP);
    expect(read.get('a')).toEqual({ summary: expect.objectContaining({ name: 'a', state: 'shut-off' }), xml: xml('a'), liveXml: xml('a') });
    expect(read.get('gone')).toBeNull();
    expect(read.get('b')).toBeNull();
  });

  it('trusts nothing when the parts do not add up, or dominfo names another domain', () => {
    expect([...parseBatch([info('a'), xml('a'), xml('a')].join(SEP), ['a'], SEP).values()]).toEqual([null]);
    expect([...parseBatch([info('b'), xml('a'), xml('a'), ''].join(SEP), ['a'], SEP).values()]).toEqual([null]);
  });

  it('leaves a name with a line break out of the batch (virsh cannot carry it): it is asked alone', async () => {
    const ran: string[][] = [];
    const virsh = { run: async (args: string[]) => (ran.push(args), [info('a'), xml('a'), xml('a'), ''].join(/echo ([^;\s]+)/.exec(args[0]!)![1]!)) } as unknown as Virsh;
    const read = await readDomains(virsh, ['a', 'odd\nname']);
    expect(ran).toHaveLength(1);
    expect(ran[0]![0]).not.toContain('odd');
    expect(read.get('a')).toEqual(expect.objectContaining({ xml: xml('a') }));
    expect(read.get('odd\nname')).toBeNull();
  });
});
