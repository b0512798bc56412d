import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainsSnapshot } from '../../shared/api';
import { DomainWatcher } from '../../main/libvirt/domain-watcher';
import { LISTING_SEPARATOR } from '../../main/libvirt/parse-dominfo';
import { Virsh } from '../../main/libvirt/virsh';

const UUID = '77126c88-bf9c-4858-9062-b2d37bd4894c';
const RUNNING_DOMINFO = `Id:             3\nName:           vm1\nUUID:           ${UUID}\nOS Type:        hvm\nState:          running\nPersistent:     yes\nAutostart:      disable\n`;
const line = (event: string): string => `2026-11-30 12:00:00.000+0000: event 'lifecycle' for domain 'vm1': ${event}\n`;

/**
 * A virsh that lists one shut-off domain, answers dominfo from a file (and
 * notes each dominfo in a log), and streams as events whatever the test
 * writes into a FIFO: what the watcher asks of virsh is counted, not mocked.
 */
function fakeVirsh(): { virsh: Virsh; emit: (text: string) => void; dominfos: () => number; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-watcher-'));
  const fifo = join(dir, 'events');
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
  writeFileSync(join(dir, 'listing'), `${UUID} vm1\n${LISTING_SEPARATOR}\n -    vm1   shut off\n${LISTING_SEPARATOR}\n${UUID}\n${LISTING_SEPARATOR}\n`);
  writeFileSync(join(dir, 'dominfo'), RUNNING_DOMINFO);
  writeFileSync(join(dir, 'log'), '');
  const script = join(dir, 'virsh');
  // argv: --quiet --connect URI command…
  writeFileSync(script, `#!/bin/sh\nshift 3\ncase "$1" in\n  event) exec cat '${fifo}' ;;\n  dominfo) echo dominfo >> '${dir}/log'; cat '${dir}/dominfo' ;;\n  'list --all --uuid --name'*) cat '${dir}/listing' ;;\n  *) exit 1 ;;\nesac\n`);
  chmodSync(script, 0o755);
  // Read-write: opening a FIFO so never blocks, and cat sees no end of file between two writes.
  const fd = openSync(fifo, 'r+');
  return {
    virsh: new Virsh({ uri: 'qemu:///session', binary: script }),
    emit: (text) => void writeSync(fd, text),
    dominfos: () => readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean).length,
    cleanup: () => {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until(what: string, test: () => boolean): Promise<void> {
  for (const began = Date.now(); !test(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - began > 20_000) throw new Error(`never happened: ${what}`);
  }
}

describe('DomainWatcher', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function watch(confirmDelayMs: number): { fake: ReturnType<typeof fakeVirsh>; seen: DomainsSnapshot[] } {
    const fake = fakeVirsh();
    const watcher = new DomainWatcher(fake.virsh, { confirmDelayMs });
    const seen: DomainsSnapshot[] = [];
    const off = watcher.subscribe((s) => seen.push(s));
    cleanups.push(() => {
      off();
      fake.cleanup();
    });
    return { fake, seen };
  }
  const vm1 = (s: DomainsSnapshot | undefined) => s?.domains.find((d) => d.name === 'vm1');

  it('shows the state an event carries at once, then the one query confirms it', async () => {
    const { fake, seen } = watch(0);
    await until('the listing', () => vm1(seen.at(-1))?.state === 'shut-off');
    fake.emit(line('Started Booted'));
    await until('the confirmed id', () => vm1(seen.at(-1))?.id === 3);
    // First the event's own state (no id yet: virsh was not asked), then the query's answer.
    expect(seen.slice(1).map((s) => ({ state: vm1(s)?.state, id: vm1(s)?.id }))).toEqual([
      { state: 'running', id: null },
      { state: 'running', id: 3 },
    ]);
    expect(fake.dominfos()).toBe(1);
  });

  it('asks virsh once for a burst of events, not once per event', async () => {
    const { fake, seen } = watch(0);
    await until('the listing', () => vm1(seen.at(-1))?.state === 'shut-off');
    // A start: Resumed then Started, read together.
    fake.emit(line('Resumed Unpaused') + line('Started Booted'));
    await until('the confirmed id', () => vm1(seen.at(-1))?.id === 3);
    expect(fake.dominfos()).toBe(1);
  });

  it('waits before confirming, so that events arriving meanwhile share one query', async () => {
    const { fake, seen } = watch(2000);
    await until('the listing', () => vm1(seen.at(-1))?.state === 'shut-off');
    fake.emit(line('Resumed Unpaused'));
    await until('the event state', () => vm1(seen.at(-1))?.state === 'running');
    fake.emit(line('Started Booted'));
    await until('the confirmed id', () => vm1(seen.at(-1))?.id === 3);
    expect(fake.dominfos()).toBe(1);
  });
});
