import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write';
import { compareText } from '../common/collate';

export interface HistoryEntry {
  /** The file name, which sorts by time: `2026-11-21T08-01-28-759Z.xml`. */
  id: string;
  /** When this definition was replaced. */
  savedAt: string;
  /** Why it was replaced (the edit that followed). */
  reason: string;
}

const SAFE_UUID = /^[0-9a-f-]{36}$/i;

/**
 * Previous definitions of each domain, kept in the user's data folder
 * (`history/<uuid>/<time>.xml` with a `.reason` beside it), so that any edit
 * can be undone.
 */
export class DefinitionHistory {
  constructor(private readonly root: string) {}

  private dir(uuid: string): string {
    if (!SAFE_UUID.test(uuid)) throw new Error(`not a domain UUID: ${uuid}`);
    return join(this.root, 'history', uuid.toLowerCase());
  }

  /** Keep a definition that is about to be replaced. */
  async save(uuid: string, xml: string, reason: string, now = new Date()): Promise<HistoryEntry> {
    const dir = this.dir(uuid);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const id = `${now.toISOString().replace(/[:.]/g, '-')}.xml`;
    // The reason first: an entry is listed by its .xml file, which appears whole or not at all.
    await writeFileAtomic(join(dir, `${id}.reason`), reason, { mode: 0o600 });
    await writeFileAtomic(join(dir, id), xml, { mode: 0o600 });
    return { id, savedAt: now.toISOString(), reason };
  }

  /** The saved definitions, newest first. */
  async list(uuid: string): Promise<HistoryEntry[]> {
    const names = await readdir(this.dir(uuid)).catch(() => [] as string[]);
    const entries = await Promise.all(
      names
        .filter((n) => n.endsWith('.xml'))
        .map(async (id) => ({
          id,
          savedAt: id.replace(/\.xml$/, '').replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z'),
          reason: (await readFile(join(this.dir(uuid), `${id}.reason`), 'utf8').catch(() => '')).trim(),
        })),
    );
    return entries.sort((a, b) => compareText(b.id, a.id));
  }

  async read(uuid: string, id: string): Promise<string | null> {
    if (!/^[\w-]+\.xml$/.test(id)) return null;
    return readFile(join(this.dir(uuid), id), 'utf8').catch(() => null);
  }
}

/** A unified diff of two definitions, as `virsh edit` users read it (the diff library loads with the first: Play never needs it). */
export async function unifiedDiff(before: string, after: string, name: string): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  return createTwoFilesPatch(`${name} (current)`, `${name} (new)`, before, after, undefined, undefined, { context: 3 });
}
