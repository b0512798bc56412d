// ONE virsh process for a whole Play: virsh's interactive shell, fed its
// commands on stdin one request at a time. It starts and connects once, as
// the CLI begins (before the services load), reads the domain, waits while
// the checks run in node, then starts the domain and reads its live XML on
// the same connection. Light on purpose, like batch.ts.
//
// Framing. With a pipe on stdin virsh still runs readline: it prints its
// prompt and echoes each line it reads to stdout (long lines redrawn with
// \r), before that line's output. So each request is written as ONE line,
//   echo /vitrine-<nonce>-'b'-N/; COMMANDS; echo /vitrine-<nonce>-'e'-N/
// and its output is what lies between `/vitrine-<nonce>-b-N/` and
// `/vitrine-<nonce>-e-N/`: the quotes keep the echoed line from holding the
// markers as virsh prints them, and the random nonce keeps a domain's own
// text (an XML description) from holding them. virsh flushes stdout after
// each command; with --quiet it adds no line end after a command's output,
// so a request's output is byte for byte what the same commands print in a
// one-shot `virsh --quiet` batch. stderr carries no marker: virsh writes a
// command's errors before it runs the next command, so what stderr held when
// the end marker is read (one more turn of the event loop lets a chunk read
// in the same poll arrive) is the request's. readline would edit a line with
// control characters (a tab completes, ^A moves…): such a name is refused
// (sessionLine returns null) and the caller runs virsh once, as before.
import { randomBytes } from 'node:crypto';
import { spawnPiped, type PipedChild } from '../common/process';
import type { BatchResult } from './virsh';

/** What the caller gets for a request the process could not run (it ended, or the request timed out). */
export class SessionEnded extends Error {
  constructor(
    readonly why: 'ended' | 'timeout',
    /** What virsh printed for this request before it ended (code: its exit status, null for a signal). */
    readonly partial: BatchResult,
  ) {
    super(why === 'timeout' ? 'virsh session: the request timed out' : 'virsh session: virsh ended before the request was done');
  }
}

/** A virsh command line (batch()'s) that readline passes unchanged; control characters would be edited as keys. */
export const sessionSafe = (commands: string): boolean => ![...commands].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * The markers around request `n` as written (quoted) and as printed. Exported
 * for the tests; `nonce` is hex.
 */
export function markers(nonce: string, n: number): { line: (commands: string) => string; begin: string; end: string } {
  return {
    line: (commands) => `echo /vitrine-${nonce}-'b'-${n}/; ${commands}; echo /vitrine-${nonce}-'e'-${n}/\n`,
    begin: `/vitrine-${nonce}-b-${n}/`,
    end: `/vitrine-${nonce}-e-${n}/`,
  };
}

interface Pending {
  n: number;
  resolve: (result: BatchResult) => void;
  reject: (error: SessionEnded) => void;
  timer: NodeJS.Timeout | null;
}

const open = new Set<VirshSession>();
let exitHook = false;

/**
 * virsh's shell on one connection. request() runs one command line (batch()'s
 * format) after the previous one finished; close() ends it (stdin's end:
 * virsh quits), kill() ends it at once. It ends with this process as well:
 * its stdin closes, and an exit hook kills what is left.
 */
export class VirshSession {
  private readonly child: PipedChild;
  private readonly nonce = randomBytes(6).toString('hex');
  private stdout = '';
  private stderr = '';
  private count = 0;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private exit: { code: number | null } | null = null;
  /** Settles once the process ended (never rejects). */
  readonly ended: Promise<void>;

  /** Spawn `binary [--quiet] --connect URI` with stdin a pipe; `error` (ENOENT…) ends it like an exit. */
  constructor(binary: string, argv: readonly string[], env: NodeJS.ProcessEnv, readonly timeoutMs = 30_000) {
    this.child = spawnPiped(binary, argv, { env });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.check();
    });
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    // A write after virsh ended (EPIPE) is seen as its end.
    this.child.stdin.on('error', () => undefined);
    this.ended = new Promise<void>((done) => {
      const ended = (code: number | null): void => {
        if (this.exit) return;
        this.exit = { code };
        open.delete(this);
        this.fail('ended');
        done();
      };
      this.child.on('error', () => ended(null));
      this.child.on('close', (code) => ended(code));
    });
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const session of open) void session.kill();
      });
    }
  }

  /** Whether virsh still runs. */
  get alive(): boolean {
    return this.exit === null;
  }

  /**
   * Run one command line (batch()'s: `a; echo SEP; b`) and resolve with its
   * output, the errors it printed, and code 0 (the shell gives no status per
   * command: the caller reads errors from stderr). Rejects with SessionEnded
   * when virsh ended first or `timeoutMs` passed (then virsh is killed).
   */
  request(commands: string, timeoutMs = this.timeoutMs): Promise<BatchResult> {
    const next = this.queue.then(() => this.send(commands, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private send(commands: string, timeoutMs: number): Promise<BatchResult> {
    if (!sessionSafe(commands)) return Promise.reject(new Error('virsh session: a command line with control characters would be edited by readline'));
    if (this.exit) return Promise.reject(new SessionEnded('ended', { stdout: '', stderr: '', code: this.exit.code }));
    const n = ++this.count;
    // What is left of an earlier request (the prompt) is not this one's.
    this.stdout = '';
    this.stderr = '';
    return new Promise<BatchResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail('timeout');
        void this.kill();
      }, timeoutMs);
      this.pending = { n, resolve, reject, timer };
      this.child.stdin.write(markers(this.nonce, n).line(commands));
    });
  }

  /** Resolve the pending request once its end marker is in. */
  private check(): void {
    const p = this.pending;
    if (!p) return;
    const { begin, end } = markers(this.nonce, p.n);
    const from = this.stdout.indexOf(begin);
    const to = from < 0 ? -1 : this.stdout.indexOf(end, from + begin.length);
    if (to < 0) return;
    const stdout = this.stdout.slice(from + begin.length, to);
    this.pending = null;
    if (p.timer) clearTimeout(p.timer);
    // One more turn: a stderr chunk read in the same poll as the marker is delivered first.
    setImmediate(() => {
      const stderr = this.stderr;
      this.stderr = '';
      p.resolve({ stdout, stderr, code: 0 });
    });
  }

  private fail(why: 'ended' | 'timeout'): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (p.timer) clearTimeout(p.timer);
    const { begin } = markers(this.nonce, p.n);
    const from = this.stdout.indexOf(begin);
    const partial = { stdout: from < 0 ? '' : this.stdout.slice(from + begin.length), stderr: this.stderr, code: this.exit?.code ?? null };
    p.reject(new SessionEnded(why, partial));
  }

  /**
   * End the shell once the queued requests are done: stdin's end makes virsh
   * quit (it closes its connection); one that has not within `graceMs` is
   * killed. Resolves once it ended and was reaped, so that a caller about to
   * exit leaves no process behind, not even a zombie.
   */
  close(graceMs = 2000): Promise<void> {
    void this.queue.then(() => {
      this.child.stdin.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      void this.ended.then(() => clearTimeout(timer));
    });
    return this.ended;
  }

  /** End it now (SIGKILL: virsh's shell may catch the others); resolves once it ended. */
  kill(): Promise<void> {
    if (!this.exit) {
      this.child.stdin.destroy();
      this.child.kill('SIGKILL');
    }
    return this.ended;
  }
}
