import { useEffect, useState } from 'react';
import type { AppInfo, DomainsSnapshot, ErrorInfo, LgSnapshot, TasksSnapshot } from '../../preload/api';
import { api } from './api';

/** The live domain list (null until the first list arrives). */
export function useDomains(): DomainsSnapshot | null {
  const [snapshot, setSnapshot] = useState<DomainsSnapshot | null>(null);
  useEffect(() => api.domains.onChanged(setSnapshot), []);
  return snapshot;
}

/** Version, libvirt URI and mode, or the error that prevented reading them. */
export function useAppInfo(): { info: AppInfo | null; error: ErrorInfo | null } {
  const [state, setState] = useState<{ info: AppInfo | null; error: ErrorInfo | null }>({ info: null, error: null });
  useEffect(() => {
    let live = true;
    void api.app.info().then((result) => {
      if (live) setState(result.ok ? { info: result.value, error: null } : { info: null, error: result.error });
    });
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** The Looking Glass clients and what they are doing, live. */
export function useLgStatus(): LgSnapshot | null {
  const [snapshot, setSnapshot] = useState<LgSnapshot | null>(null);
  useEffect(() => api.lg.onStatus(setSnapshot), []);
  return snapshot;
}

/** Recent long tasks (Play, Stop) with their steps, live. */
export function useTasks(): TasksSnapshot | null {
  const [snapshot, setSnapshot] = useState<TasksSnapshot | null>(null);
  useEffect(() => api.play.onProgress(setSnapshot), []);
  return snapshot;
}
