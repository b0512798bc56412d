import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore } from '../../main/state/settings';
import { TaskTracker } from '../../main/state/tasks';
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

  it('a hand-edited bad value falls back to its default and keeps the others', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ onClientClose: 'explode', clientPath: 'relative/path', language: 'fr' }));
    expect(await new SettingsStore(dir).get()).toEqual({ ...DEFAULT_SETTINGS, language: 'fr' });
  });

  it('a file that is not JSON is kept aside, not lost', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    const store = new SettingsStore(dir);
    expect(await store.get()).toEqual(DEFAULT_SETTINGS);
    expect(readFileSync(join(dir, 'settings.json.broken'), 'utf8')).toBe('{ not json');
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
  });

  it('refuses a bad value with a message', async () => {
    await expect(new SettingsStore(scratch()).set({ onClientClose: 'never' as never })).rejects.toThrow(/Invalid setting/);
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
