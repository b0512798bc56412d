import type { DomainSummary } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { compareText } from '../common/collate';
import { msg } from '../../shared/i18n/message';
import { LISTING_COMMANDS, parseDominfo, parseListing } from './parse-dominfo';
import type { Virsh } from './virsh';

const DOMINFO_CONCURRENCY = 4;

/** One domain's summary, or null when libvirt no longer knows it. */
export async function getDomain(virsh: Virsh, name: string): Promise<DomainSummary | null> {
  let out: string;
  try {
    out = await virsh.run(['dominfo', '--domain', name], { reads: true });
  } catch (error) {
    if (error instanceof VitrineError && error.kind === 'domain-not-found') return null;
    throw error;
  }
  const summary = parseDominfo(out);
  if (!summary) {
    throw VitrineError.of('virsh', msg('error.libvirt.dominfoUnreadable', { name }), msg('error.libvirt.dominfoUnreadableHint', { name }), out.slice(0, 2000));
  }
  return summary;
}

/**
 * Every domain on the connection (active and inactive), sorted by name: one
 * virsh process runs the four listings (LISTING_COMMANDS); only a domain
 * whose row could not be read that way is asked with dominfo.
 */
export async function listDomains(virsh: Virsh): Promise<DomainSummary[]> {
  const out = await virsh.run([LISTING_COMMANDS], { reads: true });
  const listing = parseListing(out);
  if (!listing) {
    throw VitrineError.of('virsh', msg('error.libvirt.listUnreadable'), msg('error.libvirt.listUnreadableHint'), out.slice(0, 2000));
  }
  const found: DomainSummary[] = [...listing.domains];
  const names = listing.unmatched;
  for (let i = 0; i < names.length; i += DOMINFO_CONCURRENCY) {
    const batch = names.slice(i, i + DOMINFO_CONCURRENCY);
    const results = await Promise.all(batch.map((name) => getDomain(virsh, name)));
    for (const result of results) if (result) found.push(result);
  }
  return sortDomains(found);
}

/** Sort by name, locale-aware, so the UI and the CLI show the same order. */
export function sortDomains(domains: DomainSummary[]): DomainSummary[] {
  return [...domains].sort((a, b) => compareText(a.name, b.name));
}
