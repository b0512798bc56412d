import en from '../../shared/i18n/en.json';
import fr from '../../shared/i18n/fr.json';

/**
 * Texts the main process shows itself (tray menu, notifications), from the
 * renderer's catalogues so there is one translation of everything.
 */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

const CATALOGUES = { en, fr } as const;

/** A translate function for a language (English when unknown), `{{name}}` interpolated. */
export function translator(language: string | null | undefined): Translate {
  const catalogue = CATALOGUES[language === 'fr' ? 'fr' : 'en'] as unknown as Record<string, unknown>;
  const fallback = CATALOGUES.en as unknown as Record<string, unknown>;
  const lookup = (root: Record<string, unknown>, key: string): string | null => {
    let node: unknown = root;
    for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    return typeof node === 'string' ? node : null;
  };
  return (key, values = {}) => (lookup(catalogue, key) ?? lookup(fallback, key) ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** The language for the main process: the setting, else the desktop's locale. */
export function systemLanguage(setting: string | null, env: NodeJS.ProcessEnv = process.env): 'en' | 'fr' {
  if (setting === 'en' || setting === 'fr') return setting;
  const locale = env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'] || '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
