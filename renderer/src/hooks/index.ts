import { useEffect, useState } from 'react';
import type { AppInfo, DomainsSnapshot, ErrorInfo, LgSnapshot, TasksSnapshot } from '../../../shared/api';
import { api } from '../api';
import { useRequest } from './use-request';

export { HostCheckProvider, useHostCheck, type HostCheckState } from './host-check';
export { useAction, useRequest, useSingleFlight, type ActionState, type RequestState } from './use-request';

/** The live domain list (null until the first list arrives). */
export function useDomains(): DomainsSnapshot | null {
  const [snapshot, setSnapshot] = useState<DomainsSnapshot | null>(null);
  useEffect(() => api.on('domains.changed', setSnapshot), []);
  return snapshot;
}

/** Version, libvirt URI and mode, or the error that prevented reading them. */
export function useAppInfo(): { info: AppInfo | null; error: ErrorInfo | null } {
  const { value, error } = useRequest(() => api.app.info(), []);
  return { info: value, error };
}

/** The Looking Glass clients and what they are doing, live. */
export function useLgStatus(): LgSnapshot | null {
  const [snapshot, setSnapshot] = useState<LgSnapshot | null>(null);
  useEffect(() => api.on('lg.status', setSnapshot), []);
  return snapshot;
}

/** Recent long tasks (Play, Stop) with their steps, live. */
export function useTasks(): TasksSnapshot | null {
  const [snapshot, setSnapshot] = useState<TasksSnapshot | null>(null);
  useEffect(() => api.on('task.progress', setSnapshot), []);
  return snapshot;
}
