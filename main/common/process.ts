// The one module of main/ that starts processes (eslint.config.mjs allows
// node:child_process only here and in the root helper): every program runs
// from an argv, never through a shell.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A failed run: the error with the program's stdout and stderr kept, `code`
 * its exit code (or an errno string such as 'ENOENT' when it could not be
 * started), `killed` true when the timeout ended it.
 */
export type RunError = Error & {
  code?: string | number | null;
  errno?: number;
  syscall?: string;
  path?: string;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};

export interface RunOptions {
  /** Kill the program (with killSignal) after this long. */
  timeoutMs: number;
  /** The environment (default: this process's); the C locale is always set over it. */
  env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  /** Most bytes of stdout or stderr kept; more fails the run (default 16 MiB). */
  maxBuffer?: number;
  /** The signal the timeout sends (default SIGTERM). */
  killSignal?: NodeJS.Signals;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** An environment with the C locale, so that parsers see English, untranslated output. */
export function cLocale(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, LC_ALL: 'C' };
}

/**
 * Run a program with an argv (never a shell), in the C locale, and resolve
 * with its output; a failure (a non-zero exit, the timeout, ENOENT) rejects
 * with a RunError that keeps stdout and stderr.
 */
export function run(file: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      argv,
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
        encoding: 'utf8',
        env: cLocale(options.env),
        ...(options.killSignal ? { killSignal: options.killSignal } : {}),
      },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout: String(stdout), stderr: String(stderr) }) as RunError);
        else resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined); // the program may exit without reading it
      child.stdin?.end(options.input);
    }
  });
}

/**
 * Run a program and resolve with its stdout. For the one-off tools around
 * libvirt (qemu-img, journalctl, dmesg, xrandr); virsh has its own runner with
 * typed errors on top of run() (libvirt/virsh.ts).
 */
export function runFile(file: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return run(file, args, { timeoutMs }).then((result) => result.stdout);
}

/**
 * Start a program that outlives Vitrine (a viewer window the user owns):
 * detached, its output ignored. Resolves once it started; rejects (ENOENT,
 * EACCES) when it could not be.
 */
export function spawnDetached(file: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ pid: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { detached: true, stdio: 'ignore', env: options.env ?? process.env });
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      child.on('error', () => undefined);
      child.unref();
      resolve({ pid: child.pid ?? null });
    });
  });
}

/** How a streamed child ended: its exit code or signal, or why it could not start. */
export interface StreamingExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started (ENOENT, EACCES): code and signal are then null. */
  error: NodeJS.ErrnoException | null;
}

export interface StreamingOptions {
  /** The environment, as given (default: this process's; no locale is forced). */
  env?: NodeJS.ProcessEnv;
  /** Each chunk of output as it comes (UTF-8 text), with the stream it came on. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Each line of output (split as node:readline does; a last unterminated line comes at the end). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * 'pipe' (default): output goes to onOutput/onLine; 'inherit': the child
   * shares this process's terminal (the CLI's `start` runs Electron so).
   */
  stdio?: 'pipe' | 'inherit';
  /** With stdio 'pipe': stdin left open but unused ('pipe', as virsh has always had it) or /dev/null ('ignore', the default). */
  stdin?: 'pipe' | 'ignore';
  /**
   * End the child (SIGTERM) when this process exits, whatever the way out
   * (a normal exit, process.exit, an uncaught error), and — on Linux, through
   * util-linux's `setpriv --pdeathsig KILL` when it is installed — even when
   * this process is killed outright (SIGKILL, a crash): for watchers such as
   * `virsh event --loop` that nobody else would stop.
   */
  endWithProcess?: boolean;
}

/** An executable file's absolute path, looked up on PATH as exec would; null when there is none. */
function findExecutable(file: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = file.includes('/') ? [file] : (env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, file));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

let setprivPath: string | null | undefined;

/**
 * The argv that makes the kernel SIGKILL the child when this process dies,
 * however it dies: `setpriv --pdeathsig KILL -- PROGRAM ARGS` (setpriv sets
 * PR_SET_PDEATHSIG, then execs the program in the same process, which keeps
 * it). PDEATHSIG follows the *thread* that spawned the child: spawnStreaming
 * runs on the JavaScript main thread, whose end is the process's end (do not
 * call it from a worker_thread). Without setpriv (not Linux, no util-linux),
 * or when the program is not found (so that the spawn still fails with
 * ENOENT as before), the program is started as is and only the exit hook
 * below ends it.
 */
function withParentDeathSignal(file: string, argv: readonly string[], env: NodeJS.ProcessEnv): [string, readonly string[]] {
  if (process.platform !== 'linux') return [file, argv];
  setprivPath ??= findExecutable('setpriv', { PATH: `${process.env['PATH'] ?? ''}${delimiter}/usr/bin${delimiter}/bin` });
  const program = findExecutable(file, env);
  if (!setprivPath || !program) return [file, argv];
  return [setprivPath, ['--pdeathsig', 'KILL', '--', program, ...argv]];
}

const endWithProcess = new Set<ChildProcess>();
let exitHookInstalled = false;

function endOnExit(child: ChildProcess): void {
  endWithProcess.add(child);
  child.once('close', () => endWithProcess.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const running of endWithProcess) running.kill('SIGTERM');
  });
}

/** A running child whose output is streamed; it can be killed and awaited. */
export interface StreamingChild {
  /** Its process id (null if it could not be started). */
  readonly pid: number | null;
  /** Send a signal (default SIGTERM); false when it has already ended. */
  kill(signal?: NodeJS.Signals): boolean;
  /** Settles once it ended and its output was all delivered; never rejects. */
  readonly exited: Promise<StreamingExit>;
}

/**
 * Start a long-running program and stream its output: `virsh event --loop`,
 * looking-glass-client under its supervisor, the root helper's run. A spawn
 * failure is not thrown: it ends the child with `exited.error` set.
 */
export function spawnStreaming(file: string, argv: readonly string[], options: StreamingOptions = {}): StreamingChild {
  const inherit = options.stdio === 'inherit';
  const env = options.env ?? process.env;
  const [command, args] = options.endWithProcess ? withParentDeathSignal(file, argv, env) : [file, argv];
  const child: ChildProcess = spawn(command, args, { env, stdio: inherit ? 'inherit' : [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  if (!inherit) {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      stream.setEncoding('utf8');
      const { onOutput, onLine } = options;
      if (onOutput) stream.on('data', (chunk: string) => onOutput(chunk, name));
      if (onLine) createInterface({ input: stream }).on('line', (line) => onLine(line, name));
      if (!onOutput && !onLine) stream.resume();
    }
  }
  if (options.endWithProcess) endOnExit(child);
  let spawnError: NodeJS.ErrnoException | null = null;
  child.on('error', (error: NodeJS.ErrnoException) => {
    // A spawn failure (ENOENT, EACCES): 'close' follows.
    spawnError ??= error;
  });
  const exited = new Promise<StreamingExit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, error: spawnError }));
  });
  return {
    pid: child.pid ?? null,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => child.kill(signal),
    exited,
  };
}

/** What a program started ahead (startWaiting) printed from its start to its end, and how it ended. */
export interface WaitingResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The timeout ended it (SIGKILL). */
  killed: boolean;
  /** It printed more than maxBuffer on a stream and was ended (SIGKILL). */
  overflow: boolean;
}

/** A program started ahead of the moment it is needed, waiting for its input. */
export interface WaitingChild {
  /** Its process id (null if it could not be started). */
  readonly pid: number | null;
  /** False once it ended, could not start, or was used: use() would only fail. */
  readonly alive: boolean;
  /**
   * Write `input` to its stdin, close it, and resolve once the program ended
   * with all it printed (before the input too); the timeout kills it
   * (`killed`). Once only; never rejects.
   */
  use(input: string, timeoutMs: number): Promise<WaitingResult>;
  /** End it unused (SIGTERM). */
  kill(): void;
}

/**
 * Start a program that reads what to do on stdin and ends at its end — the
 * app's ready virsh (libvirt/virsh.ts), started and connected before a read
 * needs it. Its output is kept from the start (bounded by maxBuffer), so that
 * use() sees everything, an early complaint included. If this process dies
 * first, the program sees its stdin end, which ends it.
 */
export function startWaiting(file: string, argv: readonly string[], options: { env: NodeJS.ProcessEnv; maxBuffer: number }): WaitingChild {
  const child = spawn(file, argv, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  let ended = false;
  let used = false;
  let killed = false;
  let overflow = false;
  child.on('error', () => undefined); // a spawn failure (ENOENT): 'close' follows
  child.stdin?.on('error', () => undefined); // it may end without reading
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]?.setEncoding('utf8');
    child[name]?.on('data', (chunk: string) => {
      out[name] += chunk;
      if (out[name].length > options.maxBuffer && !overflow) {
        overflow = true;
        child.kill('SIGKILL');
      }
    });
  }
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid ?? null,
    get alive() {
      return !ended && !used && child.pid !== undefined;
    },
    use: async (input, timeoutMs) => {
      used = true;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdin?.end(input);
      const { code, signal } = await closed;
      clearTimeout(timer);
      return { ...out, code, signal, killed, overflow };
    },
    kill: () => {
      used = true;
      if (!ended) child.kill('SIGTERM');
    },
  };
}
