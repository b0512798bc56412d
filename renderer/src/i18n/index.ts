import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { LANGUAGES as LANGUAGE_CODES } from '../../../shared/enums';

/** Each language of shared/enums.ts by its own name (the compiler checks none is missing). */
export const LANGUAGES = { en: 'English', fr: 'Français' } as const satisfies Record<(typeof LANGUAGE_CODES)[number], string>;
export type Language = keyof typeof LANGUAGES;
const STORAGE_KEY = 'vitrine.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && saved in LANGUAGES) return saved as Language;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/**
 * Each catalogue is loaded when needed: the active language's at start (with
 * English beside it as the fallback), another when chosen. None is in the
 * initial script.
 */
const CATALOGUES: Record<Language, () => Promise<{ default: Record<string, unknown> }>> = {
  en: () => import('../../../shared/i18n/en.json'),
  fr: () => import('../../../shared/i18n/fr.json'),
};

async function loadLanguage(language: Language): Promise<void> {
  if (i18next.hasResourceBundle(language, 'translation')) return;
  const catalogue = await CATALOGUES[language]();
  i18next.addResourceBundle(language, 'translation', catalogue.default);
}

/** Switch the UI language and remember it. */
export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void loadLanguage(language).then(() => i18next.changeLanguage(language));
  document.documentElement.lang = language;
}

const initial = initialLanguage();
/** Settles once the first language's catalogue is in: main.tsx renders then (no flash of English). */
export const i18nReady: Promise<unknown> = i18next
  .use(initReactI18next)
  .init({
    resources: {},
    lng: 'en',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  })
  .then(() => Promise.allSettled([loadLanguage('en'), loadLanguage(initial)]))
  .then(() => (i18next.hasResourceBundle(initial, 'translation') ? i18next.changeLanguage(initial) : undefined))
  .catch(() => undefined)
  .finally(() => {
    document.documentElement.lang = i18next.language;
  });
document.documentElement.lang = initial;

export { i18next };
