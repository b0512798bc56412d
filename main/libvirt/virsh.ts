import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { run, spawnStreaming, type RunError, type StreamingChild, type StreamingOptions } from '../common/process';
import { classifyVirshFailure } from './virsh-errors';

export interface VirshOptions {
  /** The libvirt connection URI, e.g. qemu:///system. */
  uri: string;
  /** The virsh executable; a name looked up on PATH or an absolute path. */
  binary?: string;
  /** Default timeout of one call. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 32 * 1024 * 1024;

/**
 * The one way Vitrine runs virsh: an argv (never a shell), a timeout, and
 * stderr turned into a typed error that keeps virsh's `error: …` text.
 * Output is forced to the C locale so that parsers see English field names.
 */
export class Virsh {
  readonly uri: string;
  private readonly binary: string;
  private readonly timeoutMs: number;

  constructor(options: VirshOptions) {
    this.uri = options.uri;
    this.binary = options.binary ?? 'virsh';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The full argv for a virsh command on this connection. */
  argv(args: readonly string[], quiet = true): string[] {
    return [...(quiet ? ['--quiet'] : []), '--connect', this.uri, ...args];
  }

  /** Run one virsh command and resolve with its stdout. */
  async run(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const ran = await this.runAll(args, args[0] ?? '', options);
    if (ran.code !== 0) throw classifyVirshFailure(this.uri, args, ran.stderr, ran.code);
    return ran.stdout;
  }

  /**
   * Run several virsh commands in ONE process (one start, one connection):
   * `commands` is virsh's own command line, `a --domain 'x'; echo SEP; b …`
   * (each argument through virshQuote). virsh runs every command even after
   * one fails and exits with the last one's status, so the caller reads the
   * outcome from the output; what could not run at all (no virsh, the
   * timeout) throws as run() does, named after `command`.
   */
  runBatch(commands: string, command: string, options: { timeoutMs?: number; quiet?: boolean } = {}): Promise<BatchResult> {
    return this.runAll([commands], command, options);
  }

  private async runAll(args: readonly string[], command: string, options: { timeoutMs?: number; quiet?: boolean }): Promise<BatchResult> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    try {
      const { stdout, stderr } = await run(this.binary, this.argv(args, options.quiet ?? true), { env: virshEnv(), timeoutMs: timeout, maxBuffer: MAX_OUTPUT, killSignal: 'SIGKILL' });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const err = error as RunError;
      if (err.code === 'ENOENT') throw virshMissing(this.binary);
      if (err.killed) {
        throw VitrineError.of(
          'timeout',
          msg('error.libvirt.timeout', { command, uri: this.uri, seconds: String(Math.round(timeout / 1000)) }),
          msg('error.libvirt.timeoutHint'),
          err.stderr.trim(),
        );
      }
      return { stdout: err.stdout, stderr: err.stderr, code: typeof err.code === 'number' ? err.code : null };
    }
  }

  /** Start a long-running virsh command (e.g. `event --loop`) with its output streamed to the caller. */
  stream(args: readonly string[], options: Pick<StreamingOptions, 'onLine' | 'onOutput'> = {}): StreamingChild {
    return spawnStreaming(this.binary, this.argv(args), { ...options, env: virshEnv(), stdin: 'pipe', endWithProcess: true });
  }
}

/** What a virsh run printed, and its exit code (null: it ended without one, by a signal or an I/O error). */
export interface BatchResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * One argument for virsh's own command line (the one argument of a batch):
 * its parser reads '…' as the shell does, every character itself up to the
 * next quote, so a quote inside becomes '\'' (close, escaped quote, reopen).
 * Newlines are refused: inside quotes virsh keeps them, but no name or path
 * Vitrine passes holds one, and a caller meets that case by not batching.
 */
export function virshQuote(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new Error('virshQuote: an argument with a line break or NUL cannot go on virsh\'s command line');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one command of virsh's command line: command and option words as they are, every other argument quoted. */
export const virshCommand = (args: readonly string[]): string => args.map((arg) => (/^(--)?[a-z][a-z-]*$/.test(arg) ? arg : virshQuote(arg))).join(' ');

/** The error for a missing virsh, with the package to install per distribution family. */
export function virshMissing(binary: string): VitrineError {
  return VitrineError.of('virsh-missing', msg('error.libvirt.virshMissing', { binary }), msg('error.libvirt.virshMissingHint'));
}

function virshEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '' };
}
