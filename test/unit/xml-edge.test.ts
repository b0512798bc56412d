import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toErrorInfo, VitrineError } from '../../main/common/errors';
import { applyEdits } from '../../main/libvirt/edits';
import { parseDomainXml, parseXml, rootElement, serializeXml } from '../../main/libvirt/xml/document';
import { find, setAttr, removeAttr } from '../../main/libvirt/xml/nodes';
import { MAX_DEPTH } from '../../main/libvirt/xml/scanner';

// The XML edge cases of issue 15: what the lossless model keeps byte for byte,
// and what it refuses, always with the line and column and a way out.

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'xml', 'edits');
const WIN11 = readFileSync(join(fixtures, 'win11-defined-in.xml'), 'utf8');
const WIN11_GPU = readFileSync(join(fixtures, 'win11-gpu-in.xml'), 'utf8');

const roundTrip = (text: string): string => serializeXml(parseDomainXml(text));

/** The error a parse throws (failing the test when it does not). */
function refusal(text: string): VitrineError {
  try {
    parseDomainXml(text);
  } catch (error) {
    expect(error).toBeInstanceOf(VitrineError);
    return error as VitrineError;
  }
  throw new Error(`accepted: ${JSON.stringify(text.slice(0, 80))}`);
}

/** Refused with this kind at this line and column, with a hint, and never as "a bug". */
function expectRefused(text: string, kind: string, line: number, column: number, words: RegExp): VitrineError {
  const error = refusal(text);
  expect(error.kind).toBe(kind);
  expect(error.message).toContain(`line ${line}, column ${column}`);
  expect(error.message).toMatch(words);
  expect(error.hint.length).toBeGreaterThan(10);
  expect(toErrorInfo(error).hint).not.toMatch(/bug/i);
  return error;
}

/** The domain with a declaration, PIs (one of free text), comments and CDATA, as libvirt users hand-edit them. */
function decorated(): string {
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    '<?vitrine free text, no attributes at all?>',
    '<!-- exported by hand; a <!DOCTYPE x> here is only a comment -->',
    WIN11.trimEnd()
      .replace('<devices>', "<devices>\n    <!-- <![CDATA[ in a comment -->\n    <?editor <!-- fold ?>")
      .replace('<title>', "<description><![CDATA[Games & <!DOCTYPE tricks> <!-- ]]></description>\n  <title>"),
    '<!-- the end -->',
    '',
  ].join('\n');
}

describe('DOCTYPE and ENTITY detection is not fooled by PIs, comments or CDATA', () => {
  it('finds a DTD after a PI that holds <!-- or <![CDATA[', () => {
    const xxe = '<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>';
    expectRefused(`<?foo <!-- ?>\n${xxe}\n<domain type='kvm'><name>&x;</name></domain>`, 'xml-dtd', 2, 1, /carries a DTD/);
    expectRefused(`<?foo <![CDATA[ ?>${xxe}<domain type='kvm'><name>&x;</name></domain>`, 'xml-dtd', 1, 19, /<!DOCTYPE/);
    expectRefused(`<?xml version="1.0"?>\n<!-- <![CDATA[ -->\n  ${xxe}<domain/>`, 'xml-dtd', 3, 3, /carries a DTD/);
  });

  it('finds a DTD after a comment that holds a fake end of PI, and an entity declaration anywhere', () => {
    expectRefused("<!-- ?> -->\n<!DOCTYPE domain SYSTEM 'file:///etc/passwd'>\n<domain/>", 'xml-dtd', 2, 1, /<!DOCTYPE/);
    expectRefused("<domain type='kvm'>\n  <!ENTITY a 'aaaa'>\n</domain>", 'xml-dtd', 2, 3, /<!ENTITY/);
    expectRefused("<domain type='kvm'><name>x</name></domain>\n<!doctype domain>", 'xml-dtd', 2, 1, /DTD/);
  });

  it('does not take <!DOCTYPE inside a comment, CDATA, a PI or an attribute value for a DTD, and keeps them byte for byte', () => {
    const text = "<?note <!DOCTYPE a> ?>\n<!-- <!DOCTYPE b> -->\n<domain type='kvm'>\n  <description><![CDATA[<!DOCTYPE c [<!ENTITY d 'e'>]>]]></description>\n  <title>&lt;!DOCTYPE f&gt;</title>\n</domain>\n";
    expect(roundTrip(text)).toBe(text);
  });
});

describe('kept byte for byte through parse and serialise', () => {
  it('processing instructions without attribute-like content, at top level and inside the root', () => {
    const text = "<?xml version='1.0'?>\n<?vitrine just some words?>\n<?empty?>\n<domain type='kvm'>\n  <?editor fold=\"yes\" then free text?>\n  <name>x</name>\n  <?q it's got one quote ?>\n</domain>\n<?after the root?>\n";
    expect(roundTrip(text)).toBe(text);
  });

  it('a PI without attributes no longer makes every tag be rebuilt: quotes, spaces in tags and end tags kept', () => {
    // Before: a PI the old tag regex could not read made the serialiser rebuild every tag (PI text dropped, quotes rewritten).
    const text = '<?xml version="1.0"?>\n<?pi no attributes?>\n<domain type="kvm" id=\'1\'>\n  <name>x</name>\n  <devices >\n    <disk type="file"   device="disk" />\n  </devices >\n</domain >\n';
    expect(roundTrip(text)).toBe(text);
  });

  it('CRLF line endings, everywhere: between nodes, inside tags, text, comments and CDATA', () => {
    const text = decorated().replace(/\n/g, '\r\n');
    expect(roundTrip(text)).toBe(text);
    const tags = "<domain type='kvm'\r\n        id='3'>\r\n  <name>x</name>\r\n  <description>one\r\ntwo</description>\r\n  <!-- a\r\n  b -->\r\n</domain>\r\n";
    expect(roundTrip(tags)).toBe(tags);
  });

  it('mixed line endings (LF, CRLF and a lone CR) and a byte-order mark', () => {
    const text = "\uFEFF<?xml version='1.0'?>\r\n<domain type='kvm'>\n  <name>x</name>\r\n  <title>a\rb</title>\r  <uuid>u</uuid>\n</domain>\r\n\r\n";
    expect(roundTrip(text)).toBe(text);
  });

  it(`elements nested ${MAX_DEPTH} levels deep (the limit)`, () => {
    const text = `<domain>${'<metadata>'.repeat(MAX_DEPTH - 1)}${'</metadata>'.repeat(MAX_DEPTH - 1)}</domain>\n`;
    expect(roundTrip(text)).toBe(text);
  });

  it('characters XML allows: astral ones, references to them, and the five entities', () => {
    const text = "<domain type='kvm'><title>Jeux \u{1F3AE} &#x1F3AE; &#233; &amp;&lt;&gt;&quot;&apos;</title><description a='&#x10FFFF;'/></domain>";
    expect(roundTrip(text)).toBe(text);
  });
});

describe('an edit changes only what it touches', () => {
  /** The lines of `after` that are not in `before`, and the reverse, by common prefix and suffix. */
  function changedLines(before: string, after: string, eol: string): { removed: string[]; added: string[] } {
    const a = before.split(eol);
    const b = after.split(eol);
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    return { removed: a.slice(head, a.length - tail), added: b.slice(head, b.length - tail) };
  }

  it('video none on a CRLF domain with a PI, comments and CDATA: only the video lines change, CRLF kept', () => {
    const lf = decorated();
    const crlf = lf.replace(/\n/g, '\r\n');
    const out = serializeXml(applyEdits(parseDomainXml(crlf), { videoNone: true }));
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // every line still ends in CRLF, the new ones too
    expect(changedLines(crlf, out, '\r\n')).toEqual({
      removed: [
        "      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>",
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>",
      ],
      added: ["      <model type='none'/>"],
    });
    // The same edit as on the LF file, line for line.
    expect(out).toBe(serializeXml(applyEdits(parseDomainXml(lf), { videoNone: true })).replace(/\n/g, '\r\n'));
    expect(out).toContain('<?vitrine free text, no attributes at all?>\r\n');
    expect(out).toContain('<description><![CDATA[Games & <!DOCTYPE tricks> <!-- ]]></description>\r\n');
  });

  it('the same edit on the LF file gives the golden output plus the decorations, untouched', () => {
    const out = serializeXml(applyEdits(parseDomainXml(decorated()), { videoNone: true }));
    const decorations = decorated().split('\n').filter((line) => !WIN11.split('\n').includes(line));
    expect(decorations).toHaveLength(7);
    const golden = readFileSync(join(fixtures, 'video-none-out.xml'), 'utf8');
    // (The golden ends with the fixture's blank last line, which decorated() trims.)
    expect(out.split('\n').filter((line) => !decorations.includes(line)).join('\n').trimEnd()).toBe(golden.trimEnd());
  });

  it('Looking Glass over kvmfr on a CRLF domain whose root tag spans lines: the new namespace joins the tag, the rest stays', () => {
    const input = WIN11_GPU.replace("<domain type='kvm'>", "<domain type='kvm'\n        id='7'>").replace(/\n/g, '\r\n');
    const out = serializeXml(applyEdits(parseDomainXml(input), { kvmfrMiB: 64 }));
    expect(out.startsWith("<domain type='kvm'\r\n        id='7' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\r\n")).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const { removed, added } = changedLines(input, out, '\r\n');
    expect(removed.join('\n')).toMatch(/^ {8}id='7'>\n[\s\S]*<shmem name='looking-glass'>/);
    expect(added.filter((l) => l.includes('qemu:')).length).toBeGreaterThanOrEqual(6);
  });

  it('a CRLF domain without indentation: the lines an edit adds end in CRLF too', () => {
    const text = "<domain type='kvm'>\r\n<name>x</name>\r\n<devices>\r\n<video>\r\n<model type='qxl'/>\r\n</video>\r\n</devices>\r\n</domain>\r\n";
    const out = serializeXml(applyEdits(parseDomainXml(text), { videoNone: true, shmemMiB: 64 }));
    expect(out).toContain("<model type='none'/>");
    expect(out).toContain("<shmem name='looking-glass'>");
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('changing one attribute of a tag written over several lines rewrites that attribute only', () => {
    const text = "<domain type='kvm'>\r\n  <devices>\r\n    <disk type='file'\r\n          device=\"disk\"\r\n\t\tsnapshot='no' >\r\n    </disk>\r\n  </devices>\r\n</domain>\r\n";
    const doc = parseDomainXml(text);
    const disk = find(rootElement(doc)!, 'devices/disk')!;
    setAttr(disk, 'device', 'cdrom');
    expect(serializeXml(doc)).toBe(text.replace('device="disk"', 'device="cdrom"'));
    removeAttr(disk, 'snapshot');
    setAttr(disk, 'cache', "it's");
    expect(serializeXml(doc)).toBe(text.replace('device="disk"\r\n\t\tsnapshot=\'no\' >', "device=\"cdrom\" cache='it&apos;s' >"));
  });
});

describe('refused with the line and column, and what to do', () => {
  const domain = (inside: string): string => `<domain type='kvm'>\n  <name>win11</name>\n${inside}</domain>\n`;

  it('two root elements', () => {
    expectRefused(`${domain('')}<domain type='kvm'/>\n`, 'xml-malformed', 4, 1, /second root element <domain>/);
    expectRefused("<domain type='kvm'/><!-- between -->\n  <name/>", 'xml-malformed', 2, 3, /second root element <name>.*line 1, column 1/);
  });

  it("'<' inside an attribute value", () => {
    expectRefused(domain("  <disk type='file'>\n    <source file='/vm/a<b.qcow2'/>\n  </disk>\n"), 'xml-malformed', 4, 24, /'<' inside the value of the attribute file of <source>/);
    expectRefused('<domain type="<kvm"/>', 'xml-malformed', 1, 15, /'<' inside the value/);
  });

  it('a NUL byte and the other characters XML forbids, written or referenced', () => {
    expectRefused(domain('  <title>a\u0000b</title>\n'), 'xml-malformed', 3, 11, /NUL byte/);
    expectRefused("<domain type='k\u0000vm'/>", 'xml-malformed', 1, 16, /NUL byte/);
    expectRefused(domain('  <title>\u0007</title>\n'), 'xml-malformed', 3, 10, /control character U\+0007/);
    expectRefused(domain('  <title>\uFFFE</title>\n'), 'xml-malformed', 3, 10, /U\+FFFE/);
    expectRefused(domain('  <title>\uD800</title>\n'), 'xml-malformed', 3, 10, /unpaired surrogate/);
    expectRefused(domain('  <title>&#0;</title>\n'), 'xml-malformed', 3, 10, /&#0; names a character XML forbids/);
    expectRefused(domain("  <title a='&#x1B;'/>\n"), 'xml-malformed', 3, 13, /&#x1B;/);
  });

  it(`nesting deeper than ${MAX_DEPTH} levels`, () => {
    const deep = (levels: number): string => `<domain>\n${'<a>'.repeat(levels - 1)}${'</a>'.repeat(levels - 1)}</domain>`;
    expectRefused(deep(MAX_DEPTH + 1), 'xml-too-deep', 2, 3 * (MAX_DEPTH - 1) + 1, /nested more than 64 levels/);
    // Far deeper than the parser's own limit (100) or any stack: still a clear refusal, never "a bug".
    expectRefused(deep(100_000), 'xml-too-deep', 2, 3 * (MAX_DEPTH - 1) + 1, /nests elements too deeply/);
  });

  it('unclosed and mismatched tags', () => {
    expectRefused(domain('  <devices>\n'), 'xml-malformed', 4, 1, /<\/domain> does not match <devices> \(opened at line 3, column 3\)/);
    expectRefused("<domain type='kvm'>\n  <name>x</name>\n", 'xml-malformed', 1, 1, /<domain> is never closed/);
    expectRefused(domain('  <name>x</nam>\n'), 'xml-malformed', 3, 10, /<\/nam> does not match <name>/);
    expectRefused("<domain type='kvm'/>\n</domain>", 'xml-malformed', 2, 1, /closes nothing/);
    expectRefused("<domain type='kvm'>\n  <name x='1'", 'xml-malformed', 2, 3, /start tag <name is never ended/);
    expectRefused('<dom', 'xml-malformed', 1, 1, /never ended/);
  });

  it('the other ways to be malformed', () => {
    const cases: [string, number, number, RegExp][] = [
      [domain('  <!-- no end\n'), 3, 3, /comment <!-- is never closed/],
      [domain('  <title><![CDATA[ no end</title>\n'), 3, 10, /CDATA section <!\[CDATA\[ is never closed/],
      [domain('  <?pi no end\n'), 3, 3, /processing instruction <\?pi is never closed/],
      [domain("  <vcpu placement=static>2</vcpu>\n"), 3, 19, /not quoted/],
      [domain("  <vcpu placement='static' placement='auto'>2</vcpu>\n"), 3, 28, /appears twice/],
      [domain("  <vcpu placement='static'current='1'>2</vcpu>\n"), 3, 27, /no space before/],
      [domain('  <title>Fish & chips</title>\n'), 3, 15, /bare '&'/],
      [domain('  <title>&nbsp;</title>\n'), 3, 10, /&nbsp; is not defined/],
      [domain('  <title>a ]]> b</title>\n'), 3, 12, /']]>' in text/],
      [domain('  <title>1 < 2</title>\n'), 3, 12, /'<' not followed by a tag name/],
      [domain('  <?xml version="1.0"?>\n'), 3, 3, /XML declaration/],
      ["<?xml version='1.0' encoding='UTF-8?>\n<domain/>", 1, 1, /XML declaration .* is malformed/],
      ['not xml at all {', 1, 1, /text "not xml at all \{" outside the root element/],
      ["<domain type='kvm'/>\ntrailing", 2, 1, /outside the root element/],
      ['<!-- only a comment -->\n', 2, 1, /no root element/],
      ["<domain type='kvm'><![CDATA[x]]></domain><![CDATA[y]]>", 1, 42, /CDATA section outside the root element/],
      ['<domain type=\'kvm\'><!ELEMENT x ANY></domain>', 1, 20, /DTD|<!ELEMENT/],
    ];
    for (const [text, line, column, words] of cases) {
      const error = refusal(text);
      expect(error.message, text).toContain(`line ${line}, column ${column}`);
      expect(error.message, text).toMatch(words);
      expect(error.hint, text).not.toMatch(/bug/i);
    }
  });

  it('a snippet Vitrine builds goes through the same checks', () => {
    expect(() => parseXml('<a/><b/>', 'A built element')).toThrow(/A built element is not well-formed XML: a second root element <b>/);
  });
});

describe('any damaged domain is either kept byte for byte or refused with a position', () => {
  /** A small seeded generator, so that a failure can be replayed. */
  function random(seed: number): (n: number) => number {
    let a = seed;
    return (n) => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
  }
  const pieces = ['<', '>', '/>', '</a>', '<a>', "'", '"', '&', '&amp;', '&#0;', '\u0000', '\r', '\n', '\r\n', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<!DOCTYPE x>', '<?x y?>', "<?q a='?>", '=', ' ', '<b/>', '\uFFFE', '\uD800', '<!ENTITY', '\uFEFF', '<!-- <!DOCTYPE y> -->', "<e a='>' b='/>'/>"];

  it('2,000 random damages of a decorated CRLF domain', () => {
    const base = decorated().replace(/\n/g, '\r\n');
    const rnd = random(15);
    const outcomes = { kept: 0, refused: 0 };
    for (let k = 0; k < 2000; k++) {
      let text = base;
      for (let j = 1 + rnd(3); j > 0; j--) {
        const at = rnd(text.length);
        const op = rnd(3);
        if (op === 0) text = text.slice(0, at) + pieces[rnd(pieces.length)]! + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + rnd(20));
        else text = text.slice(0, at) + text.slice(at, at + rnd(60)) + text.slice(at);
      }
      let out: string;
      try {
        out = roundTrip(text);
      } catch (error) {
        expect(error, JSON.stringify(text)).toBeInstanceOf(VitrineError);
        const e = error as VitrineError;
        if (e.kind !== 'xml-not-domain') expect(e.message, JSON.stringify(text)).toMatch(/line \d+, column \d+/);
        expect(e.hint).not.toMatch(/bug/i);
        outcomes.refused++;
        continue;
      }
      expect(out, JSON.stringify(text)).toBe(text);
      outcomes.kept++;
    }
    expect(outcomes.kept).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(1000);
  }, 60_000);
});
