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
  argv(args: readonly string[]): string[] {
    return ['--quiet', '--connect', this.uri, ...args];
  }

  /** Run one virsh command and resolve with its stdout. */
  async run(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    try {
      return (await run(this.binary, this.argv(args), { env: virshEnv(), timeoutMs: timeout, maxBuffer: MAX_OUTPUT, killSignal: 'SIGKILL' })).stdout;
    } catch (error) {
      const err = error as RunError;
      if (err.code === 'ENOENT') throw virshMissing(this.binary);
      if (err.killed) {
        throw VitrineError.of(
          'timeout',
          msg('error.libvirt.timeout', { command: args[0] ?? '', uri: this.uri, seconds: String(Math.round(timeout / 1000)) }),
          msg('error.libvirt.timeoutHint'),
          err.stderr.trim(),
        );
      }
      throw classifyVirshFailure(this.uri, args, err.stderr, typeof err.code === 'number' ? err.code : null);
    }
  }

  /** Start a long-running virsh command (e.g. `event --loop`) with its output streamed to the caller. */
  stream(args: readonly string[], options: Pick<StreamingOptions, 'onLine' | 'onOutput'> = {}): StreamingChild {
    return spawnStreaming(this.binary, this.argv(args), { ...options, env: virshEnv(), stdin: 'pipe', endWithProcess: true });
  }
}

/** The error for a missing virsh, with the package to install per distribution family. */
export function virshMissing(binary: string): VitrineError {
  return VitrineError.of('virsh-missing', msg('error.libvirt.virshMissing', { binary }), msg('error.libvirt.virshMissingHint'));
}

function virshEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '' };
}
