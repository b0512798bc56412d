import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, savedLibvirtUri, SettingsStore } from '../../main/state/settings';
import { settingsPatch } from '../../shared/schemas';
import { TaskTracker } from '../../main/state/tasks';
import { WizardStore } from '../../main/state/wizard';
import { takeNotices } from '../../main/state/notices';
import { VitrineError } from '../../main/common/errors';

const dirs: string[] = [];
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vitrine-settings-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the settings file', () => {
  it('starts from the defaults and writes only what is set, mode 600', async () => {
    const dir = scratch();
    const store = new SettingsStore(dir);
    expect(await store.get()).toEqual(DEFAULT_SETTINGS);
    await store.set({ onClientClose: 'shut-down', clientPath: '/opt/lg/looking-glass-client' });
    const file = join(dir, 'settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ onClientClose: 'shut-down', clientPath: '/opt/lg/looking-glass-client' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await new SettingsStore(dir).get()).toMatchObject({ onClientClose: 'shut-down' });
  });

  it('a hand-edited bad value falls back to its default, keeps the others, and the file as it was is kept aside and told once', async () => {
    const dir = scratch();
    const original = JSON.stringify({ onClientClose: 'explode', clientPath: 'relative/path', language: 'fr' });
    writeFileSync(join(dir, 'settings.json'), original);
    takeNotices();
    expect(await new SettingsStore(dir).get()).toEqual({ ...DEFAULT_SETTINGS, language: 'fr' });
    const aside = readdirSync(dir).filter((n) => n.startsWith('settings.json.broken-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(original);
    // The good values stay in use from the next start on.
    expect(await new SettingsStore(dir).get()).toEqual({ ...DEFAULT_SETTINGS, language: 'fr' });
    expect(takeNotices()).toEqual([{ kind: 'settings-kept-aside', path: join(dir, aside[0]!), reason: 'invalid: onClientClose, clientPath' }]);
    expect(takeNotices()).toEqual([]);
  });

  it('a file that is not JSON is kept aside, not lost, and told once', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    takeNotices();
    const store = new SettingsStore(dir);
    const [a, b] = await Promise.all([store.get(), store.get()]);
    expect(a).toEqual(DEFAULT_SETTINGS);
    expect(b).toEqual(DEFAULT_SETTINGS);
    const aside = readdirSync(dir).filter((n) => n.startsWith('settings.json.broken-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{ not json');
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(takeNotices()).toMatchObject([{ kind: 'settings-kept-aside', reason: 'not JSON' }]);
  });

  it('a broken wizard file is kept aside with its change set id, not silently reset', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'boot_id'), 'b1\n');
    const original = JSON.stringify({ step: 'install', changeSet: '2026-11-30T01-00-00Z-abc', bootIdAtApply: 'b0', gpu: 'not-a-pci-address' });
    writeFileSync(join(dir, 'wizard.json'), original);
    takeNotices();
    const view = await new WizardStore(dir, join(dir, 'boot_id')).get();
    expect(view).toMatchObject({ step: 'install', changeSet: '2026-11-30T01-00-00Z-abc', bootIdAtApply: 'b0', gpu: null, rebooted: true });
    const aside = readdirSync(dir).filter((n) => n.startsWith('wizard.json.broken-'));
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(original);
    expect(takeNotices()).toMatchObject([{ kind: 'wizard-kept-aside', reason: 'invalid: gpu' }]);

    writeFileSync(join(dir, 'wizard.json'), '{"step":');
    expect(await new WizardStore(dir, join(dir, 'boot_id')).get()).toMatchObject({ step: 'welcome' });
    expect(takeNotices()).toMatchObject([{ kind: 'wizard-kept-aside', reason: 'not JSON' }]);
  });

  it('the wizard keeps the furthest step reached: going back leaves the later steps open', async () => {
    const dir = scratch();
    const store = new WizardStore(dir, join(dir, 'boot_id'));
    await store.set({ step: 'gpu' });
    await store.set({ step: 'attach' });
    expect(await store.set({ step: 'host' })).toMatchObject({ step: 'host', reached: 'attach' });
    expect(await store.set({ step: 'create' })).toMatchObject({ step: 'create', reached: 'attach' });
    // A VM deleted elsewhere: the wizard goes back to step 5, and the later steps close.
    expect(await store.set({ step: 'create', vm: null, reached: 'create' })).toMatchObject({ step: 'create', reached: 'create' });
  });

  it('refuses a bad value with a message', async () => {
    await expect(new SettingsStore(scratch()).set({ onClientClose: 'never' as never })).rejects.toThrow(/Invalid setting/);
  });
});

describe('the libvirt URI saved in the settings, read at start-up without zod', () => {
  it("takes what the settings schema takes, and nothing else", () => {
    const values: unknown[] = [
      'qemu:///system', 'qemu:///session', 'qemu+ssh://gamer@tower/system', 'qemu+unix:///system?socket=/run/libvirt/libvirt-sock', 'test:///default',
      'qemu+ext:///system?command=/bin/sh', 'xen:///system', 'qemu//system', '', ' qemu:///system', `qemu+ssh://${'h'.repeat(282)}/system`, `qemu+ssh://${'h'.repeat(283)}/system`,
      null, 42, ['qemu:///system'], { uri: 'qemu:///system' },
    ];
    for (const value of values) {
      const dir = scratch();
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ libvirtUri: value }));
      const parsed = settingsPatch.safeParse({ libvirtUri: value });
      expect(savedLibvirtUri(dir), JSON.stringify(value)).toBe(parsed.success ? (parsed.data.libvirtUri ?? null) : null);
    }
    // Both lengths around the limit were tried: one is taken, one refused.
    expect(settingsPatch.safeParse({ libvirtUri: `qemu+ssh://${'h'.repeat(282)}/system` }).success).toBe(true);
    expect(settingsPatch.safeParse({ libvirtUri: `qemu+ssh://${'h'.repeat(283)}/system` }).success).toBe(false);
  });

  it('is null without a file, with a file that is not JSON, or with no URI in it', () => {
    const dir = scratch();
    expect(savedLibvirtUri(dir)).toBeNull();
    writeFileSync(join(dir, 'settings.json'), '{ "libvirtUri": "qemu:///session"');
    expect(savedLibvirtUri(dir)).toBeNull();
    writeFileSync(join(dir, 'settings.json'), 'null');
    expect(savedLibvirtUri(dir)).toBeNull();
    writeFileSync(join(dir, 'settings.json'), '{ "language": "fr" }');
    expect(savedLibvirtUri(dir)).toBeNull();
  });
});

describe('task progress', () => {
  it('reports each step as it moves, and a failure skips the rest', async () => {
    const tracker = new TaskTracker();
    const seen: string[] = [];
    tracker.subscribe((s) => seen.push(s.tasks[0]?.steps.map((x) => x.state[0]).join('') ?? ''));
    const task = tracker.begin('play', 'win11', 'Play win11', [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' },
    ]);
    await task.run('a', async () => 1, (v) => `got ${v}`);
    await expect(task.run('b', async () => {
      throw new VitrineError({ kind: 'x', message: 'B broke.', hint: 'Fix B.' });
    })).rejects.toThrow('B broke.');
    expect(tracker.running('win11')?.id).toBe(task.id);
    const done = task.finish(new VitrineError({ kind: 'x', message: 'B broke.', hint: 'Fix B.' }));
    expect(done).toMatchObject({ state: 'failed', error: { message: 'B broke.', hint: 'Fix B.' } });
    expect(done.steps.map((s) => [s.state, s.detail])).toEqual([['done', 'got 1'], ['failed', 'B broke.'], ['skipped', '']]);
    expect(seen).toEqual(['', 'ppp', 'rpp', 'dpp', 'drp', 'dfp', 'dfs']);
    expect(tracker.running('win11')).toBeNull();
  });
});
