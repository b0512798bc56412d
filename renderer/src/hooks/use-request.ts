import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import type { ErrorInfo, Result } from '../../../shared/api';

/** What `useRequest` gives a component: the last value, the last error, whether a request is running, and a way to run it again. */
export interface RequestState<T> {
  value: T | null;
  error: ErrorInfo | null;
  busy: boolean;
  reload: () => void;
}

/**
 * Runs a request when the component mounts, again when `deps` change and on
 * `reload()`. The previous value stays while the next one loads (and when it
 * fails); a success clears the error. Only the latest request's answer counts.
 * `request` null: nothing to ask yet (not busy). `deps` must list every
 * value `request` reads, as for useEffect (the lint rule cannot check them here).
 */
export function useRequest<T>(request: (() => Promise<Result<T>>) | null, deps: DependencyList): RequestState<T> {
  const [round, setRound] = useState(0);
  const [state, setState] = useState<{ value: T | null; error: ErrorInfo | null; settled: { round: number; deps: DependencyList } | null }>({ value: null, error: null, settled: null });
  const enabled = request !== null;

  useEffect(() => {
    if (!request) return;
    let live = true;
    void request().then((r) => {
      if (!live) return;
      setState((s) => ({ value: r.ok ? r.value : s.value, error: r.ok ? null : r.error, settled: { round, deps } }));
    });
    return () => {
      live = false;
    };
    // The caller's deps stand for `request`, which is a new function every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, round, ...deps]);

  const settled = state.settled !== null && state.settled.round === round && sameDeps(state.settled.deps, deps);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { value: state.value, error: state.error, busy: enabled && !settled, reload };
}

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/** What `useAction` gives a component: `run` an action, whether one is running, and the last one's error. */
export interface ActionState {
  run: <T>(work: () => Promise<Result<T>>) => Promise<Result<T>>;
  busy: boolean;
  error: ErrorInfo | null;
}

/**
 * For requests the user triggers (apply, create, open): `run(work)` clears the
 * last error, marks the action busy, and keeps the error if it fails. It
 * returns the result so the caller can use the value.
 */
export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const run = useCallback(async <T>(work: () => Promise<Result<T>>): Promise<Result<T>> => {
    setBusy(true);
    setError(null);
    const result = await work();
    setBusy(false);
    if (!result.ok) setError(result.error);
    return result;
  }, []);
  return { run, busy, error };
}

/**
 * Runs one piece of work at a time: a second call while the first runs is
 * dropped (undefined). Guards Create, Apply and Next against a double click
 * that lands before the button is disabled.
 */
export function useSingleFlight(): <T>(work: () => Promise<T>) => Promise<T | undefined> {
  const running = useRef(false);
  return useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    try {
      return await work();
    } finally {
      running.current = false;
    }
  }, []);
}
