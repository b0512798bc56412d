import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseInfoAndXml, runInfoAndXml } from '../../main/libvirt/batch';
import { readDomains } from '../../main/libvirt/domain-batch';
import { getDomain, listDomains } from '../../main/libvirt/domains';
import { VitrineError } from '../../main/common/errors';
import { Virsh } from '../../main/libvirt/virsh';
import { waitGone } from '../support/session-libvirt';

// The app's ready virsh (Virsh keepReady): a real virsh on test:///default (the
// test driver runs inside virsh, no daemon), read by the cold path and by the
// ready one, which must print the very same, or step aside.
const hasVirsh = spawnSync('virsh', ['--version']).status === 0;
const URI = 'test:///default';
const IDLE_MS = 1_000;

let home: string;
const saved = { ...process.env };
const open: Virsh[] = [];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'vitrine-ready-'));
  // The user's own virsh history, which the ready virsh must neither read nor rewrite.
  mkdirSync(join(home, '.cache', 'libvirt', 'virsh'), { recursive: true });
  writeFileSync(join(home, '.cache', 'libvirt', 'virsh', 'history'), 'list --all\nstart win11\n');
  process.env['HOME'] = home;
  process.env['XDG_CACHE_HOME'] = join(home, '.cache');
  process.env['TERM'] = 'xterm-256color';
});
afterAll(() => {
  for (const key of ['HOME', 'XDG_CACHE_HOME', 'TERM']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  for (const virsh of open.splice(0)) virsh.close();
});

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
/** A Virsh with a ready virsh waiting (after one first read, cold, and the idle delay). */
async function readyVirsh(options: { binary?: string; timeoutMs?: number } = {}): Promise<Virsh> {
  const virsh = new Virsh({ uri: URI, keepReady: true, ...options });
  open.push(virsh);
  await virsh.run(['uri'], { reads: true }).catch(() => undefined);
  for (let waited = 0; virsh.readyPid === null && waited < IDLE_MS * 5; waited += 50) await sleep(50);
  expect(virsh.readyPid).not.toBeNull();
  // Let it connect: what it printed meanwhile must not reach the read.
  await sleep(200);
  return virsh;
}
/** The test driver's CPU time moves with the clock: everything else must match. */
const steady = (text: string): string => text.replace(/^CPU time:.*$/m, 'CPU time: -');

describe.skipIf(!hasVirsh)('the ready virsh', () => {
  const cold = new Virsh({ uri: URI });

  it('is never started for a Virsh that does not keep one (a CLI command)', async () => {
    const virsh = new Virsh({ uri: URI });
    open.push(virsh);
    await virsh.run(['uri'], { reads: true });
    await sleep(IDLE_MS + 300);
    expect(virsh.readyPid).toBeNull();
    expect(virsh.readyReads).toEqual({ answered: 0, declined: 0 });
  });

  it('answers each kind of read the app makes exactly as a virsh of its own', async () => {
    const reads: [string, (virsh: Virsh) => Promise<unknown>][] = [
      ['dominfo', (virsh) => virsh.run(['dominfo', '--domain', 'test'], { reads: true }).then(steady)],
      ['dumpxml', (virsh) => virsh.run(['dumpxml', '--inactive', '--security-info', '--domain', 'test'], { reads: true })],
      ['getDomain', (virsh) => getDomain(virsh, 'test')],
      ['listDomains', (virsh) => listDomains(virsh)],
      ['readDomains', async (virsh) => [...(await readDomains(virsh, ['test'])).entries()]],
      ['dominfo + dumpxml', async (virsh) => parseInfoAndXml((await runInfoAndXml(virsh, 'test'))!)],
    ];
    for (const [what, read] of reads) {
      const virsh = await readyVirsh();
      const pid = virsh.readyPid;
      const [fast, slow] = [await read(virsh), await read(cold)];
      expect(fast, what).toEqual(slow);
      expect(virsh.readyReads, what).toEqual({ answered: 1, declined: 0 });
      // Used once: it ended, and no other starts before virsh has been idle a while.
      expect(virsh.readyPid, what).toBeNull();
      expect(() => process.kill(pid!, 0), what).toThrow();
    }
  }, 30_000);

  it('steps aside on any error: the read runs again alone and throws what libvirt says', async () => {
    const virsh = await readyVirsh();
    const fast = await virsh.run(['dominfo', '--domain', "it's not here"], { reads: true }).catch((e: unknown) => e);
    const slow = await cold.run(['dominfo', '--domain', "it's not here"]).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(VitrineError);
    expect(fast).toEqual(slow);
    expect((fast as VitrineError).kind).toBe('domain-not-found');
    expect(virsh.readyReads).toEqual({ answered: 0, declined: 1 });
  });

  it('takes only lines readline reads as typed, and only reads', async () => {
    const virsh = await readyVirsh();
    // Not ASCII (readline in the C locale would read it otherwise): alone, the ready one left waiting.
    await expect(virsh.run(['dominfo', '--domain', 'jeu ✓'], { reads: true })).rejects.toMatchObject({ kind: 'domain-not-found' });
    // A run not marked as reads never goes to it.
    expect(steady(await virsh.run(['dominfo', '--domain', 'test']))).toBe(steady(await cold.run(['dominfo', '--domain', 'test'])));
    expect(virsh.readyReads).toEqual({ answered: 0, declined: 0 });
    expect(virsh.readyPid).not.toBeNull();
  });

  it("leaves the user's virsh history alone, and keeps none of its own", async () => {
    const virsh = await readyVirsh();
    await virsh.run(['dominfo', '--domain', 'test'], { reads: true });
    expect(virsh.readyReads.answered).toBe(1);
    expect(readFileSync(join(home, '.cache', 'libvirt', 'virsh', 'history'), 'utf8')).toBe('list --all\nstart win11\n');
    const own = join(home, '.cache', 'vitrine', 'virsh', 'libvirt', 'virsh', 'history');
    expect(existsSync(own) && readFileSync(own, 'utf8')).toBe('');
  });

  it('ends when the app closes, and starts no other', async () => {
    const virsh = await readyVirsh();
    const pid = virsh.readyPid!;
    virsh.close();
    await waitGone(pid);
    expect(() => process.kill(pid, 0)).toThrow();
    await virsh.run(['uri'], { reads: true });
    await sleep(IDLE_MS + 300);
    expect(virsh.readyPid).toBeNull();
  });

  it('times out as a virsh of its own does', async () => {
    // A "virsh" that never answers: the ready one is killed at the timeout, and the read says so.
    const script = join(home, 'stuck-virsh');
    writeFileSync(script, '#!/bin/sh\n[ "$4" = uri ] && { echo test:///default; exit 0; }\nexec sleep 30\n');
    chmodSync(script, 0o755);
    const virsh = await readyVirsh({ binary: script, timeoutMs: 400 });
    const pid = virsh.readyPid!;
    await expect(virsh.run(['dominfo', '--domain', 'test'], { reads: true })).rejects.toMatchObject({ kind: 'timeout' });
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
