import type { Channel, Result, Transport } from '../../../shared/api';
import { EVENT_NAMES, EventFanout } from '../../../shared/event-fanout';
import { msg } from '../../../shared/i18n/message';

type Pending = (result: Result<unknown>) => void;

const RECONNECT_MS = [250, 500, 1000, 2000, 5000] as const;

/**
 * The contract over `vitrine serve`'s WebSocket (/api on the page's own
 * origin; the token travels as the HttpOnly cookie the server set). Reconnects
 * by itself; requests made while disconnected fail with an explainable error.
 */
export function createWebSocketTransport(url: string): Transport {
  const fanout = new EventFanout();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let attempt = 0;

  const disconnected = (): Result<never> => ({
    ok: false,
    error: {
      kind: 'disconnected',
      message: 'The connection to vitrine serve was lost.',
      hint: 'Check that vitrine serve is still running; the page reconnects by itself.',
      msg: { message: msg('error.serveLost'), hint: msg('error.serveLostHint') },
    },
  });

  function connect(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener('open', () => {
        attempt = 0;
        socket = ws;
        resolve(ws);
      });
      ws.addEventListener('message', (message) => {
        const data = JSON.parse(String(message.data)) as { id?: number; result?: Result<unknown>; event?: string; payload?: unknown };
        if (typeof data.id === 'number' && data.result) {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        } else if (data.event && (EVENT_NAMES as readonly string[]).includes(data.event)) {
          fanout.emit(data.event as (typeof EVENT_NAMES)[number], data.payload as never);
        }
      });
      ws.addEventListener('close', () => {
        socket = null;
        opened = null;
        for (const settle of pending.values()) settle(disconnected());
        pending.clear();
        reject(new Error('closed'));
        const delay = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)];
        attempt += 1;
        setTimeout(() => void connect().catch(() => undefined), delay);
      });
    });
    return opened;
  }

  void connect().catch(() => undefined);

  return {
    async request(channel: Channel, args: unknown) {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch {
        return disconnected();
      }
      const id = nextId++;
      return new Promise<Result<never>>((resolve) => {
        pending.set(id, resolve as Pending);
        ws.send(JSON.stringify({ id, channel, args }));
      });
    },
    subscribe: (event, listener) => fanout.subscribe(event, listener),
  };
}
