import type { DomainState, DomainSummary, DomainsSnapshot, ErrorInfo } from '../../shared/api';
import { errorInfo, toErrorInfo } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { dequal } from 'dequal/lite';
import type { StreamingChild } from '../common/process';
import { getDomain, listDomains, sortDomains } from './domains';
import { parseEventLine } from './parse-event';
import { classifyVirshFailure, virshErrorLines } from './virsh-errors';
import { virshMissing, type Virsh } from './virsh';

export type SnapshotListener = (snapshot: DomainsSnapshot) => void;

export interface DomainWatcherOptions {
  /** Delays before each reconnect attempt; the last one repeats. */
  backoffMs?: readonly number[];
  /** How long after an event its confirming query waits (CONFIRM_DELAY_MS). */
  confirmDelayMs?: number;
}

const DEFAULT_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 15_000] as const;

/**
 * How long the query that confirms an event waits. Its virsh process would
 * otherwise start while the event's state is on its way to the UI and take
 * the CPU from it; and the events of one change come in bursts (a start is
 * Resumed then Started, tens of ms apart), whose last one alone needs asking.
 */
export const CONFIRM_DELAY_MS = 150;

/** The state a lifecycle event itself says the domain is now in (the others wait for the query). */
const STATE_OF_EVENT: Record<string, DomainState> = {
  Started: 'running',
  Resumed: 'running',
  Stopped: 'shut-off',
  Suspended: 'paused',
  PMSuspended: 'pmsuspended',
  Crashed: 'crashed',
};

/**
 * The live domain list. Fed by `virsh event --loop --all --timestamp` (one
 * line per event, see shared/reference/libvirt.md), never by polling: an
 * event publishes at once the state it carries (Started -> running, Stopped
 * -> shut off, …), then one dominfo of the domain it names confirms it
 * (CONFIRM_DELAY_MS later, one for a burst of events); a lost stream (daemon restarted,
 * socket closed) is reconnected with backoff and followed by a full listing,
 * since events may have been missed meanwhile. Runs only while subscribed.
 */
export class DomainWatcher {
  private readonly listeners = new Set<SnapshotListener>();
  private readonly backoffMs: readonly number[];
  private readonly confirmDelayMs: number;
  private current: DomainsSnapshot | null = null;
  private child: StreamingChild | null = null;
  private queue: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  /** Confirming queries not yet queued (see CONFIRM_DELAY_MS). */
  private readonly confirmTimers = new Set<NodeJS.Timeout>();
  private attempt = 0;
  private active = false;
  /** Events seen per domain: a query answered after a newer event is not published (the newer one's follows). */
  private readonly eventCount = new Map<string, number>();

  constructor(
    private readonly virsh: Virsh,
    options: DomainWatcherOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.confirmDelayMs = options.confirmDelayMs ?? CONFIRM_DELAY_MS;
  }

  /** Listen to the list; the listener gets the current list at once if there is one. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    if (this.current) listener(this.current);
    if (!this.active) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** The last list seen, or null before the first listing finished. */
  snapshot(): DomainsSnapshot | null {
    return this.current;
  }

  /** Stop the event stream and forget the subscribers (app shutdown). */
  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    this.active = true;
    this.connect();
  }

  private stop(): void {
    this.active = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const timer of this.confirmTimers) clearTimeout(timer);
    this.confirmTimers.clear();
    const child = this.child;
    this.child = null;
    child?.kill('SIGTERM');
  }

  private connect(): void {
    this.retryTimer = null;
    if (!this.active) return;
    let stderr = '';
    const child = this.virsh.stream(['event', '--loop', '--all', '--timestamp'], {
      onOutput: (chunk, stream) => {
        if (stream === 'stderr') stderr = (stderr + chunk).slice(-8192);
      },
      onLine: (line, stream) => {
        if (stream !== 'stdout') return;
        const event = parseEventLine(line);
        if (event?.type !== 'lifecycle') return;
        const seen = (this.eventCount.get(event.domain) ?? 0) + 1;
        this.eventCount.set(event.domain, seen);
        this.publishEventState(event.domain, event.event);
        const confirm = setTimeout(() => {
          this.confirmTimers.delete(confirm);
          this.enqueue(() => this.refreshOne(event.domain, seen));
        }, this.confirmDelayMs);
        this.confirmTimers.add(confirm);
      },
    });
    this.child = child;
    void child.exited.then(({ code, error }) => {
      if (this.child !== child) return; // stopped on purpose
      this.child = null;
      // A spawn failure (virsh missing) ends the stream with `error` set.
      this.publish({ domains: this.current?.domains ?? [], error: this.streamError(stderr, code, error) });
      this.scheduleReconnect();
    });
    // List after the stream is up, so that no change falls between the two.
    this.enqueue(() => this.refreshAll());
  }

  /** Why the event stream ended: could not connect, virsh missing, or the daemon went away. */
  private streamError(stderr: string, code: number | null, spawnError: NodeJS.ErrnoException | null): ErrorInfo {
    if (spawnError?.code === 'ENOENT') return virshMissing('virsh').toInfo();
    const classified = classifyVirshFailure(this.virsh.uri, ['event'], stderr, code);
    if (classified.kind === 'connect') return classified.toInfo();
    const last = virshErrorLines(stderr).at(-1);
    const message = last ? msg('error.libvirt.lostSaid', { uri: this.virsh.uri, said: last }) : msg('error.libvirt.lost', { uri: this.virsh.uri });
    return errorInfo('connect', message, msg('error.libvirt.lostHint'), stderr.trim() || undefined);
  }

  private scheduleReconnect(): void {
    if (!this.active || this.retryTimer) return;
    const delay = this.backoffMs[Math.min(this.attempt, this.backoffMs.length - 1)] ?? 1000;
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.publish({ domains: this.current?.domains ?? [], error: toErrorInfo(error) });
    });
  }

  private async refreshAll(): Promise<void> {
    if (!this.active) return;
    const domains = await listDomains(this.virsh);
    this.attempt = 0;
    this.publish({ domains, error: null });
  }

  /** Show the state an event names before virsh is asked (the query that follows confirms or corrects it). */
  private publishEventState(name: string, event: string | null): void {
    const state = event ? STATE_OF_EVENT[event] : undefined;
    const known = this.current?.domains.find((d) => d.name === name);
    if (!state || !known || !this.current || known.state === state) return;
    const updated: DomainSummary = { ...known, state, ...(state === 'shut-off' ? { id: null } : {}) };
    this.publish({ domains: this.current.domains.map((d) => (d === known ? updated : d)), error: this.current.error });
  }

  private async refreshOne(name: string, seen: number): Promise<void> {
    // A newer event of this domain came meanwhile: its own query follows, this one would only cost a virsh process.
    if (!this.active || this.eventCount.get(name) !== seen) return;
    const fresh = await getDomain(this.virsh, name);
    if (this.eventCount.get(name) !== seen) return; // a newer event's query follows
    const others: DomainSummary[] = (this.current?.domains ?? []).filter((d) => d.name !== name);
    this.publish({ domains: sortDomains(fresh ? [...others, fresh] : others), error: this.current?.error ?? null });
  }

  private publish(next: DomainsSnapshot): void {
    if (this.current && dequal(this.current, next)) return;
    this.current = next;
    for (const listener of [...this.listeners]) listener(next);
  }
}
