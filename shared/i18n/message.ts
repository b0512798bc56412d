/**
 * A text a service produces for the user, as a catalogue key and its values,
 * so that the renderer shows it in the user's language (shared/i18n/*.json)
 * while the CLI and logs keep the English (`formatMessage` with en.json).
 *
 * Values may be messages themselves (translated first), or lists of messages
 * (translated, then joined by a space). A `count` value picks the plural form
 * the way i18next does: `key_one`, `key_other`… by Intl.PluralRules.
 */
export interface Msg {
  key: string;
  params?: Record<string, MsgValue>;
}
export type MsgValue = string | number | Msg | Msg[];

/** A message: `msg('check.kvm.title')`, `msg('check.iommu.on', { count: 12 })`. */
export function msg(key: string, params?: Record<string, MsgValue>): Msg {
  return params ? { key, params } : { key };
}

export function isMsg(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null && typeof (value as Msg).key === 'string';
}

type Catalogue = Record<string, unknown>;

function lookup(root: Catalogue, key: string): string | null {
  let node: unknown = root;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Catalogue)[part] : undefined;
  return typeof node === 'string' ? node : null;
}

// Intl objects are slow to make (a scan formats hundreds of messages): one per language.
// The first one a process makes also loads ICU's data (40-90 ms on a loaded 2-core
// machine): English integers, which is what the CLI prints, are written here
// exactly as Intl writes them (without-icu.test.ts compares them), without it.
const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();
function cached<T>(map: Map<string, T>, language: string, make: () => T): T {
  let value = map.get(language);
  if (value === undefined) map.set(language, (value = make()));
  return value;
}

/** `new Intl.PluralRules(language).select(count)`. */
export function pluralForm(language: string, count: number): Intl.LDMLPluralRule {
  if (language === 'en' && Number.isInteger(count)) return Math.abs(count) === 1 ? 'one' : 'other';
  return cached(pluralRules, language, () => new Intl.PluralRules(language)).select(count);
}

/** `count.toLocaleString(language)`. */
export function numberText(language: string, value: number): string {
  if (language === 'en' && Number.isSafeInteger(value) && !Object.is(value, -0)) {
    return (value < 0 ? '-' : '') + String(Math.abs(value)).replace(/\B(?=(\d{3})+$)/g, ',');
  }
  return cached(numberFormats, language, () => new Intl.NumberFormat(language)).format(value);
}

/** The catalogue's text for a key, with its plural form when `count` is given (i18next's `_one`/`_other`). */
export function templateOf(catalogue: Catalogue, language: string, key: string, count: number | undefined): string | null {
  if (count !== undefined) {
    const form = pluralForm(language, count);
    const plural = lookup(catalogue, `${key}_${form}`) ?? lookup(catalogue, `${key}_other`);
    if (plural !== null) return plural;
  }
  return lookup(catalogue, key);
}

/**
 * A message as text with a catalogue: `{{name}}` replaced, nested messages
 * formatted first, plural forms by `count`. An unknown key gives the key
 * itself (the catalogue test makes sure none is missing).
 */
export function formatMessage(catalogue: Catalogue, language: string, message: Msg): string {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.params ?? {})) values[name] = valueText(catalogue, language, value);
  const count = typeof message.params?.['count'] === 'number' ? message.params['count'] : undefined;
  const template = templateOf(catalogue, language, message.key, count) ?? message.key;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

function valueText(catalogue: Catalogue, language: string, value: MsgValue): string {
  if (Array.isArray(value)) return value.map((m) => formatMessage(catalogue, language, m)).join(' ');
  if (isMsg(value)) return formatMessage(catalogue, language, value);
  return typeof value === 'number' ? numberText(language, value) : value;
}
