import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../shared/i18n/en.json';
import fr from '../../shared/i18n/fr.json';

type Tree = { [key: string]: string | Tree };
const root = join(import.meta.dirname, '..', '..');

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const EN = flatten(en as Tree);
const FR = flatten(fr as Tree);
const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();

describe('translations', () => {
  it('French has every English key, and nothing English lacks', () => {
    expect([...EN.keys()].filter((k) => !FR.has(k))).toEqual([]);
    expect([...FR.keys()].filter((k) => !EN.has(k))).toEqual([]);
  });

  it('no French text is empty or left in English (beyond names that are the same in both)', () => {
    const SAME = /^(Vitrine|Looking Glass|Pause|F12|Windows \d+|Dashboard|UUID|Version|Mode|Actions|Documentation|OK|Suspended|Client : .*)$/;
    const same = [...EN].filter(([k, v]) => FR.get(k) === v && v.length > 3 && !SAME.test(v) && /[a-z]{3,} [a-z]{3,}/i.test(v)).map(([k]) => k);
    expect(same).toEqual([]);
    expect([...FR].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });

  it('both say the same {{placeholders}}', () => {
    const differ = [...EN].filter(([k, v]) => JSON.stringify(placeholders(v)) !== JSON.stringify(placeholders(FR.get(k) ?? ''))).map(([k]) => k);
    expect(differ).toEqual([]);
  });

  it('every literal key the renderer and the tray ask for exists', () => {
    const files = [...sources(join(root, 'renderer', 'src')), ...sources(join(root, 'main', 'desktop')), join(root, 'main', 'shell', 'tray.ts')];
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) {
        const key = m[1]!;
        // i18next plurals: key_one / key_other.
        if (!EN.has(key) && !EN.has(`${key}_one`)) missing.push(`${file.slice(root.length + 1)}: ${key}`);
      }
      for (const m of text.matchAll(/\bt\(\s*`([\w.-]+)\.\$\{/g)) {
        if (![...EN.keys()].some((k) => k.startsWith(`${m[1]}.`))) missing.push(`${file.slice(root.length + 1)}: ${m[1]}.*`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('no text is written straight into the markup', () => {
    // JSX text between tags with a word in it, outside {…}: it would not be translated.
    const NAMES = /^(Windows 1[01]|KVM|Looking Glass|Vitrine|TPM 2\.0)$/;
    const found: string[] = [];
    for (const file of sources(join(root, 'renderer', 'src')).filter((f) => f.endsWith('.tsx'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/>\s*([^<>{}]*[A-Za-z]{2,}[^<>{}]*?)\s*</g)) {
        const words = m[1]!.trim();
        // Skip what is code, not markup (generics such as useState<T>(…), arrows, statements).
        if (!words || NAMES.test(words) || /^[\s\-—–·•:()↑▶■📁%\d.,]*$/u.test(words) || /=>|&&|\|\||\?\s|[;=[\]'`]|\bPromise\b|^\(|\)$/.test(words)) continue;
        found.push(`${file.slice(root.length + 1)}: ${words}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('known problems in French', () => {
  it('every entry of the knowledge base has its French title, explanation and as many fix steps, without jargon', async () => {
    const { KNOWLEDGE } = await import('../../main/diagnose/knowledge');
    const french = (await import('../../shared/i18n/knowledge.fr.json')).default as Record<string, { title: string; explanation: string; fix: string[]; fixLabel?: string }>;
    for (const entry of KNOWLEDGE) {
      const fr = french[entry.id];
      expect(fr, entry.id).toBeDefined();
      expect(fr!.fix.length, entry.id).toBe(entry.fix.length);
      expect(fr!.fixLabel === undefined, `${entry.id}: one-click label`).toBe(entry.recipe === null);
      for (const text of [entry.title, entry.explanation, ...entry.fix, fr!.title, fr!.explanation, ...fr!.fix]) {
        expect(text).not.toMatch(/\bseeds?\b/i);
        expect(text).not.toMatch(/\bNAME\b/);
      }
      expect(fr!.title).not.toBe(entry.title);
    }
    expect(Object.keys(french).sort()).toEqual(KNOWLEDGE.map((e) => e.id).sort());
  });
});

describe('history entries in words', () => {
  it('every edit a history entry can name has its words in both languages', async () => {
    const { editRequest } = await import('../../shared/schemas');
    const keys = Object.keys((editRequest as unknown as { shape: Record<string, unknown> }).shape);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) {
      expect(EN.has(`history.what.${key}`), key).toBe(true);
      expect(FR.has(`history.what.${key}`), key).toBe(true);
    }
  });
});
