import { rename } from 'node:fs/promises';
import type { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-write';
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

/**
 * Read a store's JSON text key by key over its defaults: each key is checked
 * alone with `patch` (a schema of optional keys), so one bad value costs only
 * itself. A file that is not a JSON object is kept aside whole; one with bad
 * values is kept aside as it was and the good values are written back, so the
 * user is told once and nothing they typed is lost.
 */
export async function salvageJson<T extends object>(file: string, text: string, patch: z.ZodType<Partial<T>>, defaults: T, kind: Notice['kind'], what: string): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    await keepAside(file, kind, 'not JSON');
    return { ...defaults };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    await keepAside(file, kind, `not ${what}`);
    return { ...defaults };
  }
  const good: T = { ...defaults };
  const invalid: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const one = patch.safeParse({ [key]: value });
    if (one.success) Object.assign(good, one.data);
    else invalid.push(key);
  }
  if (invalid.length > 0 && (await keepAside(file, kind, `invalid: ${invalid.join(', ')}`))) {
    await writeFileAtomic(file, `${JSON.stringify(good, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
  }
  return good;
}
