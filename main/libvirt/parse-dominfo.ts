import type { DomainState, DomainSummary } from '../../shared/api';

const STATES: Record<string, DomainState> = {
  running: 'running',
  idle: 'idle',
  blocked: 'idle',
  paused: 'paused',
  'in shutdown': 'in-shutdown',
  'shut off': 'shut-off',
  crashed: 'crashed',
  pmsuspended: 'pmsuspended',
  'no state': 'no-state',
};

/** Map virsh's state words (`shut off`, `in shutdown`, …) to a DomainState. */
export function parseDomainState(text: string): DomainState {
  return STATES[text.trim().toLowerCase()] ?? 'no-state';
}

/** Split `Key:   value` lines into a map (first colon only; values keep their colons). */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * Parse `virsh dominfo NAME` (C locale) into a DomainSummary.
 * Returns null when the text lacks a name or UUID (not dominfo output).
 */
export function parseDominfo(text: string): DomainSummary | null {
  const kv = parseKeyValues(text);
  const name = kv.get('name');
  const uuid = kv.get('uuid');
  if (!name || !uuid) return null;
  const idText = kv.get('id') ?? '-';
  const id = /^\d+$/.test(idText) ? Number(idText) : null;
  return {
    name,
    uuid,
    state: parseDomainState(kv.get('state') ?? ''),
    id,
    persistent: kv.get('persistent') === 'yes',
    autostart: kv.get('autostart') === 'enable',
  };
}

/** Parse `virsh list --all --name`: one name per line, blank lines ignored. */
export function parseNameList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Between the commands of one listing (echo prints it); no domain name holds a '/'. */
export const LISTING_SEPARATOR = '/vitrine-listing/';

/**
 * The commands of one `virsh` run that lists every domain with what
 * `dominfo` gives (one process instead of one per domain), separated by
 * echo so that parseListing can cut the output.
 */
export const LISTING_COMMANDS = [
  'list --all --uuid --name',
  'list --all',
  'list --all --persistent --uuid',
  'list --all --autostart --uuid',
].join(`; echo ${LISTING_SEPARATOR}; `);

const STATE_WORDS = Object.keys(STATES).sort((a, b) => b.length - a.length);

/**
 * Parse LISTING_COMMANDS' output (C locale, --quiet) into summaries. A
 * domain whose table row cannot be matched to its name (a name that looks
 * like a state, a domain defined between two commands) is in `unmatched`,
 * for the caller to ask with dominfo. Null when the text is not such output.
 */
export function parseListing(text: string): { domains: DomainSummary[]; unmatched: string[] } | null {
  const parts = text.split(LISTING_SEPARATOR);
  if (parts.length !== 4) return null;
  const [uuidNames, table, persistent, autostart] = parts as [string, string, string, string];
  const persistentSet = new Set(parseNameList(persistent));
  const autostartSet = new Set(parseNameList(autostart));
  // Table rows: ` ID   NAME   STATE` (ID is '-' when inactive); the state is one of virsh's words, at the end.
  const rows = new Map<string, { id: number | null; state: DomainState }>();
  for (const raw of table.split('\n')) {
    const line = raw.trim();
    const idMatch = line.match(/^(\S+)\s+/);
    if (!idMatch) continue;
    const rest = line.slice(idMatch[0].length);
    const word = STATE_WORDS.find((w) => rest.toLowerCase().endsWith(w) && /\s/.test(rest.charAt(rest.length - w.length - 1)));
    if (!word) continue;
    const name = rest.slice(0, rest.length - word.length).trimEnd();
    const id = /^\d+$/.test(idMatch[1]!) ? Number(idMatch[1]) : null;
    // A name seen twice (impossible in libvirt, or a row cut wrongly) is left to dominfo.
    if (rows.has(name)) rows.set(name, { id: null, state: 'no-state' as DomainState });
    else rows.set(name, { id, state: STATES[word]! });
  }
  const domains: DomainSummary[] = [];
  const unmatched: string[] = [];
  for (const line of uuidNames.split('\n')) {
    const match = line.trim().match(/^([0-9a-fA-F-]{36}) (.+)$/);
    if (!match) continue;
    const [, uuid, name] = match as unknown as [string, string, string];
    const row = rows.get(name);
    if (!row || row.state === 'no-state') {
      unmatched.push(name);
      continue;
    }
    domains.push({ name, uuid, state: row.state, id: row.id, persistent: persistentSet.has(uuid), autostart: autostartSet.has(uuid) });
  }
  return { domains, unmatched };
}
