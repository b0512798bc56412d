import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo, Msg } from '../../../shared/api';
import { isMsg, type MsgValue } from '../../../shared/i18n/message';

/** A service's message in the UI's language: nested messages first, `count` kept a number for plural rules. */
export function translateMsg(t: TFunction, message: Msg): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.params ?? {})) values[name] = valueOf(t, value);
  return t(message.key, values);
}

function valueOf(t: TFunction, value: MsgValue): string | number {
  if (Array.isArray(value)) return value.map((m) => translateMsg(t, m)).join(' ');
  if (isMsg(value)) return translateMsg(t, value);
  return value;
}

/** `tm(msg, english)`: the message translated, or the English a service sent when it has no key. */
export function useMsg() {
  const { t } = useTranslation();
  return (message: Msg | null | undefined, fallback: string): string => (message ? translateMsg(t, message) : fallback);
}

/** An error's message and hint in the UI's language (the English when the service gave no key). */
export function useErrorText() {
  const tm = useMsg();
  return (error: ErrorInfo) => ({ message: tm(error.msg?.message, error.message), hint: tm(error.msg?.hint, error.hint) });
}
