/** One line of `virsh event --loop --all --timestamp`. */
export interface DomainEvent {
  /** The timestamp virsh printed, as text (`2026-11-21 08:01:28.759+0000`), or null. */
  timestamp: string | null;
  /** The event type: `lifecycle`, `reboot`, `control-error`, … */
  type: string;
  domain: string;
  /** For lifecycle events, e.g. `Started`, `Stopped`, `Defined`, `Undefined`. */
  event: string | null;
  /** For lifecycle events, e.g. `Booted`, `Destroyed`, `Added`. */
  detail: string | null;
}

// Greedy name match: a domain name may itself contain a quote.
const EVENT_LINE = /^(?:(\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{4}): )?event '([^']+)' for domain '(.*)'(?:: (.*))?$/;

/**
 * Parse one event line; returns null for other output (`events received: N`,
 * blank lines). See shared/reference/libvirt.md "Events".
 */
export function parseEventLine(line: string): DomainEvent | null {
  const match = line.trim().match(EVENT_LINE);
  if (!match) return null;
  const [, timestamp, type, domain, rest] = match;
  if (type === undefined || domain === undefined) return null;
  let event: string | null = null;
  let detail: string | null = null;
  if (type === 'lifecycle' && rest) {
    const space = rest.indexOf(' ');
    event = space < 0 ? rest : rest.slice(0, space);
    detail = space < 0 ? null : rest.slice(space + 1);
  } else if (rest) {
    detail = rest;
  }
  return { timestamp: timestamp ?? null, type, domain, event, detail };
}
