import { describe, expect, it } from 'vitest';
import { numberText, pluralForm } from '../../shared/i18n/message';
import { compareAddresses } from '../../main/host/verdicts';

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
