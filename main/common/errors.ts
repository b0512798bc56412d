import type { ErrorInfo } from '../../shared/api';

/** An error that carries what the UI needs to explain it: `{ kind, message, hint }`. */
export class VitrineError extends Error implements ErrorInfo {
  readonly kind: string;
  readonly hint: string;
  readonly detail?: string;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'VitrineError';
    this.kind = info.kind;
    this.hint = info.hint;
    if (info.detail !== undefined) this.detail = info.detail;
  }

  toInfo(): ErrorInfo {
    return { kind: this.kind, message: this.message, hint: this.hint, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** Turn anything thrown into an ErrorInfo; unexpected errors keep their message, never a stack. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof VitrineError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'internal',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in Vitrine. Please report it with the steps that led here.',
  };
}
