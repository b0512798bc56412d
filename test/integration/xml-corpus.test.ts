import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachPci, hideHypervisor, setShmem } from '../../main/libvirt/edits';
import { parseDomainXml, rootElement, serializeXml } from '../../main/libvirt/xml/document';
import { repoRoot } from '../support/session-libvirt';
import { embeds, GPU_SHMEM_HIDE_B } from '../support/xml-embed';

const scratch = mkdtempSync(join(tmpdir(), 'vitrine-xml-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** virt-xml-validate on many files, a few at a time; returns the failures with their messages. */
async function validateAll(files: string[]): Promise<string[]> {
  const failures: string[] = [];
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const f = file;
      await new Promise<void>((done) =>
        execFile('virt-xml-validate', [f, 'domain'], (error, _out, stderr) => {
          if (error) failures.push(`${f}: ${String(stderr).trim().split('\n').slice(0, 3).join(' | ')}`);
          done();
        }),
      );
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return failures;
}

describe('every generated and edited golden file is valid libvirt XML', () => {
  it('passes virt-xml-validate', async () => {
    const dir = join(repoRoot, 'test', 'fixtures', 'xml');
    const files = ['builder', 'edits'].flatMap((sub) => readdirSync(join(dir, sub)).filter((f) => f.endsWith('-out.xml')).map((f) => join(dir, sub, f)));
    expect(files.length).toBeGreaterThanOrEqual(18);
    expect(await validateAll(files)).toEqual([]);
  });
});

const corpus = process.env['VITRINE_CORPUS'] ?? join(repoRoot, '..', 'shared', 'corpus', 'libvirt-domains');
const validList = join(corpus, '..', 'libvirt-domains.valid-on-libvirt-9.txt');
const haveCorpus = existsSync(corpus) && existsSync(validList);
if (!haveCorpus) console.log(`xml corpus: skipped, no corpus at ${corpus} (set VITRINE_CORPUS to libvirt's qemuxmlconfdata domains)`);

describe.skipIf(!haveCorpus)("libvirt's own test domains (../shared/corpus)", () => {
  it('every well-formed file parses and serialises back byte for byte', () => {
    const names = readdirSync(corpus).filter((n) => n.endsWith('.xml'));
    let identical = 0;
    const malformed: string[] = [];
    const lost: string[] = [];
    for (const name of names) {
      const text = readFileSync(join(corpus, name), 'utf8');
      let out: string;
      try {
        out = serializeXml(parseDomainXml(text));
      } catch (error) {
        malformed.push(`${name}: ${(error as Error).message}`);
        continue;
      }
      if (out === text) identical++;
      else lost.push(name);
    }
    console.log(`xml corpus: ${names.length} files, ${identical} byte-identical after the round trip, ${malformed.length} refused as malformed`);
    expect(lost).toEqual([]);
    expect(malformed.map((m) => m.split(':')[0])).toEqual(['broken-xml-invalid.xml']);
    expect(identical).toBe(names.length - 1);
  });

  it('every valid file still validates after attach-GPU + shmem + hide-hypervisor, and differs only by what they add', async () => {
    const valid = readFileSync(validList, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const outputs: string[] = [];
    const notEmbedded: string[] = [];
    const full: string[] = [];
    const passthrough: string[] = [];
    for (const name of valid) {
      const input = parseDomainXml(readFileSync(join(corpus, name), 'utf8'));
      let output;
      try {
        output = hideHypervisor(setShmem(attachPci(input, ['0000:01:00.0', '0000:01:00.1']), 32), 'b');
      } catch (error) {
        // A VM whose only PCI bus has slots 1-31 taken (0 is the host bridge) cannot take a device: refusing is right.
        const text = readFileSync(join(corpus, name), 'utf8');
        const busZero = new Set([...text.matchAll(/<address type='pci' domain='0x0000' bus='0x00' slot='(0x[0-9a-f]+)'/g)].map((m) => m[1]));
        const kind = (error as { kind?: string }).kind;
        if (kind === 'no-free-slot' && busZero.size === 31 && !text.includes("model='pci-bridge'")) full.push(name);
        // Hyper-V in passthrough mode allows no vendor_id: method B is refused with a way out.
        else if (kind === 'hyperv-passthrough' && text.includes("<hyperv mode='passthrough'")) passthrough.push(name);
        else notEmbedded.push(`${name}: the edits failed: ${(error as Error).message}`);
        continue;
      }
      const problems: string[] = [];
      if (!embeds([rootElement(input)!], [rootElement(output)!], GPU_SHMEM_HIDE_B, '', problems)) notEmbedded.push(`${name}: ${problems.join('; ')}`);
      const file = join(scratch, name);
      writeFileSync(file, serializeXml(output));
      outputs.push(file);
    }
    const invalid = await validateAll(outputs);
    console.log(
      `xml corpus: ${valid.length} valid files; ${outputs.length} edited, ${outputs.length - invalid.length} of them still valid, ${outputs.length - notEmbedded.length} differ only by the edits; refused: ${full.length} for a full PCI bus (${full.join(', ')}), ${passthrough.length} for Hyper-V passthrough mode (${passthrough.join(', ')})`,
    );
    expect(full.length + passthrough.length).toBeLessThanOrEqual(2);
    expect(invalid).toEqual([]);
    expect(notEmbedded).toEqual([]);
  }, 600_000);
});
