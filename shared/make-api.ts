import { CHANNEL_NAMES, EVENT_NAMES, type Channel, type EventName, type Events, type Transport, type VitrineApi } from './api';

/**
 * Build the named-method API over a transport: one method per channel of the
 * contract (`vm.play` -> `api.vm.play(args)`) and `on(event, listener)`.
 * Nothing generic (no `invoke(channel)`) reaches the page: the methods are
 * made here from the channel list, and `on` refuses names that are not events.
 */
export function makeApi(transport: Transport): VitrineApi {
  const groups: Record<string, Record<string, (args?: unknown) => unknown>> = {};
  for (const channel of CHANNEL_NAMES) {
    const [group, method] = channel.split('.') as [string, string];
    (groups[group] ??= {})[method] = (args?: unknown) => transport.request(channel as Channel, args as never);
  }
  const on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) => {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event '${String(event)}'.`);
    return transport.subscribe(event, listener);
  };
  // The object has exactly VitrineApi's shape by construction (one method per
  // channel name); the compiler cannot follow a loop, hence the one assertion.
  return { ...groups, on } as unknown as VitrineApi;
}
