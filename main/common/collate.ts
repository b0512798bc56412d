/**
 * `a.localeCompare(b)`, without ICU's collator when the answer is known.
 *
 * The first localeCompare of a process loads ICU's collation data: 10–25 ms
 * of a `vitrine vm list` that takes about 200 (it sorts the domains). Text of
 * printable ASCII is compared here in the order of the root collation (CLDR),
 * which is what localeCompare gives for it in most languages: spaces, then
 * punctuation and symbols in CLDR's order, digits, then letters with case
 * ignored; on a tie, the first position where the case differs decides, the
 * lower-case letter first. Only in a locale whose collation keeps that order
 * for ASCII (ICU_LANGUAGES, each checked against Intl.Collator by
 * test/unit/without-icu.test.ts); other text and other locales (Danish, Turkish,
 * Lithuanian… reorder letters) go to localeCompare.
 */

/** Printable ASCII, in the root collation's primary order; letters share a weight with their capital. */
const ROOT_ORDER = [
  ' ', '_', '-', ',', ';', ':', '!', '?', '.', "'", '"', '(', ')', '[', ']', '{', '}', '@', '*', '/', '\\', '&', '#', '%', '`', '^', '+', '<', '=', '>', '|', '~', '$',
  ...'0123456789',
  ...'abcdefghijklmnopqrstuvwxyz',
];

/** Primary weight by character code (0: not printable ASCII). */
const WEIGHT = new Uint8Array(128);
ROOT_ORDER.forEach((c, i) => {
  WEIGHT[c.charCodeAt(0)] = i + 1;
  WEIGHT[c.toUpperCase().charCodeAt(0)] = i + 1;
});

/**
 * Languages whose collation orders printable ASCII as the root does (C and
 * POSIX: ICU's en-US). Not here, for instance: da, nb, nn (aa), lt, lv (y),
 * et (z), tr, az (i), cy (ch, ll…), cs, sk (ch), hu, hr, th.
 */
export const ICU_LANGUAGES = new Set(['c', 'posix', 'en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'ru', 'uk', 'pl', 'sv', 'fi', 'el', 'ro', 'bg', 'ca', 'id', 'ja', 'zh', 'ko', 'he', 'ar', 'hi']);

/**
 * Whether the locale ICU takes from this environment keeps the root order of
 * ASCII. ICU reads LC_ALL, LC_MESSAGES, then LANG; Electron also LANGUAGE. So
 * every one of them that is set must name such a language.
 */
export function asciiRootOrder(env: NodeJS.ProcessEnv): boolean {
  const values = [...(env['LANGUAGE'] ?? '').split(':'), env['LC_ALL'], env['LC_MESSAGES'], env['LANG']];
  return values.every((value) => !value || ICU_LANGUAGES.has(value.split(/[_.@-]/)[0]!.toLowerCase()));
}

let rootOrder: boolean | undefined;

/** The root collation's answer for printable-ASCII text, or null for anything else. */
export function compareAscii(a: string, b: string): number | null {
  const n = Math.min(a.length, b.length);
  let primary = 0;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    const wx = x < 128 ? WEIGHT[x]! : 0;
    const wy = y < 128 ? WEIGHT[y]! : 0;
    if (wx === 0 || wy === 0) return null;
    if (primary === 0 && wx !== wy) primary = wx < wy ? -1 : 1;
  }
  for (let i = n; i < a.length; i++) if (a.charCodeAt(i) >= 128 || WEIGHT[a.charCodeAt(i)] === 0) return null;
  for (let i = n; i < b.length; i++) if (b.charCodeAt(i) >= 128 || WEIGHT[b.charCodeAt(i)] === 0) return null;
  if (primary !== 0) return primary;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  // Same letters: the first difference of case decides, lower case first ('a' is 97, 'A' 65).
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x > y ? -1 : 1;
  }
  return 0;
}

/** `a.localeCompare(b)`: -1, 0 or 1 for ASCII text in a root-ordered locale, localeCompare's own number otherwise. */
export function compareText(a: string, b: string): number {
  rootOrder ??= asciiRootOrder(process.env);
  return (rootOrder ? compareAscii(a, b) : null) ?? a.localeCompare(b);
}
