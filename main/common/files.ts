import { readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FolderListing } from '../../shared/api';
import { msg } from '../../shared/i18n/message';
import { VitrineError } from './errors';
import { compareText } from './collate';

const MAX_ENTRIES = 2000;

/** Free space of the file system holding `dir` (or its nearest existing parent), in GiB. */
export async function freeGiB(dir: string): Promise<number | null> {
  for (let d = dir; ; d = dirname(d)) {
    const fs = await statfs(d).catch(() => null);
    if (fs) return Math.floor((fs.bavail * fs.bsize) / 1024 ** 3);
    if (d === '/') return null;
  }
}

/**
 * A folder for the file picker (the browser has no path-giving file dialog):
 * sub-folders, then files with the extension, hidden ones left out. Runs as
 * the user, so it shows what the user may read.
 */
export async function listFolder(dir: string, extension?: string): Promise<FolderListing> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EACCES'
      ? VitrineError.of('permission', msg('error.app.folderDenied', { dir }), msg('error.app.folderHint'))
      : VitrineError.of('missing-file', msg('error.app.folderMissing', { dir }), msg('error.app.folderHint'));
  });
  const entries: FolderListing['entries'] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort(compareText).slice(0, MAX_ENTRIES)) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) entries.push({ name, path, kind: 'dir', sizeBytes: 0 });
    else if (st.isFile() && (!extension || name.toLowerCase().endsWith(extension.toLowerCase()))) entries.push({ name, path, kind: 'file', sizeBytes: st.size });
  }
  entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'dir' ? -1 : 1));
  return { dir, parent: dir === '/' ? null : dirname(dir), freeGiB: await freeGiB(dir), entries };
}
