import type { DomainSummary } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { parseDominfo, parseNameList } from './parse-dominfo';
import type { Virsh } from './virsh';

const DOMINFO_CONCURRENCY = 4;

/** One domain's summary, or null when libvirt no longer knows it. */
export async function getDomain(virsh: Virsh, name: string): Promise<DomainSummary | null> {
  let out: string;
  try {
    out = await virsh.run(['dominfo', '--domain', name]);
  } catch (error) {
    if (error instanceof VitrineError && error.kind === 'domain-not-found') return null;
    throw error;
  }
  const summary = parseDominfo(out);
  if (!summary) {
    throw new VitrineError({
      kind: 'virsh',
      message: `virsh dominfo printed something Vitrine cannot read for '${name}'.`,
      hint: `Check that virsh works from a terminal (virsh dominfo '${name}'); report the output if it does.`,
      detail: out.slice(0, 2000),
    });
  }
  return summary;
}

/** Every domain on the connection (active and inactive), sorted by name. */
export async function listDomains(virsh: Virsh): Promise<DomainSummary[]> {
  const names = parseNameList(await virsh.run(['list', '--all', '--name']));
  const found: DomainSummary[] = [];
  for (let i = 0; i < names.length; i += DOMINFO_CONCURRENCY) {
    const batch = names.slice(i, i + DOMINFO_CONCURRENCY);
    const results = await Promise.all(batch.map((name) => getDomain(virsh, name)));
    for (const result of results) if (result) found.push(result);
  }
  return sortDomains(found);
}

/** Sort by name, locale-aware, so the UI and the CLI show the same order. */
export function sortDomains(domains: DomainSummary[]): DomainSummary[] {
  return [...domains].sort((a, b) => a.name.localeCompare(b.name));
}
