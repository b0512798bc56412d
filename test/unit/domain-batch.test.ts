import { describe, expect, it } from 'vitest';
import { batchCommands, parseBatch, virshQuote } from '../../main/libvirt/domain-batch';

const SEP = '/vitrine-batch-00ff/';
const info = (name: string): string => `Id:             -\nName:           ${name}\nUUID:           77126c88-bf9c-4858-9062-b2d37bd4894c\nState:          shut off\nPersistent:     yes\nAutostart:      disable\n`;
const xml = (name: string): string => `<domain type='qemu'>\n  <name>${name}</name>\n</domain>\n`;

describe('the batched read of the dashboard cards', () => {
  it('quotes each name for virsh (no shell): backslash and double quote escaped, the rest kept', () => {
    expect(virshQuote(`a b'c"d\\e;f`)).toBe(`"a b'c\\"d\\\\e;f"`);
    expect(batchCommands(['x y'], SEP)).toBe(`dominfo --domain "x y"; echo ${SEP}; dumpxml --inactive --security-info --domain "x y"; echo ${SEP}; dumpxml --domain "x y"; echo ${SEP}`);
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
});
