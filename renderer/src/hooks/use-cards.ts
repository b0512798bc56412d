import { useEffect, useRef, useState } from 'react';
import type { ClientLaunch, DomainSummary, ErrorInfo, Result, VmCard } from '../../../shared/api';
import { msg } from '../../../shared/i18n/message';
import { api } from '../api';

/** One part of a card as a request gives it: the last value (kept while the next loads and when it fails) and the last error. */
export interface CardPart<T> {
  value: T | null;
  error: ErrorInfo | null;
}

/** What a dashboard card shows: its VM's details and, for a VM with a PCI device, the Looking Glass checks. */
export interface CardData {
  details: CardPart<VmCard['details'] extends Result<infer T> ? T : never>;
  launch: CardPart<ClientLaunch>;
}

const EMPTY: CardData = { details: { value: null, error: null }, launch: { value: null, error: null } };

/** A part after a request's answer: a success replaces value and clears the error; a failure keeps the value. */
function settle<T>(part: CardPart<T>, result: Result<T>): CardPart<T> {
  return result.ok ? { value: result.value, error: null } : { value: part.value, error: result.error };
}

/** Which answer a domain's card needs: a new domain (uuid) or a new state asks again. */
const keyOf = (d: DomainSummary): string => `${d.uuid}\n${d.state}`;

/**
 * The cards' data of every listed domain, asked in ONE request (`vm.cards`,
 * one virsh process on the other side) for all the domains that need it: at
 * first every domain, then those whose state changed. Only the latest request
 * of a domain counts; a card keeps its last value while the next one loads.
 */
export function useCards(domains: DomainSummary[] | null): ReadonlyMap<string, CardData> {
  const [cards, setCards] = useState<ReadonlyMap<string, CardData>>(() => new Map());
  /** Per domain name: the key its last request was for, and that request's number. */
  const asked = useRef(new Map<string, { key: string; request: number }>());
  const requests = useRef(0);

  useEffect(() => {
    if (!domains) return;
    const listed = new Set(domains.map((d) => d.name));
    for (const name of [...asked.current.keys()]) if (!listed.has(name)) asked.current.delete(name);
    const stale = domains.filter((d) => asked.current.get(d.name)?.key !== keyOf(d));
    if (stale.length === 0) return;
    const request = ++requests.current;
    for (const d of stale) asked.current.set(d.name, { key: keyOf(d), request });
    const names = stale.map((d) => d.name);
    // Asked in the next task: a live event draws its new state within its own message (flushSync, which runs this effect
    // too), and this request, its JSON and its send wait until that is done. Never cancelled: `asked` already counts on it.
    setTimeout(() => void api.vm.cards({ names }).then((result) => {
      setCards((previous) => {
        const next = new Map([...previous].filter(([name]) => asked.current.has(name)));
        for (const name of names) {
          if (asked.current.get(name)?.request !== request) continue; // a later request answers for it
          const before = previous.get(name) ?? EMPTY;
          const card = result.ok ? result.value.find((c) => c.name === name) : undefined;
          const failed = result.ok ? null : result.error;
          next.set(name, {
            details: settle(before.details, card ? card.details : { ok: false, error: failed ?? missing(name) }),
            // No launch for a VM without a PCI device: the last one stays (the card does not read it then).
            launch: card ? (card.launch ? settle(before.launch, card.launch) : before.launch) : settle(before.launch, { ok: false, error: failed ?? missing(name) }),
          });
        }
        return next;
      });
    }));
  }, [domains]);

  return cards;
}

/** An answer without the card asked for: never from this app's main side (a bug), but a card must not wait for ever. */
function missing(name: string): ErrorInfo {
  const message = `no card came back for ${name}`;
  return { kind: 'internal', message: `Unexpected error: ${message}`, hint: 'This is a bug in Vitrine. Please report it with the steps that led here.', msg: { message: msg('error.internal', { message }), hint: msg('error.internalHint') } };
}
