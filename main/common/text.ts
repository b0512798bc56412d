// The catalogue as its text, parsed on the first message: most CLI runs print none (`vm list --json`),
// and parsing it (110 kB) and collecting what it allocates costs them several ms.
import enText from '../../shared/i18n/en.json?raw';
import { formatMessage, type Msg } from '../../shared/i18n/message';

let en: Record<string, unknown> | undefined;

/** A message's English text, for the CLI, logs and the English fields the UI falls back on. */
export function english(message: Msg): string {
  en ??= JSON.parse(enText) as Record<string, unknown>;
  return formatMessage(en, 'en', message);
}
