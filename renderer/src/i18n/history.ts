import type { TFunction } from 'i18next';

/**
 * Why a definition was replaced, in words: the history keeps what main wrote
 * (`edit attachPci, shmemMiB`, `create`, `restore ID`, the CLI's `vm xml …`),
 * the page says which settings changed in the user's language.
 */
export function historyReason(t: TFunction, reason: string): string {
  const edit = /^edit (.+)$/.exec(reason) ?? /^vm xml --file (.+)$/.exec(reason);
  if (edit) {
    const names = edit[1]!.split(', ').filter((n) => n !== 'as read');
    if (names.length === 0) return t('history.xml');
    return t('history.edit', { what: names.map((n) => t(`history.what.${n}`, { defaultValue: t('history.what.other') })).filter((v, i, all) => all.indexOf(v) === i).join(', ') });
  }
  if (reason === 'create') return t('history.create');
  if (reason.startsWith('restore ')) return t('history.restore');
  return t('history.other');
}
