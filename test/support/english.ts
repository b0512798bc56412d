import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * English a French reader would notice: words of the English catalogue that
 * the French one never uses ("the", "cannot", "with"…). Names and commands
 * (virsh, KVM, /dev/shm…) are in both, so they do not count. The tour
 * (test/e2e/tour.spec.ts) applies the same rule to every page.
 */
type Tree = { [key: string]: string | Tree };
const values = (tree: Tree): string[] => Object.values(tree).flatMap((v) => (typeof v === 'string' ? [v] : values(v)));
const catalogue = (lang: string): string[] => values(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'i18n', `${lang}.json`), 'utf8')) as Tree);

/** The words of a text, lower-cased; all-capital names (KVM, NUMA) are not words. */
export const words = (text: string): string[] =>
  (text.match(/[A-Za-zÀ-ÿ'’]+/g) ?? []).map((w) => w.replace(/^['’]+|['’]+$/g, '')).filter((w) => w.length > 0 && !(w.length > 1 && w === w.toUpperCase())).map((w) => w.toLowerCase());

const FRENCH = new Set(catalogue('fr').flatMap(words));
const ENGLISH_ONLY = new Set(catalogue('en').flatMap(words).filter((w) => w.length > 2 && !FRENCH.has(w)));

/** The English-only words in a text shown in French (empty when it reads as French). */
export function englishWords(text: string): string[] {
  return words(text).filter((w) => ENGLISH_ONLY.has(w));
}
