import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import type { AppInfo, DomainsSnapshot, ErrorInfo, EventName, Events, LgSnapshot, TasksSnapshot } from '../../../shared/api';
import { api } from '../api';
import { useRequest } from './use-request';

export { HostCheckProvider, useHostCheck, type HostCheckState } from './host-check';
export { useAction, useRequest, useSingleFlight, type ActionState, type RequestState } from './use-request';

/**
 * The latest payload of a live event (null until the first one). A change
 * that arrives later is drawn at once, within the message that brought it
 * (flushSync), rather than in a task React schedules after whatever else the
 * page has queued: a VM's new state shows as soon as libvirt says it. The
 * payload handed over while subscribing (inside the effect) goes the usual way.
 */
function useLiveEvent<E extends EventName>(event: E): Events[E] | null {
  const [snapshot, setSnapshot] = useState<Events[E] | null>(null);
  useEffect(() => {
    let subscribed = false;
    const off = api.on(event, (payload: Events[E]) => (subscribed ? flushSync(() => setSnapshot(payload)) : setSnapshot(payload)));
    subscribed = true;
    return off;
  }, [event]);
  return snapshot;
}

/** The live domain list (null until the first list arrives). */
export function useDomains(): DomainsSnapshot | null {
  return useLiveEvent('domains.changed');
}

/** Version, libvirt URI and mode, or the error that prevented reading them. */
export function useAppInfo(): { info: AppInfo | null; error: ErrorInfo | null } {
  const { value, error } = useRequest(() => api.app.info(), []);
  return { info: value, error };
}

/** The Looking Glass clients and what they are doing, live. */
export function useLgStatus(): LgSnapshot | null {
  return useLiveEvent('lg.status');
}

/** Recent long tasks (Play, Stop) with their steps, live. */
export function useTasks(): TasksSnapshot | null {
  return useLiveEvent('task.progress');
}
