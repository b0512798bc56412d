import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/** A refusal with the exit code that says why. */
export class HelperError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A host path under the helper's root ('/' for real, a scratch folder for tests and dry runs). */
export function hostPath(root: string, path: string): string {
  if (!path.startsWith('/') || path.split('/').includes('..')) throw new HelperError(4, `${path} is not an absolute, plain path.`);
  return root === '/' ? path : join(root, path);
}

/**
 * Refuse a path if any part of it below the root is a symbolic link (a link
 * could send a root write anywhere). Missing parts are fine (created later).
 */
export async function refuseLinks(root: string, full: string): Promise<void> {
  const rel = relative(root, full);
  let current = root;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    const info = await lstat(current).catch(() => null);
    if (!info) return;
    if (info.isSymbolicLink()) throw new HelperError(4, `${current} is a symbolic link; the helper never writes through links.`);
  }
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** The file's bytes, or null if it does not exist. */
export async function readOrNull(full: string): Promise<Buffer | null> {
  try {
    return await readFile(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Create missing parent folders (0755); returns the ones it made, outermost first. */
export async function makeParents(root: string, full: string): Promise<string[]> {
  const made: string[] = [];
  const missing: string[] = [];
  for (let dir = dirname(full); dir.startsWith(root) && dir !== root; dir = dirname(dir)) {
    if (await stat(dir).catch(() => null)) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await mkdir(dir, { mode: 0o755 });
    made.push(dir);
  }
  return made;
}

/**
 * Write a file atomically: a temporary file in the same folder, fsync, the
 * owner and mode of the file it replaces (or `mode` for a new one), rename,
 * fsync the folder. A reader sees the old bytes or the new, never half.
 */
export async function atomicWrite(full: string, data: Buffer | string, mode: number, onRenamed?: () => void): Promise<void> {
  const existing = await stat(full).catch(() => null);
  const temp = join(dirname(full), `.${basename(full)}.vitrine-${process.pid}-${Date.now()}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (existing) {
      await chmod(temp, existing.mode & 0o7777);
      if (process.getuid?.() === 0) await chown(temp, existing.uid, existing.gid);
    } else await chmod(temp, mode);
    await rename(temp, full);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  onRenamed?.();
  await fsyncDir(dirname(full));
}

/** Delete a file and make the deletion durable. */
export async function atomicDelete(full: string): Promise<void> {
  await unlink(full).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fsyncDir(dirname(full));
}

/** Remove folders the helper created, innermost first, if they are empty. */
export async function removeEmptyDirs(dirs: string[]): Promise<void> {
  for (const dir of [...dirs].reverse()) await rm(dir, { recursive: false }).catch(() => undefined);
}
