import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ErrorInfo, HostCheck, Result } from '../../../shared/api';
import { api } from '../api';

/** The host check as every page sees it. */
export interface HostCheckState {
  check: HostCheck | null;
  error: ErrorInfo | null;
  busy: boolean;
}

/**
 * One host check for the whole app: a full scan (sysfs, IOMMU groups, drivers,
 * kernel command line) is slow, so the Host page and the wizard's steps share
 * one result. The first reader starts the scan; `refresh()` runs it again.
 * A failed scan keeps the last good check; only the latest scan's answer counts.
 */
export class HostCheckStore {
  private state: HostCheckState = { check: null, error: null, busy: true };
  private runs = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly scan: () => Promise<Result<HostCheck>>) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): HostCheckState => this.state;

  /** Scan again (whatever is running or known). */
  readonly refresh = (): void => {
    const run = ++this.runs;
    if (!this.state.busy) this.set({ ...this.state, busy: true });
    void this.scan().then((r) => {
      if (run !== this.runs) return;
      this.set(r.ok ? { check: r.value, error: null, busy: false } : { ...this.state, error: r.error, busy: false });
    });
  };

  /** Scan unless a check is known or on its way (a failed first scan is tried again). */
  readonly ensure = (): void => {
    if (this.runs === 0 || (!this.state.busy && !this.state.check)) this.refresh();
  };

  private set(state: HostCheckState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

const HostCheckContext = createContext<HostCheckStore | null>(null);

/** Holds the app's one host check; `useHostCheck()` reads it below this. */
export function HostCheckProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new HostCheckStore(() => api.host.check()));
  return <HostCheckContext.Provider value={store}>{children}</HostCheckContext.Provider>;
}

/**
 * The shared host check (scan + checklist); `refresh` runs it again, `busy`
 * while it runs. `scan` false: only read what is known (a page that needs the
 * check for one section starts the scan when that section opens).
 */
export function useHostCheck(scan = true): HostCheckState & { refresh: () => void } {
  const store = useContext(HostCheckContext);
  if (!store) throw new Error('useHostCheck() needs a <HostCheckProvider> above it');
  const state = useSyncExternalStore(store.subscribe, store.get);
  useEffect(() => {
    if (scan) store.ensure();
  }, [store, scan]);
  return { ...state, refresh: store.refresh };
}
