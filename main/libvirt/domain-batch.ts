import type { DomainSummary } from '../../shared/api';
import { parseDominfo } from './parse-dominfo';
import { dumpXmlArgs, liveXmlArgs } from './batch';
import { randomHex } from '../common/random';
import { virshCommand, type Virsh } from './virsh';

/** What the dashboard's card of one domain needs from libvirt, read in a batch. */
export interface DomainRead {
  /** `dominfo` (what getDomain reads). */
  summary: DomainSummary;
  /** `dumpxml --inactive --security-info` (what Lifecycle.dumpXml reads). */
  xml: string;
  /** `dumpxml`: the running definition, with libvirt's picks (the SPICE port). */
  liveXml: string;
}

/** Each domain costs three commands; this many domains per virsh process keeps the argument far below Linux's 128 KiB per argument. */
export const BATCH_DOMAINS = 40;

/** The argvs of the three reads of one domain, as getDomain, Lifecycle.dumpXml and the live dumpxml run them alone. */
export function domainReads(name: string): string[][] {
  return [
    ['dominfo', '--domain', name],
    dumpXmlArgs(name),
    liveXmlArgs(name),
  ];
}

/**
 * One virsh argument running every domain's three reads, each followed by
 * `echo SEPARATOR` so that the output can be cut (a command that fails prints
 * nothing on stdout, and virsh goes on with the next one). The last command is
 * an echo: virsh's exit status is its last command's, so it fails only when
 * the connection does.
 */
export function batchCommands(names: readonly string[], separator: string): string {
  // The name is each argv's last word, after --domain (so a name like '-x' is a value, not an option).
  return names.flatMap((name) => domainReads(name).map((argv) => `${virshCommand(argv)}; echo ${separator}`)).join('; ');
}

/**
 * Cut batchCommands' output into each domain's reads. A domain whose dominfo
 * cannot be read (or names another domain) or whose XML is missing is null:
 * the caller asks it alone, which gives the error libvirt gives for it.
 */
export function parseBatch(out: string, names: readonly string[], separator: string): Map<string, DomainRead | null> {
  const parts = out.split(separator);
  const found = new Map<string, DomainRead | null>();
  const whole = parts.length === names.length * 3 + 1;
  names.forEach((name, i) => {
    const [info, xml, liveXml] = whole ? [parts[i * 3]!, parts[i * 3 + 1]!, parts[i * 3 + 2]!] : ['', '', ''];
    const summary = parseDominfo(info);
    found.set(name, summary && summary.name === name && xml.trim() && liveXml.trim() ? { summary, xml, liveXml } : null);
  });
  return found;
}

/**
 * dominfo and both dumpxml of many domains from one virsh process per
 * BATCH_DOMAINS (instead of up to five processes per domain). Null for a
 * domain that could not be read that way (gone meanwhile, a failing dumpxml):
 * the caller asks it alone. A failing connection rejects.
 */
export async function readDomains(virsh: Virsh, names: readonly string[]): Promise<Map<string, DomainRead | null>> {
  const found = new Map<string, DomainRead | null>();
  // virsh's command line cannot carry a line break (virshQuote): such a name is asked alone.
  const batchable = names.filter((name) => !/[\n\r\0]/.test(name));
  for (const name of names) if (!batchable.includes(name)) found.set(name, null);
  for (let i = 0; i < batchable.length; i += BATCH_DOMAINS) {
    const chunk = batchable.slice(i, i + BATCH_DOMAINS);
    // Random per run: no domain's XML (a description, metadata) can hold it by chance.
    const separator = `/vitrine-batch-${randomHex(12)}/`;
    const out = await virsh.run([batchCommands(chunk, separator)], { reads: true });
    for (const [name, read] of parseBatch(out, chunk, separator)) found.set(name, read);
  }
  return found;
}
