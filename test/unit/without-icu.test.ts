import { describe, expect, it } from 'vitest';
import { numberText, pluralForm } from '../../shared/i18n/message';
import { compareAddresses } from '../../main/host/verdicts';
import { asciiRootOrder, compareAscii, compareText, ICU_LANGUAGES } from '../../main/common/collate';
import { spawnSync } from 'node:child_process';

// English integers are written (and sysfs addresses sorted) without Intl (its first use loads ICU's data):
// the text and the plural form must be exactly Intl's, for every kind of number.
const NUMBERS = [
  0, -0, 1, -1, 2, 7, 9, 10, 11, 12, 21, 99, 100, 101, 999, 1000, 1001, 1234, 9999, 10000, 12345, 99999, 100000, 123456, 999999, 1000000,
  1234567, 12345678, 123456789, 1234567890, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, -1000, -1234567,
  2 ** 53, 1e21, 1.5, 0.5, -0.5, 1.0005, 1234.5678, 0.1 + 0.2, Number.NaN, Infinity, -Infinity,
];

describe('numbers and plural forms in messages', () => {
  for (const language of ['en', 'fr']) {
    it(`writes numbers as toLocaleString('${language}') does`, () => {
      for (const n of NUMBERS) expect(numberText(language, n), String(n)).toBe(n.toLocaleString(language));
      for (let n = -2000; n <= 2000; n += 7) expect(numberText(language, n)).toBe(n.toLocaleString(language));
    });
    it(`picks the plural form Intl.PluralRules('${language}') picks`, () => {
      const rules = new Intl.PluralRules(language);
      for (const n of NUMBERS) expect(pluralForm(language, n), String(n)).toBe(rules.select(n));
      for (let n = -50; n <= 2000; n++) expect(pluralForm(language, n)).toBe(rules.select(n));
    });
  }
});

describe('PCI addresses in order without a collator', () => {
  it('sorts them as localeCompare does, sysfs addresses and others', () => {
    const hex = '0123456789abcdef';
    const addresses: string[] = ['0000:01:00.0', '0000:01:00.1', '0000:0a:00.0', '0000:10:00.0', '0001:00:00.0', 'ffff:ff:1f.7', '0000:00:00.0'];
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const digits = (k: number): string => Array.from({ length: k }, () => hex[next(16)]).join('');
    for (let i = 0; i < 300; i++) addresses.push(`${digits(4)}:${digits(2)}:${digits(2)}.${next(8)}`);
    // Not sysfs-shaped: upper case, short forms, words (these go to localeCompare).
    addresses.push('0000:0A:00.0', '0000:0B:00.0', '01:00.0', 'Bridge', 'audio', '0000:01:00.10', '');
    const ours = [...addresses].sort(compareAddresses);
    const theirs = [...addresses].sort((a, b) => a.localeCompare(b));
    expect(ours).toEqual(theirs);
    expect(ours.slice(0, 2)).toEqual(['', '0000:00:00.0']);
  });
});

describe('text in order without a collator (domain names, connectors, files)', () => {
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  /** Every string of `length` characters from `alphabet`. */
  const strings = (alphabet: string[], length: number): string[] =>
    length === 0 ? [''] : strings(alphabet, length - 1).flatMap((s) => alphabet.map((c) => s + c));
  // Letters that digraphs and tailorings touch (ch, ll, aa, y, z, i…), case, punctuation and digits.
  const tricky = [...'aAcChHiIlLnNsSyYzZ', '_', '-', '.', ' ', '0', '9'];
  const words = [...strings(printable, 1), ...strings(printable, 2), ...strings(tricky, 3), 'win11', 'Win11', 'win-11', 'win_11', 'win 11', 'win10-gaming', 'Windows 11 (ch)', 'aa', 'Aa', 'll'];

  /** Adjacent pairs in the collator's order that compareAscii orders differently. */
  const disagreements = (collator: Intl.Collator): string[][] => {
    const sorted = [...words].sort(collator.compare);
    const bad: string[][] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [a, b] = [sorted[i]!, sorted[i + 1]!];
      if (compareAscii(a, b) !== Math.sign(collator.compare(a, b))) bad.push([a, b]);
    }
    return bad;
  };

  for (const language of [...ICU_LANGUAGES].filter((l) => l !== 'c' && l !== 'posix')) {
    it(`orders printable ASCII as Intl.Collator('${language}') does`, () => {
      expect(disagreements(new Intl.Collator(language)).slice(0, 5)).toEqual([]);
    });
  }

  it('is not used where a language reorders ASCII (the list above is what keeps it out)', () => {
    for (const language of ['da', 'lt', 'tr', 'cs', 'cy', 'et']) {
      expect(ICU_LANGUAGES.has(language)).toBe(false);
      expect(disagreements(new Intl.Collator(language)).length, language).toBeGreaterThan(0);
    }
  });

  it('leaves anything but printable ASCII to localeCompare', () => {
    for (const [a, b] of [['é', 'f'], ['a\tb', 'ab'], ['win', 'wín'], ['Ä', 'B'], ['a\u0000', 'a']]) expect(compareAscii(a!, b!)).toBeNull();
    expect(Math.sign(compareText('é', 'f'))).toBe(Math.sign('é'.localeCompare('f')));
  });

  it('reads the language ICU and Electron take from the environment', () => {
    expect(asciiRootOrder({})).toBe(true);
    expect(asciiRootOrder({ LANG: 'C.UTF-8' })).toBe(true);
    expect(asciiRootOrder({ LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr:en' })).toBe(true);
    expect(asciiRootOrder({ LANG: 'en_US.UTF-8', LC_ALL: 'da_DK.UTF-8' })).toBe(false);
    expect(asciiRootOrder({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'tr_TR' })).toBe(false);
    expect(asciiRootOrder({ LANG: 'en_US.UTF-8', LANGUAGE: 'fr:cs' })).toBe(false);
    expect(asciiRootOrder({ LANG: 'lt_LT@euro' })).toBe(false);
  });

  it("agrees with a node process's own localeCompare in the C locale, in French and with none set", () => {
    const sample = JSON.stringify(strings(tricky, 2));
    for (const env of [{ LANG: 'C' }, { LANG: 'POSIX' }, { LANG: 'C.UTF-8' }, { LANG: 'fr_FR.UTF-8' }, {}]) {
      const { PATH, HOME } = process.env;
      const run = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(${sample}.sort((a, b) => a.localeCompare(b))))`], { env: { PATH, HOME, ...env }, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout), JSON.stringify(env)).toEqual(strings(tricky, 2).sort((a, b) => compareAscii(a, b)!));
    }
  });
});
