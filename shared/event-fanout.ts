import type { EventName, Events } from './api';

/**
 * Keeps the latest payload of each event and hands it to new listeners at
 * once, so a page that subscribes late still starts from the current state.
 * Used by both transports (Electron preload, browser WebSocket).
 */
export class EventFanout {
  private readonly latest = new Map<EventName, unknown>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.latest.set(event, payload);
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (p: Events[E]) => void)(payload);
  }

  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    if (this.latest.has(event)) listener(this.latest.get(event) as Events[E]);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }
}

/** Every event name of the contract, for transports that forward them all. */
export { EVENT_NAMES } from './api';
