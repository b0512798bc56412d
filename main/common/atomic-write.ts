import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomHex } from './random';

export interface AtomicWriteOptions {
  /** The new file's mode (default 0600: Vitrine's files are the user's alone). */
  mode?: number;
  /** Create the folder first, with this mode, when it is missing. */
  dirMode?: number;
}

/**
 * Write a file so that a reader sees either the old bytes or the new ones,
 * never a part of them: the data goes to a temporary file of this write's own
 * beside it (a unique name, so concurrent writers never share one), is flushed
 * to disk, then renamed over the file. On any failure (a full disk, say) the
 * temporary file is removed and the old file is left as it was.
 * Every store of Vitrine's writes through this.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  if (options.dirMode !== undefined) await mkdir(dir, { recursive: true, mode: options.dirMode });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomHex(6)}.tmp`);
  let handle: FileHandle | null = null;
  try {
    handle = await open(tmp, 'wx', options.mode ?? 0o600);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(tmp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    // A write through a file handle names no file: name the one being written.
    if (error instanceof Error && !(error as NodeJS.ErrnoException).path) (error as NodeJS.ErrnoException).path = path;
    throw error;
  }
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Run `task` after every earlier task of the same key has settled, so that a
 * read-modify-write of one file (settings.json, wizard.json) never interleaves
 * with another in this process and no update is lost.
 */
export function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}
