import { watch, type FSWatcher, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * Wait until `path` exists and `ready` says yes, up to `timeoutMs`: checked
 * at once, then each time its folder reports a change (inotify through
 * fs.watch; a file being created or resized), with no timer polling. Resolves
 * true when ready, false at the deadline (the caller then carries on and
 * reports what is missing as it would have).
 */
export async function waitForFile(path: string, ready: (st: Stats) => boolean, timeoutMs: number): Promise<boolean> {
  const check = async (): Promise<boolean> => {
    const st = await stat(path).catch(() => null);
    return st !== null && ready(st);
  };
  if (await check()) return true;
  return new Promise<boolean>((resolve) => {
    let watcher: FSWatcher | null = null;
    let done = false;
    const finish = (value: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher?.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    try {
      watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(path)) void check().then((ok) => ok && finish(true));
      });
      watcher.on('error', () => undefined);
    } catch {
      // No folder to watch: nothing will appear in time; the deadline ends the wait.
    }
    // It may have appeared between the first check and the watch.
    void check().then((ok) => ok && finish(true));
  });
}
