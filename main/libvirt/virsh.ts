import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { VitrineError } from '../common/errors';
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
  run(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        this.argv(args),
        { env: virshEnv(), timeout, maxBuffer: MAX_OUTPUT, encoding: 'utf8', killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          if (!error) {
            resolve(stdout);
            return;
          }
          const err = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null };
          if (err.code === 'ENOENT') {
            reject(virshMissing(this.binary));
          } else if (err.killed) {
            reject(
              new VitrineError({
                kind: 'timeout',
                message: `virsh ${args[0] ?? ''} on '${this.uri}' did not answer within ${Math.round(timeout / 1000)} s.`,
                hint: 'Check that the libvirt daemon is responsive (virsh --connect URI version), then try again.',
                detail: stderr.trim(),
              }),
            );
          } else {
            reject(classifyVirshFailure(this.uri, args, stderr, typeof err.code === 'number' ? err.code : null));
          }
        },
      );
    });
  }

  /** Start a long-running virsh command (e.g. `event --loop`); the caller reads its streams. */
  spawn(args: readonly string[]): ChildProcessWithoutNullStreams {
    return spawn(this.binary, this.argv(args), { env: virshEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  }
}

/** The error for a missing virsh, with the package to install per distribution family. */
export function virshMissing(binary: string): VitrineError {
  return new VitrineError({
    kind: 'virsh-missing',
    message: `The libvirt client '${binary}' was not found.`,
    hint: "Install libvirt's command-line client: libvirt-clients (Debian, Ubuntu), libvirt-client (Fedora), libvirt (Arch).",
  });
}

function virshEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: '' };
}
