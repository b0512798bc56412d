import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { connectServe, cookieFor, type ServeClient } from '../support/serve-client';
import { createSessionUser, defineDomain, startServe, type SessionUser } from '../support/session-libvirt';

let user: SessionUser;
let live: ServeClient | null = null;
let serve: { url: string; origin: string; child: ChildProcess };
const NAME = 'vitrine-live';

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
    live = await connectServe(serve.origin, await cookieFor(serve.url));
    const { snapshots, request } = live;
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 30_000, 'listing the domain');
    expect(await request('domains.list')).toMatchObject({ ok: true, value: [{ name: NAME, state: 'shut-off' }] });

    await user.virsh('start', NAME);
    // The acceptance limit is 2 s from the start; no polling is involved.
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'running'), 2_000, 'with the domain running');

    // Cleared before: the Stopped event is published at once, possibly before virsh destroy returns here.
    snapshots.clear();
    await user.virsh('destroy', NAME);
    await snapshots.next((s) => s.domains.some((d) => d.name === NAME && d.state === 'shut-off'), 2_000, 'with the domain shut off');
  });

  it('reads through its ready virsh exactly what a virsh of its own reads', async () => {
    const ready = await readyVirsh(serve.child.pid!);
    const details = await live!.request('vm.details', { name: NAME });
    expect(details).toMatchObject({ ok: true, value: { summary: { name: NAME, state: 'shut-off' } } });
    // It answered (it is gone, used); the next read, at once, has none waiting and runs a virsh of its own: the same answer.
    expect(alive(ready)).toBe(false);
    expect(childrenOf(serve.child.pid!).filter((c) => c.cmdline.trim() === READY_CMDLINE)).toEqual([]);
    expect(await live!.request('vm.details', { name: NAME })).toEqual(details);
  });

  it('reports a lost daemon and recovers when it comes back', async () => {
    // Same connection as above: its events proved the stream is connected.
    expect(live).not.toBeNull();
    const { snapshots } = live!;
    // A ready virsh waits, connected to the daemon about to go.
    const ready = await readyVirsh(serve.child.pid!);
    snapshots.clear();
    const pid = Number(readFileSync(join(user.env['XDG_RUNTIME_DIR']!, 'libvirt', 'libvirtd.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    const lost = await snapshots.next((s) => s.error !== null, 10_000, 'with an error');
    expect(lost.error?.kind, JSON.stringify(lost.error)).toBe('connect');
    expect(lost.domains.map((d) => d.name)).toEqual([NAME]);
    // virsh spawns a new session daemon on the next connection attempt.
    await snapshots.next((s) => s.error === null && s.domains.some((d) => d.name === NAME), 30_000, 'after reconnecting');
    // The ready virsh lost its daemon (and never starts one): a read it cannot answer cleanly runs alone.
    expect(await live!.request('vm.details', { name: NAME })).toMatchObject({ ok: true, value: { summary: { name: NAME, state: 'shut-off' } } });
    expect(alive(ready)).toBe(false);
    // The next one waits on the new daemon, and answers.
    const next = await readyVirsh(serve.child.pid!);
    expect(await live!.request('vm.details', { name: NAME })).toMatchObject({ ok: true, value: { summary: { name: NAME, state: 'shut-off' } } });
    expect(alive(next)).toBe(false);
  });
});

/** The processes whose parent is `pid`, with their command lines (from /proc). */
function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** How the app's ready virsh shows in ps: no command, it reads its line on stdin. */
const READY_CMDLINE = 'virsh --quiet --connect qemu:///session';

/** The app's ready virsh (main/libvirt/virsh.ts), a child of the server started after a second without virsh: its pid once it waits. */
async function readyVirsh(server: number): Promise<number> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    const ready = childrenOf(server).find((c) => c.cmdline.trim() === READY_CMDLINE);
    if (ready) return ready.pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no ready virsh after 10 s');
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('vitrine serve ends its virsh event stream with it', () => {
  // SIGKILL leaves the server no say: the kernel ends virsh (setpriv --pdeathsig KILL, see main/common/process.ts).
  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('no virsh child outlives a server stopped with %s', async (signal) => {
    const own = await startServe(user);
    const client = await connectServe(own.origin, await cookieFor(own.url));
    await client.snapshots.next((s) => s.domains.length > 0, 30_000, 'listing the domains');
    // The event stream and the ready virsh, which waits on a stdin that ends with the server.
    const ready = await readyVirsh(own.child.pid!);
    const virsh = childrenOf(own.child.pid!).filter((c) => c.pid === ready || (c.cmdline.includes('event') && c.cmdline.includes('--loop')));
    expect(virsh.length).toBeGreaterThan(1);
    client.ws.close();
    const exited = new Promise((done) => own.child.once('exit', done));
    own.child.kill(signal);
    await exited;
    for (let waited = 0; waited < 5000 && virsh.some((v) => alive(v.pid)); waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(virsh.filter((v) => alive(v.pid))).toEqual([]);
  });
});
