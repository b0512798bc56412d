import { mismatchAdviceMsg } from '../../shared/lg-release';
import { msg, type Msg } from '../../shared/i18n/message';
import { english } from '../common/text';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LgStatus } from '../../shared/api';
import { spawnStreaming, type StreamingChild } from '../common/process';
import { classifyLine } from './classify';

/** A status sentence in both forms: the English, and the keys the UI translates. */
export const said = (message: Msg): Pick<LgStatus, 'message' | 'messageMsg'> => ({ message: english(message), messageMsg: message });

export interface SupervisorOptions {
  vm: string;
  command: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Waits before each restart after a crash; the last one repeats. */
  backoffMs?: number[];
  /** Crashes in a row after which it gives up. */
  maxRestarts?: number;
  /** Running this long resets the crash count. */
  stableAfterMs?: number;
  /** Where the client's output of this run goes (for the troubleshooter). */
  logFile?: string;
  onStatus: (status: LgStatus) => void;
  /** The user closed the window (the client exited by itself, cleanly). */
  onUserClose?: () => void;
}

const DEFAULT_BACKOFF = [1000, 2000, 4000, 8000, 16000];
const KILL_AFTER_MS = 3000;

/**
 * Runs one VM's looking-glass-client and keeps it running: a crash (a signal,
 * or a failing exit without a known fatal message) restarts it after a
 * growing wait; a clean exit means the user closed the window and is not
 * restarted; a fatal message (memory missing, no permission, no display) is
 * reported and not retried, since retrying cannot fix it; `stop()` ends it
 * for good. Every change is reported as an LgStatus.
 */
export class ClientSupervisor {
  private child: StreamingChild | null = null;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private log: WriteStream | null = null;
  private fatalSeen = false;
  private current: LgStatus;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {
    this.current = { vm: options.vm, state: 'starting', release: null, message: 'Starting Looking Glass.', problem: null, ask: false, restarts: 0, pid: null };
  }

  status(): LgStatus {
    return { ...this.current };
  }

  /** Whether it is (or will soon be, after a backoff) running. */
  get active(): boolean {
    return !this.stopping && (this.child !== null || this.timer !== null);
  }

  async start(): Promise<void> {
    if (this.options.logFile) {
      await mkdir(dirname(this.options.logFile), { recursive: true, mode: 0o700 });
      this.log = createWriteStream(this.options.logFile, { flags: 'w', mode: 0o600 });
    }
    this.launch();
  }

  private update(patch: Partial<LgStatus>): void {
    this.current = { ...this.current, ...patch };
    this.options.onStatus(this.status());
  }

  private launch(): void {
    this.timer = null;
    this.fatalSeen = false;
    const onLine = (line: string): void => {
      this.log?.write(`${line}\n`);
      const meaning = classifyLine(line);
      if (meaning.fatal) this.fatalSeen = true;
      const patch: Partial<LgStatus> = {};
      if (meaning.release) patch.release = meaning.release;
      if (meaning.state && !this.stopping) patch.state = meaning.state;
      if (meaning.problem) patch.problem = meaning.problem;
      if (meaning.message) Object.assign(patch, { message: meaning.message, messageMsg: meaning.messageMsg });
      // A release mismatch: the banner said which release this client is, so name the Windows package that matches it.
      if (meaning.problem === 'lg-version-mismatch' && meaning.messageMsg && this.current.release) Object.assign(patch, said(msg('lgStatus.mismatch', { said: meaning.messageMsg, advice: mismatchAdviceMsg(this.current.release) })));
      if (Object.keys(patch).length > 0) this.update(patch);
    };
    const child = spawnStreaming(this.options.command, this.options.argv, { env: this.options.env ?? process.env, onLine });
    this.child = child;
    this.update({ state: this.current.restarts > 0 ? 'restarting' : 'starting', pid: child.pid, problem: null, ...said(msg('lgStatus.starting')) });
    this.stableTimer = setTimeout(() => {
      if (this.child === child) this.current.restarts = 0;
    }, this.options.stableAfterMs ?? 60_000);
    this.exited = child.exited.then(({ code, signal, error }) => {
      if (error) {
        // spawn failed (ENOENT, EACCES).
        this.fatalSeen = true;
        Object.assign(this.current, said(msg('lgStatus.notStarted', { said: error.code ?? error.message })));
      }
      if (this.stableTimer) clearTimeout(this.stableTimer);
      this.child = null;
      this.onExit(code, signal);
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) {
      this.update({ state: 'stopped', pid: null, ...said(msg('lgStatus.closed')) });
      return this.closeLog();
    }
    if (this.fatalSeen) {
      this.update({ state: 'failed', pid: null });
      return this.closeLog();
    }
    if (code === 0) {
      this.update({ state: 'closed', pid: null, ...said(msg('lgStatus.windowClosed')) });
      this.closeLog();
      this.options.onUserClose?.();
      return;
    }
    const how = signal ? msg('lgStatus.killed', { signal }) : msg('lgStatus.exited', { code: String(code) });
    const restarts = this.current.restarts;
    if (restarts >= (this.options.maxRestarts ?? 5)) {
      this.update({ state: 'failed', pid: null, ...said(msg('lgStatus.gaveUp', { how, count: restarts + 1 })) });
      return this.closeLog();
    }
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const wait = backoff[Math.min(restarts, backoff.length - 1)] ?? 1000;
    this.update({ state: 'restarting', pid: null, restarts: restarts + 1, ...said(msg('lgStatus.restarting', { how, seconds: String(Math.round(wait / 100) / 10) })) });
    this.log?.write(`--- vitrine: the client ${english(how)}; restarting in ${wait} ms ---\n`);
    this.timer = setTimeout(() => this.launch(), wait);
  }

  private closeLog(): void {
    this.log?.end();
    this.log = null;
  }

  /** Close the client for good (the VM stopped, or the user asked): SIGTERM, then SIGKILL. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.update({ state: 'stopped', pid: null, ...said(msg('lgStatus.closed')) });
      this.closeLog();
      return;
    }
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await this.exited;
    clearTimeout(kill);
  }
}
