import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LgStatus } from '../../shared/api';
import { ClientSupervisor } from '../../main/lookingglass/supervisor';
import { FAKE_CLIENT } from '../support/shm';

// The supervisor with a real child: a scripted stand-in for
// looking-glass-client (test/fixtures/lookingglass/bin) that prints the real
// client's lines and exits as told. No outcome depends on how fast the
// machine is: the stand-in handles SIGTERM before it prints anything, each
// test waits for the status it needs instead of sleeping (the sleeps left only
// give a wrong restart the time to show), and the log, which the supervisor
// writes through a stream, is read once it holds the line looked for.
let dir: string;
let n = 0;
const running: ClientSupervisor[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-lgsup-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function supervise(runs: string, extra: { backoffMs?: number[]; maxRestarts?: number; release?: string; argv?: string[] } = {}) {
  const state = join(dir, `runs-${++n}`);
  const logFile = join(dir, `client-${n}.log`);
  const statuses: LgStatus[] = [];
  const waiters: { test: (s: LgStatus) => boolean; done: (s: LgStatus) => void }[] = [];
  let userClosed = 0;
  const supervisor = new ClientSupervisor({
    vm: 'win11',
    command: FAKE_CLIENT,
    argv: extra.argv ?? ['app:shmFile=/dev/null', 'win:size=1920x1080', 'win:fullScreen=no'],
    env: { ...process.env, FAKE_LG_RUNS: runs, FAKE_LG_STATE: state, FAKE_LG_ALLOW_ROOT: '1', FAKE_LG_RELEASE: extra.release ?? 'B7' },
    backoffMs: extra.backoffMs ?? [50, 150],
    maxRestarts: extra.maxRestarts ?? 5,
    logFile,
    onStatus: (s) => {
      statuses.push({ ...s, message: `${Date.now()} ${s.message}` });
      for (const w of [...waiters]) {
        if (!w.test(s)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.done(s);
      }
    },
    onUserClose: () => userClosed++,
  });
  running.push(supervisor);
  const until = (test: (s: LgStatus) => boolean, what: string, ms = 10_000): Promise<LgStatus> =>
    new Promise((done, fail) => {
      const hit = statuses.find(test);
      if (hit) return done(hit);
      const timer = setTimeout(() => fail(new Error(`no status ${what} in ${ms} ms: ${JSON.stringify(statuses.map((s) => s.state))}`)), ms);
      waiters.push({
        test,
        done: (s) => {
          clearTimeout(timer);
          done(s);
        },
      });
    });
  const starts = (): number => (existsSync(state) ? Number(readFileSync(state, 'utf8')) : 0);
  /** The client log once it holds `text`: the supervisor writes it through a stream, flushed after the fact. */
  const logWith = async (text: string, ms = 10_000): Promise<string> => {
    const read = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    for (const end = Date.now() + ms; !read().includes(text) && Date.now() < end; ) await settle(20);
    return read();
  };
  return { supervisor, statuses, until, starts, userClosed: () => userClosed, logWith };
}

describe('the Looking Glass supervisor (a real child process)', () => {
  it('reads the release and that it waits for the guest', async () => {
    const t = supervise('wait');
    await t.supervisor.start();
    const s = await t.until((x) => x.state === 'waiting-for-guest', 'waiting');
    expect(s.release).toBe('B7');
    expect(s.pid).toBeGreaterThan(0);
  });

  it('reads a B8 release and its waiting words; a guest of another release is a mismatch the user is told about', async () => {
    const argv = ['lgmp:shmDevice=/dev/null', 'win:size=1920x1080', 'win:fullScreen=no', 'win:autoResize=no', 'win:setGuestRes=yes'];
    const t = supervise('wait', { release: 'B8-rc1', argv });
    await t.supervisor.start();
    const s = await t.until((x) => x.state === 'waiting-for-guest', 'waiting');
    expect(s.release).toBe('B8-rc1');
    // Vitrine's B8 argv draws no warning from the B8 stand-in.
    expect(await t.logWith('Waiting for the source to start...')).not.toMatch(/renamed|Ignored unknown|simultaneously/);
    const m = supervise('mismatch', { release: 'B8', argv });
    await m.supervisor.start();
    const mismatch = await m.until((x) => x.problem === 'lg-version-mismatch', 'mismatch');
    expect(mismatch.message).toContain('different Looking Glass release');
    expect(mismatch.message).toContain('This client is Looking Glass B8: in Windows, install the display driver of the same release, looking-glass-idd-setup.exe');
  });

  it('restarts a crash with a growing wait, then stays up', async () => {
    const t = supervise('crash,exit1,wait', { backoffMs: [100, 300] });
    await t.supervisor.start();
    await t.until((x) => x.state === 'waiting-for-guest' && x.restarts === 2, 'waiting after two restarts');
    expect(t.starts()).toBe(3);
    const restarting = t.statuses.filter((x) => x.state === 'restarting' && x.pid === null);
    expect(restarting.map((x) => x.restarts)).toEqual([1, 2]);
    expect(restarting[0]!.message).toContain('was killed by SIGKILL; restarting in 0.1 s');
    expect(restarting[1]!.message).toContain('exited with code 1; restarting in 0.3 s');
    // The second wait was the longer one: the relaunch came at least 300 ms after it was announced.
    const at = (s: LgStatus) => Number(s.message.split(' ')[0]);
    const relaunch = t.statuses.find((x) => x.state === 'restarting' && x.pid !== null && at(x) > at(restarting[1]!));
    expect(at(relaunch!) - at(restarting[1]!)).toBeGreaterThanOrEqual(290);
    const line = '--- vitrine: the client was killed by SIGKILL; restarting in 100 ms ---';
    expect(await t.logWith(line)).toContain(line);
  });

  it('gives up after the last restart', async () => {
    const t = supervise('crash', { backoffMs: [20], maxRestarts: 2 });
    await t.supervisor.start();
    const s = await t.until((x) => x.state === 'failed', 'failed');
    expect(s.message).toContain('3 times in a row');
    await settle(200);
    expect(t.starts()).toBe(3);
  });

  it('does not restart when the user closed the window', async () => {
    const t = supervise('close');
    await t.supervisor.start();
    await t.until((x) => x.state === 'closed', 'closed');
    await settle(400);
    expect(t.starts()).toBe(1);
    expect(t.userClosed()).toBe(1);
    expect(t.supervisor.active).toBe(false);
  });

  it('does not retry what a restart cannot fix (no display), and names the problem', async () => {
    const t = supervise('no-display');
    await t.supervisor.start();
    const s = await t.until((x) => x.state === 'failed', 'failed');
    expect(s).toMatchObject({ problem: 'lg-no-display', message: expect.stringContaining('no display server') });
    await settle(300);
    expect(t.starts()).toBe(1);
  });

  it('reports a too-small memory with the recommended size and keeps running', async () => {
    const t = supervise('too-small');
    await t.supervisor.start();
    const s = await t.until((x) => x.problem === 'lg-too-small' && x.message.includes('MiB'), 'too small, with the size');
    expect(s.message).toContain('64 MiB');
    expect(t.supervisor.active).toBe(true);
  });

  it('stop() (the VM stopped) ends the client and it stays ended', async () => {
    const t = supervise('wait');
    await t.supervisor.start();
    const s = await t.until((x) => x.state === 'waiting-for-guest', 'waiting');
    await t.supervisor.stop();
    expect(t.supervisor.status().state).toBe('stopped');
    expect(() => process.kill(s.pid!, 0)).toThrow();
    // The stand-in handled the SIGTERM (its handler is in place before it prints a line).
    expect(await t.logWith('Caught signal, shutting down...')).toContain('Caught signal, shutting down...');
    await settle(300);
    expect(t.starts()).toBe(1);
  });

  it('stop() during a backoff cancels the restart', async () => {
    const t = supervise('crash', { backoffMs: [500] });
    await t.supervisor.start();
    await t.until((x) => x.state === 'restarting' && x.pid === null, 'restarting');
    await t.supervisor.stop();
    await settle(700);
    expect(t.starts()).toBe(1);
    expect(t.supervisor.status().state).toBe('stopped');
  });
});
