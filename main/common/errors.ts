import type { ErrorInfo } from '../../shared/api';
import type { Msg } from '../../shared/i18n/message';
import { english } from './text';

/**
 * An error that carries what the UI needs to explain it: `{ kind, message, hint }`,
 * and, when made with `VitrineError.of`, the message and hint as catalogue keys
 * so the UI shows them in the user's language (the English stays for the CLI).
 */
export class VitrineError extends Error implements ErrorInfo {
  readonly kind: string;
  readonly hint: string;
  readonly detail?: string;
  readonly msg?: { message: Msg; hint: Msg };

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'VitrineError';
    this.kind = info.kind;
    this.hint = info.hint;
    if (info.detail !== undefined) this.detail = info.detail;
    if (info.msg !== undefined) this.msg = info.msg;
  }

  /** An error from catalogue messages: the English for message and hint, the keys for the UI. */
  static of(kind: string, message: Msg, hint: Msg, detail?: string): VitrineError {
    return new VitrineError({ kind, message: english(message), hint: english(hint), msg: { message, hint }, ...(detail !== undefined ? { detail } : {}) });
  }

  toInfo(): ErrorInfo {
    return { kind: this.kind, message: this.message, hint: this.hint, ...(this.detail ? { detail: this.detail } : {}), ...(this.msg ? { msg: this.msg } : {}) };
  }
}

/** An ErrorInfo from catalogue messages (for values that are returned, not thrown). */
export function errorInfo(kind: string, message: Msg, hint: Msg, detail?: string): ErrorInfo {
  return VitrineError.of(kind, message, hint, detail).toInfo();
}

/** File system failures a user can fix, by errno code: what happened, and what to do. */
function fileSystemError(error: NodeJS.ErrnoException): ErrorInfo | null {
  const where = error.path ? ` (${error.path})` : '';
  switch (error.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        kind: 'disk-full',
        message: `The disk is full${where}: Vitrine could not write its file, and left the old one as it was.`,
        hint: `Free some space on the file system that holds ${error.path ?? 'it'} (df -h shows which), then try again.`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        kind: 'permission',
        message: `Vitrine may not write or read there${where}.`,
        hint: 'Check the owner and mode of that file and its folder: Vitrine\'s own files belong to you.',
      };
    case 'EROFS':
      return { kind: 'read-only', message: `The file system is read-only${where}.`, hint: 'Remount it read-write, or choose another place.' };
    case 'EMFILE':
    case 'ENFILE':
      return { kind: 'too-many-files', message: 'Too many files are open on this system.', hint: 'Close some programs, then try again.' };
    default:
      return null;
  }
}

/** Turn anything thrown into an ErrorInfo; unexpected errors keep their message, never a stack. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof VitrineError) return error.toInfo();
  const known = error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' ? fileSystemError(error as NodeJS.ErrnoException) : null;
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'internal',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in Vitrine. Please report it with the steps that led here.',
  };
}
