import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../../../shared/i18n/en.json';
import fr from '../../../shared/i18n/fr.json';
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

/** Switch the UI language and remember it. */
export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18next.language;

export { i18next };
