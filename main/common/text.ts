import en from '../../shared/i18n/en.json';
import { formatMessage, type Msg } from '../../shared/i18n/message';

/** A message's English text, for the CLI, logs and the English fields the UI falls back on. */
export function english(message: Msg): string {
  return formatMessage(en as unknown as Record<string, unknown>, 'en', message);
}
