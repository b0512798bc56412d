import type { DiagnoseText, Evidence } from '../../shared/api';
import { KNOWLEDGE, type KnowledgeEntry } from './knowledge';
import { TEXT_SOURCES } from '../../shared/enums';

const ALL_TEXT = new Set<string>(TEXT_SOURCES);
const MAX_EVIDENCE_PER_PATTERN = 3;
const MAX_LINE = 400;

export interface Match {
  entry: KnowledgeEntry;
  score: number;
  evidence: Evidence[];
}

/**
 * Run the knowledge base over texts (pure). A pattern counts once per text
 * however often it matches (its weight), plus a little for each repetition;
 * findings are ranked by score, then by where their first evidence appears.
 */
export function matchTexts(texts: DiagnoseText[], knowledge: KnowledgeEntry[] = KNOWLEDGE): Match[] {
  const split = texts.map((t) => ({ ...t, lines: t.text.split(/\r?\n/) }));
  const matches: (Match & { first: number })[] = [];
  for (const entry of knowledge) {
    let score = 0;
    let first = Number.MAX_SAFE_INTEGER;
    const evidence: Evidence[] = [];
    split.forEach((text, textIndex) => {
      for (const pattern of entry.patterns) {
        const allowed = pattern.sources ? pattern.sources.includes(text.source) : ALL_TEXT.has(text.source);
        if (!allowed || (pattern.requires && !pattern.requires.test(text.text))) continue;
        let hits = 0;
        text.lines.forEach((line, i) => {
          const m = line.match(pattern.regex);
          if (!m || m.index === undefined) return;
          hits++;
          if (hits <= MAX_EVIDENCE_PER_PATTERN) {
            const start = Math.max(0, m.index - 120);
            const shown = line.slice(start, start + MAX_LINE);
            evidence.push({ source: text.source, label: text.label, line: i + 1, text: shown, match: [m.index - start, Math.min(shown.length, m.index - start + m[0].length)] });
            first = Math.min(first, textIndex * 1e7 + i);
          }
        });
        if (hits > 0) score += pattern.weight + Math.min(2, Math.log2(hits));
      }
    });
    if (score > 0) matches.push({ entry, score: Math.round(score * 10) / 10, evidence: evidence.sort((a, b) => a.label.localeCompare(b.label) || a.line - b.line), first });
  }
  return matches.sort((a, b) => b.score - a.score || a.first - b.first).map(({ first: _first, ...m }) => m);
}

/** Known problems ranked for the user's words (titles and words first, then explanations). */
export function searchKnowledge(query: string, knowledge: KnowledgeEntry[] = KNOWLEDGE): KnowledgeEntry[] {
  const terms = query.toLowerCase().split(/[^\p{L}\p{N}_-]+/u).filter((t) => t.length > 1);
  if (terms.length === 0) return [...knowledge];
  const scored = knowledge.map((entry) => {
    const title = entry.title.toLowerCase();
    const words = entry.words.join(' | ').toLowerCase();
    const body = `${entry.explanation} ${entry.fix.join(' ')}`.toLowerCase();
    const phrase = query.trim().toLowerCase();
    let score = entry.words.some((w) => w === phrase) ? 20 : 0;
    for (const term of terms) score += (title.includes(term) ? 4 : 0) + (words.includes(term) ? 3 : 0) + (body.includes(term) ? 1 : 0);
    return { entry, score };
  });
  return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score).map((s) => s.entry);
}
