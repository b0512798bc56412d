import { join } from 'node:path';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { run, spawnStreaming, startWaiting, type RunError, type StreamingChild, type StreamingOptions, type WaitingChild } from '../common/process';
import { randomHex } from '../common/random';
import { cacheDir } from '../common/xdg';
import { classifyVirshFailure } from './virsh-errors';

export interface VirshOptions {
  /** The libvirt connection URI, e.g. qemu:///system. */
  uri: string;
  /** The virsh executable; a name looked up on PATH or an absolute path. */
  binary?: string;
  /** Default timeout of one call. */
  timeoutMs?: number;
  /**
   * Keep one virsh started and connected for the next read (runReady):
   * for the app, which lives long and reads often; not for a one-shot CLI.
   */
  keepReady?: boolean;
}

/** What a run may be given. */
export interface VirshRunOptions {
  timeoutMs?: number;
  /**
   * Every command of the run only reads (dominfo, dumpxml, list…): it may go
   * to the ready virsh, and run again in a new one when that run was not clean.
   * Never for a command that changes anything.
   */
  reads?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 32 * 1024 * 1024;
/** How long virsh stays unused before a ready one is started: not while Play starts a VM and its client. */
const READY_AFTER_IDLE_MS = 1_000;

/**
 * The one way Vitrine runs virsh: an argv (never a shell), a timeout, and
 * stderr turned into a typed error that keeps virsh's `error: …` text.
 * Output is forced to the C locale so that parsers see English field names.
 */
export class Virsh {
  readonly uri: string;
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly keepReady: boolean;
  private ready: WaitingChild | null = null;
  private readyTimer: NodeJS.Timeout | null = null;
  private running = 0;
  private closed = false;
  /** Reads the ready virsh answered, and those it did not answer cleanly (run again in a virsh of their own). */
  readonly readyReads = { answered: 0, declined: 0 };

  constructor(options: VirshOptions) {
    this.uri = options.uri;
    this.binary = options.binary ?? 'virsh';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.keepReady = options.keepReady ?? false;
  }

  /** The full argv for a virsh command on this connection. */
  argv(args: readonly string[], quiet = true): string[] {
    return [...(quiet ? ['--quiet'] : []), '--connect', this.uri, ...args];
  }

  /** Run one virsh command and resolve with its stdout. */
  async run(args: readonly string[], options: VirshRunOptions = {}): Promise<string> {
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
  runBatch(commands: string, command: string, options: VirshRunOptions & { quiet?: boolean } = {}): Promise<BatchResult> {
    return this.runAll([commands], command, options);
  }

  private async runAll(args: readonly string[], command: string, options: VirshRunOptions & { quiet?: boolean }): Promise<BatchResult> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    const quiet = options.quiet ?? true;
    this.running++;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    try {
      const fast = options.reads && quiet && this.keepReady ? await this.runReady(args, command, timeout) : null;
      if (fast) return fast;
      const { stdout, stderr } = await run(this.binary, this.argv(args, quiet), { env: virshEnv(), timeoutMs: timeout, maxBuffer: MAX_OUTPUT, killSignal: 'SIGKILL' });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      if (error instanceof VitrineError) throw error;
      const err = error as RunError;
      if (err.code === 'ENOENT') throw virshMissing(this.binary);
      if (err.killed) throw this.timedOut(command, timeout, err.stderr);
      return { stdout: err.stdout, stderr: err.stderr, code: typeof err.code === 'number' ? err.code : null };
    } finally {
      if (--this.running === 0) this.readyLater();
    }
  }

  /**
   * A read run by the ready virsh, between two markers it echoes: what it
   * printed between them is what a virsh of its own would have printed. Null
   * (the caller runs a virsh of its own, which gives libvirt's own error, if
   * any) unless that run was clean: no ready virsh, a line readline could
   * read otherwise than virsh's parser (anything but printable ASCII), any
   * text on stderr (an error, "Reconnected to the hypervisor" after a daemon
   * restart), a marker missing, a non-zero exit.
   */
  private async runReady(args: readonly string[], command: string, timeout: number): Promise<BatchResult | null> {
    const line = args.length === 1 ? args[0]! : virshCommand(args);
    if (!/^[\x20-\x7e]*$/.test(line) || !this.ready?.alive) return null;
    const ready = this.ready;
    this.ready = null;
    const mark = randomHex(9);
    // Quoted in two halves: the line as typed (which readline may echo on stdout) never holds a whole marker.
    const [begin, end] = [`vitrine-${mark}-begin`, `vitrine-${mark}-end`];
    const ran = await ready.use(`echo 'vitrine-''${mark}-begin'; ${line}; echo 'vitrine-''${mark}-end'\n`, timeout);
    if (ran.killed) throw this.timedOut(command, timeout, ran.stderr);
    const from = ran.stdout.indexOf(begin);
    const to = ran.stdout.lastIndexOf(end);
    if (ran.code !== 0 || ran.overflow || ran.stderr !== '' || from < 0 || to < from + begin.length) {
      this.readyReads.declined++;
      return null;
    }
    this.readyReads.answered++;
    return { stdout: ran.stdout.slice(from + begin.length, to), stderr: '', code: 0 };
  }

  /** Start the ready virsh once virsh has been unused for a moment (the first read runs without one). */
  private readyLater(): void {
    if (!this.keepReady || this.closed || this.ready?.alive || this.readyTimer) return;
    this.readyTimer = setTimeout(() => {
      this.readyTimer = null;
      if (this.closed || this.running > 0 || this.ready?.alive) return;
      this.ready?.kill();
      this.ready = startWaiting(this.binary, this.argv([]), { env: readyEnv(), maxBuffer: MAX_OUTPUT });
    }, READY_AFTER_IDLE_MS);
    this.readyTimer.unref();
  }

  /** The ready virsh's process id, while one waits. */
  get readyPid(): number | null {
    return this.ready?.alive ? this.ready.pid : null;
  }

  /** End the ready virsh and start no other (the app closes). */
  close(): void {
    this.closed = true;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.ready?.kill();
    this.ready = null;
  }

  private timedOut(command: string, timeout: number, stderr: string): VitrineError {
    return VitrineError.of(
      'timeout',
      msg('error.libvirt.timeout', { command, uri: this.uri, seconds: String(Math.round(timeout / 1000)) }),
      msg('error.libvirt.timeoutHint'),
      stderr.trim(),
    );
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

/**
 * The ready virsh reads its line through readline, as an interactive virsh
 * does: no ~/.inputrc of the user's (key bindings), no terminal to drive;
 * its history goes to Vitrine's cache, emptied (the user's own virsh history
 * is neither read nor rewritten); and it never starts a session daemon (with
 * that cache in its environment): when none runs, it ends and reads run as
 * before.
 */
function readyEnv(): NodeJS.ProcessEnv {
  return { ...virshEnv(), INPUTRC: '/dev/null', TERM: 'dumb', XDG_CACHE_HOME: join(cacheDir(), 'virsh'), VIRSH_HISTSIZE: '0', LIBVIRT_AUTOSTART: '0' };
}
