import { useEffect, useState } from 'react';
import type { AppInfo, DomainsSnapshot, ErrorInfo, HostCheck, LgSnapshot, TasksSnapshot } from '../../shared/api';
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

/** The host check (scan + checklist); `refresh` runs it again, `busy` while it runs. */
export function useHostCheck(): { check: HostCheck | null; error: ErrorInfo | null; busy: boolean; refresh: () => void } {
  const [check, setCheck] = useState<HostCheck | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [round, setRound] = useState(0);
  const [doneRound, setDoneRound] = useState(-1);
  useEffect(() => {
    let live = true;
    void api.host.check().then((r) => {
      if (!live) return;
      setDoneRound(round);
      if (r.ok) {
        setCheck(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [round]);
  return { check, error, busy: doneRound !== round, refresh: () => setRound((n) => n + 1) };
}
