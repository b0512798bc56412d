import type { ErrorInfo } from '../../shared/api';
import { msg, type Msg } from '../../shared/i18n/message';
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
      return errorInfo('disk-full', msg('error.fs.diskFull', { where }), error.path ? msg('error.fs.diskFullHint', { path: error.path }) : msg('error.fs.diskFullHintAny'));
    case 'EACCES':
    case 'EPERM':
      return errorInfo('permission', msg('error.fs.permission', { where }), msg('error.fs.permissionHint'));
    case 'EROFS':
      return errorInfo('read-only', msg('error.fs.readOnly', { where }), msg('error.fs.readOnlyHint'));
    case 'EMFILE':
    case 'ENFILE':
      return errorInfo('too-many-files', msg('error.fs.tooManyFiles'), msg('error.fs.tooManyFilesHint'));
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
  return errorInfo('internal', msg('error.internal', { message }), msg('error.internalHint'));
}
