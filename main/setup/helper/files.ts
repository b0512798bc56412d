import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/**
 * Called at every step that changes the disk (a temporary file made, filled,
 * renamed; a file deleted). The helper points it at its kill switch on a
 * scratch root, so a test can stop it at every step in turn.
 */
export const writeHooks: { checkpoint: () => void } = { checkpoint: () => undefined };

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

/**
 * Refuse to write where another user could swap something in: every existing
 * folder from / down to the file's own must be owned by root or by the
 * helper's user and writable by no one else (a sticky folder such as /tmp is
 * fine above the root, where only the owner of an entry may rename it).
 * Together with refuseLinks this closes the gap between the link check and
 * the write: no one but the helper's user can change those folders meanwhile.
 */
export async function refuseUnsafeDirs(root: string, full: string): Promise<void> {
  const uid = process.getuid?.() ?? 0;
  const dirs: string[] = [];
  for (let dir = dirname(full); ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dir === '/' || dir === dirname(dir)) break;
  }
  for (const dir of dirs) {
    const info = await lstat(dir).catch(() => null);
    if (!info) return; // the rest is created by the helper (0755)
    if (info.isSymbolicLink()) throw new HelperError(4, `${dir} is a symbolic link; the helper never writes through links.`);
    const above = root !== '/' && !(dir === root || dir.startsWith(`${root}/`));
    const owned = info.uid === 0 || info.uid === uid;
    const closed = (info.mode & 0o022) === 0 || (above && (info.mode & 0o1000) !== 0);
    if (!owned || !closed) {
      throw new HelperError(4, `${dir} could be changed by another user (owner uid ${info.uid}, mode ${(info.mode & 0o7777).toString(8)}); the helper only writes in folders owned by root${uid === 0 ? '' : ` or uid ${uid}`} that no one else can write.`);
    }
  }
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** What a path is when it is not a regular file or a link (null otherwise). */
function specialKind(info: Stats): string | null {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return null;
}

/**
 * The file's bytes, or null if it does not exist. Opened without following a
 * final link and without blocking (a named pipe would hang a plain read), and
 * checked on the descriptor itself: a folder, pipe, device or socket is refused.
 */
export async function readOrNull(full: string): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new HelperError(4, `${full} is a symbolic link; the helper never reads or writes through links.`);
    if (code === 'ENXIO') throw new HelperError(4, `${full} is a socket or a device, not a regular file; move it away and try again.`);
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HelperError(4, `${full} is ${specialKind(info) ?? 'not a regular file'}, not a regular file; move it away and try again.`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Refuse a planned path that exists as anything but a regular file (a folder, pipe, device, socket or link). */
export async function refuseSpecial(full: string): Promise<void> {
  const info = await lstat(full).catch(() => null);
  if (!info || info.isFile()) return;
  if (info.isSymbolicLink()) throw new HelperError(4, `${full} is a symbolic link; the helper never writes through links.`);
  throw new HelperError(4, `${full} is ${specialKind(info) ?? 'not a regular file'}, not a regular file; move it away and try again.`);
}

/** The prefix of the helper's temporary files next to `full` (`.NAME.vitrine-`). */
export const tempPrefix = (full: string): string => `.${basename(full)}.vitrine-`;

/** Remove temporary files a killed helper left next to `full` (regular files named `.NAME.vitrine-*` only). */
export async function removeStaleTemps(full: string): Promise<string[]> {
  const dir = dirname(full);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(tempPrefix(full))) continue;
    const info = await lstat(join(dir, name)).catch(() => null);
    if (!info?.isFile()) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed.push(join(dir, name));
  }
  return removed;
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

/** Options of atomicWrite: exact owner and mode (rollback), and the points tests use to fail or stop a write. */
export interface WriteOptions {
  /** Give the file this mode, owner and group (the owner only when running as root), instead of keeping the replaced file's. */
  exact?: { mode: number; uid: number; gid: number };
  /** Called once the temporary file holds the bytes, before it is renamed (a test's failure point). */
  onTempWritten?: () => void;
  /** Called right after the rename (a test's kill point). */
  onRenamed?: () => void;
}

/**
 * Write a file atomically: a temporary file in the same folder, fsync, the
 * owner and mode of the file it replaces (or `mode` for a new one, or
 * `exact`), rename, fsync the folder. A reader sees the old bytes or the new,
 * never half. On any failure the temporary file is removed.
 */
export async function atomicWrite(full: string, data: Buffer | string, mode: number, options: WriteOptions = {}): Promise<void> {
  await refuseSpecial(full);
  const existing = await stat(full).catch(() => null);
  const temp = join(dirname(full), `${tempPrefix(full)}${process.pid}-${Date.now()}`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      writeHooks.checkpoint();
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    writeHooks.checkpoint();
    options.onTempWritten?.();
    const owner = options.exact ?? (existing ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } : null);
    if (owner && process.getuid?.() === 0) await chown(temp, owner.uid, owner.gid);
    await chmod(temp, owner?.mode ?? mode);
    await rename(temp, full);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  writeHooks.checkpoint();
  options.onRenamed?.();
  await fsyncDir(dirname(full));
}

/** Delete a file and make the deletion durable. */
export async function atomicDelete(full: string): Promise<void> {
  await unlink(full).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  writeHooks.checkpoint();
  await fsyncDir(dirname(full));
}

/** Remove folders the helper created, innermost first, if they are empty. */
export async function removeEmptyDirs(dirs: string[]): Promise<void> {
  // rmdir, never rm: it removes a folder only when it is empty (rm without recursive refuses every folder).
  for (const dir of [...dirs].reverse()) await rmdir(dir).catch(() => undefined);
}

/** Remove the temporary files a killed helper left anywhere under one of its own folders (backups); returns them. */
export async function removeTempsUnder(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const full = join(dir, name);
    const info = await lstat(full).catch(() => null);
    if (info?.isDirectory()) removed.push(...(await removeTempsUnder(full)));
    else if (info?.isFile() && /^\..+\.vitrine-\d+-\d+$/.test(name)) {
      await unlink(full).catch(() => undefined);
      removed.push(full);
    }
  }
  return removed;
}
