import { msg, type Msg, type MsgValue } from '../../shared/i18n/message';
import { english } from '../common/text';

/**
 * The words of host preparation plans: every step's reason and every warning
 * as a catalogue message beside its English (the CLI prints the English, the
 * UI shows the message in its language), and the plan's own reason as a
 * message, read back from its English so that a change set's record (which
 * keeps the English only) is shown translated too.
 */

/** A step's reason: its English, and the same as a catalogue message. */
export interface Said {
  reason: string;
  reasonMsg: Msg;
}

/** A reason from its message (the English is the message's), or with its English given (text with numbers written as the CLI always wrote them). */
export const said = (message: Msg, text: string = english(message)): Said => ({ reason: text, reasonMsg: message });

/** A plan's warnings, in English and as messages (msgs[i] says texts[i]). */
export class Warnings {
  readonly texts: string[] = [];
  readonly msgs: Msg[] = [];

  add(message: Msg, text: string = english(message)): void {
    this.texts.push(text);
    this.msgs.push(message);
  }

  /** The warnings once each (an undo can meet the same one twice). */
  unique(): { texts: string[]; msgs: Msg[] } {
    const texts: string[] = [];
    const msgs: Msg[] = [];
    this.texts.forEach((text, i) => {
      if (texts.includes(text)) return;
      texts.push(text);
      msgs.push(this.msgs[i]!);
    });
    return { texts, msgs };
  }
}

/** A list of words as one message: "a, b and c" in the catalogue's words ('and' last, or commas only). */
export function listMsg(items: MsgValue[], and = true): Msg {
  return msg('prepare.reason.list', { first: items[0] ?? '', more: moreMsg(items.slice(1), and) });
}

function moreMsg(rest: MsgValue[], and: boolean): MsgValue {
  if (rest.length === 0) return '';
  if (rest.length === 1 && and) return msg('prepare.reason.last', { item: rest[0]! });
  return msg('prepare.reason.more', { item: rest[0]!, more: moreMsg(rest.slice(1), and) });
}

/** One part of a plan's reason ("bind … to vfio-pci"), by kind, with its values. */
interface ReasonPart {
  kind: 'bind' | 'handover' | 'handoverSingle' | 'lookingGlass' | 'ignoreMsrs' | 'unsafeInterrupts' | 'hugepages';
  params: Record<string, MsgValue>;
  /** For bind and handover: the addresses, in order. */
  addresses?: string[];
}

const ADDRESSES = '([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7](?:(?:, | and )[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7])*)';
const PARTS: [ReasonPart['kind'], RegExp][] = [
  ['bind', new RegExp(`^bind ${ADDRESSES} to vfio-pci`)],
  ['handoverSingle', new RegExp(`^hand ${ADDRESSES} over to their VM when it starts \\(single-GPU mode\\)`)],
  ['handover', new RegExp(`^hand ${ADDRESSES} over to their VM when it starts`)],
  ['lookingGlass', /^give ([a-z_][a-z0-9_-]{0,31}) access to Looking Glass memory/],
  ['ignoreMsrs', /^let KVM ignore unhandled MSRs/],
  ['unsafeInterrupts', /^allow unsafe interrupts/],
  ['hugepages', /^reserve (\d+) hugepages? of (2 MiB|1 GiB) \((\d+) (GiB|MiB)\)/],
];

/** The parts of a plan's English reason (as planReason writes it), or null when it is not one. */
function reasonParts(text: string): ReasonPart[] | null {
  let rest = `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  if (!rest.endsWith('.')) return null;
  rest = rest.slice(0, -1);
  const parts: ReasonPart[] = [];
  while (rest.length > 0) {
    if (parts.length > 0) {
      const sep = rest.startsWith(', ') ? ', ' : rest.startsWith(' and ') ? ' and ' : null;
      if (sep === null) return null;
      rest = rest.slice(sep.length);
    }
    const found = PARTS.map(([kind, re]) => [kind, rest.match(re)] as const).find(([, m]) => m !== null);
    if (!found) return null;
    const [kind, m] = found as [ReasonPart['kind'], RegExpMatchArray];
    rest = rest.slice(m[0].length);
    if (kind === 'bind' || kind === 'handover' || kind === 'handoverSingle') parts.push({ kind, params: {}, addresses: m[1]!.split(/, | and /) });
    else if (kind === 'lookingGlass') parts.push({ kind, params: { user: m[1]! } });
    else if (kind === 'hugepages') {
      const amount = msg(m[4] === 'GiB' ? 'prepare.hugepages.gib' : 'prepare.hugepages.mib', { n: Number(m[3]) });
      parts.push({ kind, params: { count: Number(m[1]), size: msg(m[2] === '2 MiB' ? 'prepare.hugepages.size2M' : 'prepare.hugepages.size1G'), amount } });
    } else parts.push({ kind, params: {} });
  }
  return parts.length > 0 ? parts : null;
}

/** A number as the English text writes it (no thousands separator) and as the message's English renders it. */
const sameNumbers = (a: string, b: string): boolean => a.replace(/(\d),(?=\d{3}\b)/g, '$1') === b.replace(/(\d),(?=\d{3}\b)/g, '$1');

/** The message of the reason's parts: the first one as it starts a sentence (`lead`) or inside one (`part`), then the others. */
function partsMsg(parts: ReasonPart[], key: string, first: 'lead' | 'part'): Msg {
  // A lone card's functions are listed with 'and'; beside other parts, with commas (the 'and' goes before the last part).
  const alone = parts.length === 1;
  const words = parts.map((p, i) => msg(`prepare.reason.${i === 0 ? first : 'part'}.${p.kind}`, p.addresses ? { addresses: listMsg(p.addresses, alone) } : p.params));
  return msg(key, { first: words[0]!, more: moreMsg(words.slice(1), true) });
}

/**
 * A plan's reason as a message, from its English ("Bind 0000:01:00.0,
 * 0000:01:00.1 to vfio-pci and give alice access to Looking Glass memory.");
 * null when the text is not one the planner writes (a record of another
 * version). The message's English is the text itself.
 */
export function planReasonMsg(text: string): Msg | null {
  if (text === 'Nothing asked.') return msg('prepare.reason.nothing');
  const parts = reasonParts(text);
  if (!parts) return null;
  const message = partsMsg(parts, 'prepare.reason.sentence', 'lead');
  return sameNumbers(english(message), text) ? message : null;
}

/** An undo's reason as a message ("Undo: bind …"), from the English reason of the change it undoes. */
export function undoReasonMsg(changeReason: string, undoText: string): Msg | null {
  const parts = changeReason === 'Nothing asked.' ? null : reasonParts(changeReason);
  if (!parts) return null;
  const message = partsMsg(parts, 'changes.undoReason', 'part');
  return sameNumbers(english(message), undoText) ? message : null;
}
