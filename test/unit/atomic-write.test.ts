import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serialized, writeFileAtomic } from '../../main/common/atomic-write';
import { toErrorInfo } from '../../main/common/errors';
import { SettingsStore } from '../../main/state/settings';
import { WizardStore } from '../../main/state/wizard';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-atomic-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the file whole, with its mode, and leaves no temporary file', async () => {
    const dir = scratch();
    const file = join(dir, 'a', 'settings.json');
    await writeFileAtomic(file, '{"x":1}\n', { mode: 0o600, dirMode: 0o700 });
    expect(readFileSync(file, 'utf8')).toBe('{"x":1}\n');
    expect(readdirSync(join(dir, 'a'))).toEqual(['settings.json']);
  });

  it('leaves the old file as it was and removes its temporary file when the write fails', async () => {
    const dir = scratch();
    const target = join(dir, 'taken');
    mkdirSync(target); // renaming a file over a folder fails
    writeFileSync(join(target, 'inside'), 'old');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('old');
  });

  it('lets concurrent writers of one file each finish, the file always whole', async () => {
    const dir = scratch();
    const file = join(dir, 'f.json');
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeFileAtomic(file, JSON.stringify({ i }))));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('i');
    expect(readdirSync(dir)).toEqual(['f.json']);
  });
});

describe('serialized', () => {
  it('runs tasks of one key one after another, even when one fails', async () => {
    const order: string[] = [];
    const step = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((done, reject) =>
        setTimeout(() => {
          order.push(name);
          if (fail) reject(new Error(name));
          else done(name);
        }, ms),
      );
    const results = await Promise.allSettled([serialized('k', step('a', 30)), serialized('k', step('b', 1, true)), serialized('k', step('c', 1))]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('the stores under concurrent changes', () => {
  it('settings: every concurrent change succeeds and none is lost', async () => {
    const store = new SettingsStore(scratch());
    const changes = [
      store.set({ language: 'fr' }),
      store.set({ onClientClose: 'keep-running' }),
      store.set({ trayHintShown: true }),
      ...Array.from({ length: 196 }, (_, i) => store.set({ fallbackResolution: { width: 1000 + i, height: 800 } })),
      store.set({ clientPath: '/opt/lg/looking-glass-client' }),
    ];
    await expect(Promise.all(changes)).resolves.toHaveLength(200);
    const saved = JSON.parse(readFileSync(join(store.file), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ language: 'fr', onClientClose: 'keep-running', trayHintShown: true, clientPath: '/opt/lg/looking-glass-client', fallbackResolution: { width: 1195, height: 800 } });
    // The file equals the last write, and no temp file is left.
    expect(saved).toEqual(await changes.at(-1));
    expect(readdirSync(join(store.file, '..'))).toEqual(['settings.json']);
    expect(await new SettingsStore(join(store.file, '..')).get()).toMatchObject(saved);
  });

  it('wizard: concurrent changes of different fields all survive', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'boot_id'), 'b1\n');
    const store = new WizardStore(dir, join(dir, 'boot_id'));
    const steps = ['welcome', 'host', 'gpu', 'prepare', 'create', 'install', 'attach', 'play'] as const;
    const writes = [
      store.set({ gpu: '0000:01:00.0' }),
      store.set({ vm: 'win11' }),
      store.set({ lookingGlass: { mode: 'shm', sizeMiB: 64 } }),
      ...Array.from({ length: 196 }, (_, i) => store.set({ step: steps[i % steps.length]! })),
      store.set({ step: 'create' }),
    ];
    await expect(Promise.all(writes)).resolves.toHaveLength(200);
    expect(await store.get()).toMatchObject({ gpu: '0000:01:00.0', vm: 'win11', step: 'create', lookingGlass: { mode: 'shm', sizeMiB: 64 } });
    expect(readdirSync(dir).sort()).toEqual(['boot_id', 'wizard.json']);
  });
});

describe('file system failures, explained', () => {
  const errno = (code: string, path = '/home/u/.config/vitrine/settings.json'): NodeJS.ErrnoException => Object.assign(new Error(`${code}: failed, write '${path}'`), { code, path });

  it('names a full disk and what to free, never "a bug"', () => {
    const info = toErrorInfo(errno('ENOSPC'));
    expect(info.kind).toBe('disk-full');
    expect(info.message).toContain('The disk is full (/home/u/.config/vitrine/settings.json)');
    expect(info.hint).toMatch(/Free some space .*df -h/);
    expect(`${info.message} ${info.hint}`).not.toMatch(/bug/i);
  });

  it('names a permission problem', () => {
    expect(toErrorInfo(errno('EACCES'))).toMatchObject({ kind: 'permission' });
    expect(toErrorInfo(errno('EROFS'))).toMatchObject({ kind: 'read-only' });
  });

  it('a write to a full device is named as a full disk', async () => {
    const full = await writeFile('/dev/full', 'x').then(
      () => null,
      (e: unknown) => e,
    );
    expect(toErrorInfo(full)).toMatchObject({ kind: 'disk-full' });
  });

  // A real full file system: a 1 MiB tmpfs (mounting needs root, as CI runs).
  it.skipIf(process.getuid?.() !== 0)('settings on a full 1 MiB tmpfs: the change fails naming the full disk, the old file stays whole, no temp file is left', async () => {
    const dir = scratch();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      const store = new SettingsStore(dir);
      await store.set({ language: 'fr' });
      const before = readFileSync(store.file, 'utf8');
      // Fill what is left.
      const filler = join(dir, 'filler');
      await writeFile(filler, Buffer.alloc(2 * 1024 * 1024)).catch(() => undefined);
      let failure: unknown = null;
      await store.set({ clientPath: '/opt/looking-glass/' + 'x'.repeat(3000) }).catch((e: unknown) => (failure = e));
      expect(failure).not.toBeNull();
      const info = toErrorInfo(failure);
      expect(info.kind).toBe('disk-full');
      expect(info.message).toContain(dir);
      expect(readFileSync(store.file, 'utf8')).toBe(before);
      expect(readdirSync(dir).sort()).toEqual(['filler', 'settings.json']);
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
