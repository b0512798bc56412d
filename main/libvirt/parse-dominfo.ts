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
