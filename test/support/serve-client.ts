import WebSocket from 'ws';
import type { DomainsSnapshot } from '../../shared/api';

/** Collects domains.changed payloads and waits for one that matches. */
export class Snapshots {
  readonly seen: DomainsSnapshot[] = [];
  private waiters: { match: (s: DomainsSnapshot) => boolean; done: (s: DomainsSnapshot) => void }[] = [];
  push(snapshot: DomainsSnapshot): void {
    this.seen.push(snapshot);
    this.waiters = this.waiters.filter((w) => (w.match(snapshot) ? (w.done(snapshot), false) : true));
  }
  next(match: (s: DomainsSnapshot) => boolean, timeoutMs: number, what: string): Promise<DomainsSnapshot> {
    const found = this.seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no snapshot ${what} within ${timeoutMs} ms; last: ${JSON.stringify(this.seen.at(-1))}`)), timeoutMs);
      this.waiters.push({ match, done: (s) => (clearTimeout(timer), done(s)) });
    });
  }
  clear(): void {
    this.seen.length = 0;
  }
}

export interface ServeClient {
  ws: WebSocket;
  snapshots: Snapshots;
  request: (channel: string, args?: unknown) => Promise<unknown>;
}

/** The cookie `vitrine serve` sets for its printed URL. */
export async function cookieFor(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`expected a redirect from ${url}, got ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** A WebSocket client of `vitrine serve`, as the page would be (same origin, cookie). */
export function connectServe(origin: string, cookie: string): Promise<ServeClient> {
  const snapshots = new Snapshots();
  const pending = new Map<number, { done: (r: unknown) => void; fail: (error: Error) => void }>();
  let id = 0;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/api`, { headers: { Cookie: cookie, Origin: origin } });
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; event?: string; payload?: DomainsSnapshot };
    if (message.event === 'domains.changed' && message.payload) snapshots.push(message.payload);
    if (typeof message.id === 'number') {
      pending.get(message.id)?.done(message.result);
      pending.delete(message.id);
    }
  });
  // A server that goes away fails what was asked of it instead of leaving it waiting.
  ws.on('close', () => {
    for (const { fail } of pending.values()) fail(new Error('vitrine serve closed the connection'));
    pending.clear();
  });
  const request = (channel: string, args?: unknown): Promise<unknown> =>
    new Promise((done, fail) => {
      id += 1;
      pending.set(id, { done, fail });
      ws.send(JSON.stringify({ id, channel, args }));
    });
  return new Promise((done, fail) => {
    ws.on('open', () => done({ ws, snapshots, request }));
    ws.on('error', fail);
  });
}
