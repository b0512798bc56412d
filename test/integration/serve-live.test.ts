import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ChildProcess } from 'node:child_process';
import type { DomainsSnapshot } from '../../preload/api';
import { createSessionUser, defineDomain, startServe, type SessionUser } from '../support/session-libvirt';

let user: SessionUser;
let live: Awaited<ReturnType<typeof connect>> | null = null;
let serve: { url: string; origin: string; child: ChildProcess };
const NAME = 'vitrine-live';

/** Collects domains.changed payloads and waits for one that matches. */
class Snapshots {
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

function connect(cookie: string): Promise<{ ws: WebSocket; snapshots: Snapshots; request: (channel: string, args?: unknown) => Promise<unknown> }> {
  const snapshots = new Snapshots();
  const pending = new Map<number, (r: unknown) => void>();
  let id = 0;
  const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/api`, { headers: { Cookie: cookie, Origin: serve.origin } });
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; event?: string; payload?: DomainsSnapshot };
    if (message.event === 'domains.changed' && message.payload) snapshots.push(message.payload);
    if (typeof message.id === 'number') pending.get(message.id)?.(message.result);
  });
  const request = (channel: string, args?: unknown): Promise<unknown> =>
    new Promise((done) => {
      id += 1;
      pending.set(id, done);
      ws.send(JSON.stringify({ id, channel, args }));
    });
  return new Promise((done, fail) => {
    ws.on('open', () => done({ ws, snapshots, request }));
    ws.on('error', fail);
  });
}

async function cookieFor(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

beforeAll(async () => {
  user = await createSessionUser();
  await defineDomain(user, NAME);
  serve = await startServe(user);
});
afterAll(async () => {
  live?.ws.close();
  serve?.child.kill('SIGTERM');
  await user?.cleanup();
});

describe('vitrine serve on a real session libvirt', () => {
  it('refuses a request without the token', async () => {
    expect((await fetch(serve.origin + '/')).status).toBe(401);
  });

  it('pushes the list, then the change when virsh starts and stops the domain', async () => {
    live = await connect(await cookieFor(serve.url));
    const { snapshots, request } = live;
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 30_000, 'listing the domain');
    expect(await request('domains.list')).toMatchObject({ ok: true, value: [{ name: NAME, state: 'shut-off' }] });

    await user.virsh('start', NAME);
    // The acceptance limit is 2 s from the start; no polling is involved.
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'running'), 2_000, 'with the domain running');

    await user.virsh('destroy', NAME);
    snapshots.clear();
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 2_000, 'with the domain shut off');
  });

  it('reports a lost daemon and recovers when it comes back', async () => {
    // Same connection as above: its events proved the stream is connected.
    expect(live).not.toBeNull();
    const { snapshots } = live!;
    snapshots.clear();
    const pid = Number(readFileSync(join(user.env['XDG_RUNTIME_DIR']!, 'libvirt', 'libvirtd.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    const lost = await snapshots.next((s) => s.error !== null, 10_000, 'with an error');
    expect(lost.error?.kind).toBe('connect');
    expect(lost.domains.map((d) => d.name)).toEqual([NAME]);
    // virsh spawns a new session daemon on the next connection attempt.
    await snapshots.next((s) => s.error === null && s.domains.some((d) => d.name === NAME), 30_000, 'after reconnecting');
  });
});
