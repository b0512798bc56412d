import { rename } from 'node:fs/promises';
import type { Notice } from '../../shared/api';
import { reportNotice } from './notices';

/**
 * Move a file Vitrine cannot use to `FILE.broken-<time>` (never over an
 * earlier one), so that nothing of it is lost, and tell the user once where
 * it went. Returns the new path, or null when the file was gone already.
 */
export async function keepAside(file: string, kind: Notice['kind'], reason: string, now = new Date()): Promise<string | null> {
  const aside = `${file}.broken-${now.toISOString().replace(/[:.]/g, '-')}`;
  const moved = await rename(file, aside).then(
    () => true,
    () => false,
  );
  if (!moved) return null;
  reportNotice({ kind, path: aside, reason });
  return aside;
}
