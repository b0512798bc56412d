import { chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_DIR, manifestSchema } from './policy';
import { atomicWrite, hostPath, readOrNull, sha256 } from './files';

/** One change set's record: what was backed up, what was created, how far the apply got. */
export interface Manifest {
  id: string;
  planId: string;
  reason: string;
  createdAt: string;
  /** backing-up -> applying -> applied | failed; an undo: restoring (files back, boot commands to run) -> rolled-back. */
  state: 'backing-up' | 'applying' | 'applied' | 'failed' | 'restoring' | 'rolled-back';
  files: { path: string; sha256: string; mode: number; uid: number; gid: number }[];
  created: string[];
  createdDirs: string[];
  /** sha256 of what the plan writes to each path (null: deletes it); rollback only touches files still like this or like before. */
  planned: Record<string, string | null>;
  /** The commands the apply ran, in order; undo runs their inverses (absent in records of older versions). */
  commands?: string[][] | undefined;
  /** Inverses recorded for commands whose argv cannot say how to undo them (`sysctl -w vm.nr_hugepages=` with the pool's size before). */
  inverses?: string[][] | undefined;
}

export function backupRoot(root: string): string {
  return hostPath(root, BACKUP_DIR);
}

/** Record a change set (manifests are readable by the app without root; the copies are not). */
export async function writeManifest(root: string, manifest: Manifest): Promise<void> {
  const dir = join(backupRoot(root), manifest.id);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // Listable by the app without root whatever the umask (the copies under files/ and original/ stay 0700).
  for (const folder of [join(backupRoot(root), '..'), backupRoot(root), dir]) await chmod(folder, 0o755);
  await atomicWrite(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', 0o644);
}

/**
 * A change set's record, or null when there is none or it is not one the
 * helper accepts: JSON that passes manifestSchema (every path on the
 * allow-list, plain modes and numeric owners). Rollback checks more (see
 * main.ts: the file's owner and the links on its way).
 */
export async function readManifest(root: string, id: string): Promise<Manifest | null> {
  if (!/^[\w.-]+$/.test(id) || id === '.' || id === '..') return null;
  const text = await readFile(join(backupRoot(root), id, 'manifest.json'), 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every change set, oldest first. */
export async function listManifests(root: string): Promise<Manifest[]> {
  const ids = (await readdir(backupRoot(root)).catch(() => [] as string[])).filter((n) => n !== 'original').sort();
  const all = await Promise.all(ids.map((id) => readManifest(root, id)));
  return all.filter((m): m is Manifest => m !== null);
}

/**
 * Copy a file into the change set's folder before it is touched, and, the
 * very first time Vitrine touches that path, into `original/` forever.
 */
export async function backupFile(root: string, manifest: Manifest, path: string): Promise<void> {
  const full = hostPath(root, path);
  const data = await readOrNull(full);
  if (data === null) {
    manifest.created.push(path);
    return;
  }
  const info = await stat(full);
  const base = backupRoot(root);
  const copy = join(base, manifest.id, 'files', path);
  await mkdir(join(base, manifest.id, 'files'), { recursive: true, mode: 0o700 });
  await mkdir(join(copy, '..'), { recursive: true, mode: 0o700 });
  await atomicWrite(copy, data, 0o600);
  const original = join(base, 'original', path);
  if ((await readOrNull(original)) === null) {
    await mkdir(join(base, 'original'), { recursive: true, mode: 0o700 });
    await mkdir(join(original, '..'), { recursive: true, mode: 0o700 });
    await atomicWrite(original, data, 0o600);
  }
  manifest.files.push({ path, sha256: sha256(data), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
}

/** The backed-up bytes of a file, checked against the recorded checksum. */
export async function backedUp(root: string, manifest: Manifest, entry: Manifest['files'][number]): Promise<Buffer> {
  const data = await readOrNull(join(backupRoot(root), manifest.id, 'files', entry.path));
  if (data === null || sha256(data) !== entry.sha256) throw new Error(`the backup of ${entry.path} does not match its checksum`);
  return data;
}
