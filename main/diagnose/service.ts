import type { DiagnoseResult, DiagnoseText, Evidence, Finding, KnownProblem, OneClickFix } from '../../shared/api';
import { mismatchAdvice, releaseFromBanner } from '../../shared/lg-release';
import { scanHost } from '../host/scan';
import { passSet } from '../host/verdicts';
import type { Lifecycle } from '../libvirt/lifecycle';
import { collectHookLog, collectKernelLog, collectLastStartError, collectQemuLog, readTail } from './collect';
import { hostPath, type HostRoots } from '../host/roots';
import { ADDRESS, staticOneClick, type KnowledgeEntry } from './knowledge';
import { closestKnowledge, matchTexts, queryTerms, searchKnowledge } from './match';

function known(entry: KnowledgeEntry): KnownProblem {
  return { id: entry.id, title: entry.title, words: entry.words, explanation: entry.explanation, fix: entry.fix, seeds: entry.seeds };
}

/** Turn a log's findings into ranked, explained results with their one-click fix. */
export class DiagnoseService {
  constructor(
    private readonly uri: string,
    private readonly lifecycle: Lifecycle,
    private readonly hostRoots: HostRoots,
    /** Where a VM's Looking Glass client output is kept. */
    private readonly clientLog: (name: string) => string = () => '',
  ) {}

  /**
   * Known problems for the user's words, best first; when none has any of
   * them, the closest entries instead (found: false) so there is always
   * something to read.
   */
  searchDetailed(query: string): { found: boolean; problems: KnownProblem[] } {
    const found = searchKnowledge(query);
    if (found.length > 0 || queryTerms(query).length === 0) return { found: true, problems: found.map(known) };
    return { found: false, problems: closestKnowledge(query).map(known) };
  }

  /** Known problems for the user's words (the closest ones when nothing matches: see searchDetailed). */
  search(query: string): KnownProblem[] {
    return this.searchDetailed(query).problems;
  }

  /**
   * Diagnose: the given texts, plus for a VM its last failed start, its QEMU
   * log, its configuration and the kernel log (each read when this user may;
   * otherwise the result says how to get it).
   */
  async run(name: string | undefined, given: DiagnoseText[]): Promise<DiagnoseResult> {
    const texts = [...given];
    const collected: DiagnoseResult['collected'] = given.map((t) => ({ source: t.source, label: t.label, status: 'read' as const, note: '' }));
    if (name !== undefined) {
      const lastError = await collectLastStartError(this.lifecycle.lastStartErrorFile(name));
      if (lastError) {
        texts.push(lastError);
        collected.push({ source: 'virsh', label: lastError.label, status: 'read', note: '' });
      }
      const lgLog = this.clientLog(name);
      const lg = lgLog ? await readTail(lgLog) : null;
      if (lg && 'text' in lg && lg.text.trim()) {
        texts.push({ source: 'looking-glass', label: lgLog, text: lg.text });
        collected.push({ source: 'looking-glass', label: lgLog, status: 'read', note: '' });
      }
      const hook = await collectHookLog(hostPath(this.hostRoots, `/var/log/vitrine/hook-${name}.log`));
      if (hook) {
        texts.push(hook.text);
        collected.push(hook.note);
      }
      const [qemu, kernel, xml] = await Promise.all([
        collectQemuLog(this.uri, name),
        collectKernelLog(),
        this.lifecycle.dumpXml(name).then(
          (text) => ({ text, error: null }),
          (error: Error) => ({ text: null, error }),
        ),
      ]);
      for (const part of [qemu, kernel]) {
        if (part.text) texts.push(part.text);
        collected.push(part.note);
      }
      if (xml.text) {
        texts.push({ source: 'domain-xml', label: `the definition of ${name}`, text: xml.text });
        collected.push({ source: 'domain-xml', label: name, status: 'read', note: '' });
      } else collected.push({ source: 'domain-xml', label: name, status: 'unavailable', note: xml.error?.message ?? '' });
    }
    const findings: Finding[] = [];
    for (const m of matchTexts(texts)) {
      const base = known(m.entry);
      // Evidence against the usual cause: say so first, under a title that does not claim it.
      const said = m.contradicted ? { title: m.contradicted.title, explanation: `${m.contradicted.note} ${base.explanation}`, contradicted: true } : {};
      // A release mismatch: the client's banner in its output says which guest package matches it.
      const release = m.entry.id === 'lg-version-mismatch' ? texts.filter((t) => t.source === 'looking-glass' || t.source === 'pasted').map((t) => releaseFromBanner(t.text)).find(Boolean) : null;
      const fix = release ? [mismatchAdvice(release), ...base.fix] : base.fix;
      findings.push({ ...base, ...said, fix, score: m.score, evidence: m.evidence, oneClick: await this.oneClick(m.entry, m.evidence) });
    }
    return { findings, collected };
  }

  /** Resolve a fix that depends on the evidence (the recommended size, the devices of a group). */
  private async oneClick(entry: KnowledgeEntry, evidence: Evidence[]): Promise<OneClickFix | null> {
    const recipe = entry.recipe;
    if (!recipe || recipe.kind !== 'edit-from-evidence') return staticOneClick(recipe);
    if (recipe.build === 'shmem-recommended') {
      const mib = evidence.map((e) => e.text.match(/Recommend increase size to (\d+) MiB/)?.[1]).find(Boolean);
      if (!mib) return null;
      const size = 2 ** Math.ceil(Math.log2(Number(mib)));
      return { kind: 'edit', label: `${recipe.label}: ${size} MiB`, edits: { shmemMiB: size } };
    }
    // whole-group: the device named in the evidence, and everything that must go with it.
    const address = evidence.map((e) => e.text.match(new RegExp(ADDRESS))?.[0]).find(Boolean);
    if (!address) return null;
    try {
      const report = await scanHost(this.hostRoots);
      const device = report.devices.find((d) => d.address === address);
      if (!device) return null;
      const addresses = passSet(device, report.devices).map((d) => d.address);
      return { kind: 'edit', label: `${recipe.label} (${addresses.join(', ')})`, edits: { attachPci: { addresses } } };
    } catch {
      return null;
    }
  }
}
