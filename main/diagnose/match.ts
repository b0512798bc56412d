import type { DiagnoseText, Evidence } from '../../shared/api';
import { KNOWLEDGE, type KnowledgeEntry } from './knowledge';
import { TEXT_SOURCES } from '../../shared/enums';
import { compareText } from '../common/collate';

const ALL_TEXT = new Set<string>(TEXT_SOURCES);
const MAX_EVIDENCE_PER_PATTERN = 3;
const MAX_LINE = 400;

export interface Match {
  entry: KnowledgeEntry;
  score: number;
  evidence: Evidence[];
  /** Set when the texts also show something that speaks against the entry (its score was lowered). */
  contradicted: { title: string; note: string; evidence: Evidence } | null;
}

function evidenceOf(text: { source: DiagnoseText['source']; label: string }, line: string, index: number, m: RegExpMatchArray): Evidence {
  const at = m.index ?? 0;
  const start = Math.max(0, at - 120);
  const shown = line.slice(start, start + MAX_LINE);
  return { source: text.source, label: text.label, line: index + 1, text: shown, match: [at - start, Math.min(shown.length, at - start + m[0].length)] };
}

/**
 * Run the knowledge base over texts (pure). A pattern counts once per text
 * however often it matches (its weight), plus a little for each repetition;
 * a contradiction found in any text multiplies the entry's score by its
 * factor. Findings are ranked by score, then by where their first evidence
 * appears.
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
            evidence.push(evidenceOf(text, line, i, m));
            first = Math.min(first, textIndex * 1e7 + i);
          }
        });
        if (hits > 0) score += pattern.weight + Math.min(2, Math.log2(hits));
      }
    });
    if (score <= 0) continue;
    const contradicted = findContradiction(entry, split);
    if (contradicted) score *= contradicted.factor;
    matches.push({
      entry,
      score: Math.round(score * 10) / 10,
      evidence: evidence.sort((a, b) => compareText(a.label, b.label) || a.line - b.line),
      contradicted: contradicted && { title: contradicted.title, note: contradicted.note, evidence: contradicted.evidence },
      first,
    });
  }
  return matches.sort((a, b) => b.score - a.score || a.first - b.first).map(({ first: _first, ...m }) => m);
}

function findContradiction(
  entry: KnowledgeEntry,
  texts: (DiagnoseText & { lines: string[] })[],
): { title: string; note: string; factor: number; evidence: Evidence } | null {
  for (const c of entry.contradictions ?? []) {
    for (const text of texts) {
      if (!(c.sources ? c.sources.includes(text.source) : ALL_TEXT.has(text.source))) continue;
      for (let i = 0; i < text.lines.length; i++) {
        const line = text.lines[i]!;
        const m = line.match(c.regex);
        if (!m) continue;
        const e = evidenceOf(text, line, i, m);
        return { title: c.title, factor: c.factor, note: c.note.replace('{line}', line.trim().slice(0, 160)), evidence: e };
      }
    }
  }
  return null;
}

/**
 * Words that carry no meaning for the search ("black screen in looking
 * glass" is about "black", "screen", "looking", "glass"). The Troubleshoot
 * page keeps the same list to tell matches from the closest entries.
 */
export const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'at', 'be', 'but', 'by', 'can', 'do', 'does', 'for', 'from', 'has', 'have', 'how', 'i', 'if', 'in', 'into', 'is', 'it',
  'its', 'me', 'my', 'of', 'on', 'or', 'so', 'that', 'the', 'then', 'there', 'this', 'to', 'was', 'what', 'when', 'why', 'with',
  'le', 'la', 'les', 'de', 'des', 'du', 'un', 'une', 'et', 'dans', 'sur', 'avec', 'mon', 'ma', 'mes', 'je', 'il', 'est',
]);

/** The words of a query that count: lower case, no stop words. */
export function queryTerms(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}_-]+/u).filter((t) => (t.length > 1 || /\d/.test(t)) && /[\p{L}\p{N}]/u.test(t) && !STOP_WORDS.has(t)))];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does the text have a word that starts with the term ("stutter" in "stuttering"; "127" only as a number of its own)? */
export function hasTerm(text: string, term: string): boolean {
  const numeric = /^-?\d+$/.test(term);
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escape(term)}${numeric ? '(?![\\p{N}])' : ''}`, 'u').test(text);
}

function fields(entry: KnowledgeEntry): { title: string; words: string; body: string } {
  return {
    title: entry.title.toLowerCase(),
    words: entry.words.join(' | ').toLowerCase(),
    body: `${entry.explanation} ${entry.fix.join(' ')}`.toLowerCase(),
  };
}

/**
 * Known problems for the user's words, best first: the entry's own phrases
 * ("error 127", "black screen") found in the query weigh most, then its
 * title, its words, its explanation; a word few entries use weighs more than
 * one many use ("127" against "error"). Only entries that have one of the
 * words (at the start of a word of theirs); nothing for words it does not know.
 */
export function searchKnowledge(query: string, knowledge: KnowledgeEntry[] = KNOWLEDGE): KnowledgeEntry[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [...knowledge];
  const phrase = ` ${terms.join(' ')} `;
  const all = knowledge.map((entry) => ({ entry, f: fields(entry) }));
  const idf = new Map(terms.map((t) => [t, Math.log(1 + all.length / (1 + all.filter(({ f }) => hasTerm(`${f.title} ${f.words} ${f.body}`, t)).length))]));
  const scored = all.map(({ entry, f }) => {
    let score = 0;
    let hits = 0;
    for (const term of terms) {
      const w = (hasTerm(f.title, term) ? 4 : 0) + (hasTerm(f.words, term) ? 3 : 0) + (hasTerm(f.body, term) ? 1 : 0);
      if (w > 0) hits++;
      score += w * idf.get(term)!;
    }
    if (hits === 0) return { entry, score: 0 };
    for (const word of entry.words) {
      const own = queryTerms(word).join(' ');
      if (!own) continue;
      if (own === terms.join(' ')) score += 40;
      else if (own.includes(' ') && phrase.includes(` ${own} `)) score += 12 * own.split(' ').length;
    }
    return { entry, score };
  });
  return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score).map((s) => s.entry);
}

function trigrams(text: string): Set<string> {
  const padded = `  ${text} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** How alike two words are (0..1, Dice over letter triples): "stuter" and "stutter" are close. */
function likeness(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  let common = 0;
  for (const t of x) if (y.has(t)) common++;
  return (2 * common) / (x.size + y.size);
}

/**
 * The entries nearest to words that matched nothing (misspelt or other words):
 * each query word against each word of an entry's title and phrases.
 */
export function closestKnowledge(query: string, count = 3, knowledge: KnowledgeEntry[] = KNOWLEDGE): KnowledgeEntry[] {
  const terms = queryTerms(query);
  const scored = knowledge.map((entry, index) => {
    const vocabulary = queryTerms(`${entry.title} ${entry.words.join(' ')}`);
    const score = terms.reduce((sum, term) => sum + Math.max(0, ...vocabulary.map((v) => likeness(term, v))), 0);
    return { entry, score, index };
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, count).map((s) => s.entry);
}
