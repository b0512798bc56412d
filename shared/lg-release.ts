import { msg, type Msg } from './i18n/message';
import { lookingGlassMiB, type LgSizeFormula } from './lg-size';

/**
 * Looking Glass releases and what each one changes for Vitrine: the option
 * names, `win:setGuestRes`, the memory formula and the guest package.
 * Read from the Looking Glass sources (tag B7 and the line after it that
 * becomes B8): `win:setGuestRes` appeared in development build B7-62, the new
 * transport (lgmp:* options, the renames, the new memory formula, the display
 * driver guest side) in B7-390, and B8's release candidates carry all of it.
 * shared/reference/looking-glass.md. Pure: the renderer shows the guest
 * package and the minimum size from it.
 */

/** One row of the release table. */
export interface LgReleaseRow {
  /** How the row is named in the table: `B7`, `B7-NNN (≥ 390)`, `B8-rcN`, `B8`. */
  row: string;
  /** The shared memory option: `app:shmFile` up to B7-389, `lgmp:shmDevice` from B7-390. */
  shmOption: 'app:shmFile' | 'lgmp:shmDevice';
  /** The release has `win:setGuestRes` (on by default; refuses `win:autoResize=yes` with it). */
  setGuestRes: boolean;
  formula: LgSizeFormula;
  /** The matching guest side: B7's host service (needs a monitor or dummy plug) or B8's display driver. */
  guest: 'host-service' | 'idd';
}

/** What Vitrine does for a client release. */
export interface LgRules extends LgReleaseRow {
  /** The release as the banner gives it (`B7-247-gbc96319b`), or the assumed one. */
  release: string;
  /** false: not in the table (an unknown newer or older release, or none read): the note says which rules apply. */
  known: boolean;
  /** Why these rules were picked when the release is not in the table. */
  note: string | null;
  /** The note as a catalogue message, for the UI (note stays the English). */
  noteMsg: Msg | null;
  /** Options this release warns about (renamed: old → new) — never put in its argv. */
  renamed: Record<string, string>;
  /** Options this release ignores (`Ignored unknown argument`) — never put in its argv. */
  unknown: string[];
}

/** B7 → B8 renames (the old names print `X has been renamed to Y, please update your configuration`). */
export const LG_RENAMED: Readonly<Record<string, string>> = {
  'app:shmFile': 'lgmp:shmDevice',
  'app:allowDMA': 'lgmp:allowDMA',
  'app:framePollInterval': 'lgmp:framePollInterval',
  'app:cursorPollInterval': 'lgmp:cursorPollInterval',
  'spice:scaleCursor': 'input:scaleCursor',
  'spice:captureOnStart': 'input:captureOnStart',
  'spice:alwaysShowCursor': 'input:alwaysShowCursor',
  'spice:showCursorDot': 'input:showCursorDot',
  'spice:largeCursorDot': 'input:largeCursorDot',
  'spice:clipboardToVM': 'clipboard:toVM',
  'spice:clipboardToLocal': 'clipboard:toLocal',
};
/** Removed after B7 (then ignored as unknown). */
export const LG_REMOVED = ['audio:bufferLatency'];
/** Added after B7 (B7 ignores them as unknown). */
export const LG_ADDED = [
  'app:transport',
  'win:setGuestRes',
  'win:disableWaitingMessage',
  'input:evdev',
  'input:evdevExclusive',
  'input:mouseTrace',
  'spice:usbAudio',
  'spice:waitForServer',
  'audio:latencyOffset',
  'audio:resampler',
  'audio:debug',
];

/** Development builds: the first build (commits after B7) with each change. */
export const SET_GUEST_RES_FROM = 62;
export const NEW_TRANSPORT_FROM = 390;

const B7_ROW: LgReleaseRow = { row: 'B7', shmOption: 'app:shmFile', setGuestRes: false, formula: 'b7', guest: 'host-service' };
const B8_ROW: LgReleaseRow = { row: 'B8', shmOption: 'lgmp:shmDevice', setGuestRes: true, formula: 'b8', guest: 'idd' };

/** The release table, oldest first (the docs and `vitrine lg args --release` list it). */
export const LG_RELEASE_TABLE: readonly LgReleaseRow[] = [
  B7_ROW,
  { ...B7_ROW, row: `B7-NNN (< ${SET_GUEST_RES_FROM})` },
  { ...B7_ROW, row: `B7-NNN (${SET_GUEST_RES_FROM}–${NEW_TRANSPORT_FROM - 1})`, setGuestRes: true },
  { ...B8_ROW, row: `B7-NNN (≥ ${NEW_TRANSPORT_FROM})` },
  { ...B8_ROW, row: 'B8-rcN' },
  B8_ROW,
];

/** The newest release Vitrine knows; the default when no client is installed is the one it was checked against. */
export const NEWEST_KNOWN = 'B8';
export const DEFAULT_RELEASE = 'B7';

/** The release in the client's banner line, `Looking Glass (B7)` → `B7`, `Looking Glass (B7-247-gbc96319b)` → `B7-247-gbc96319b`. */
export function releaseFromBanner(text: string): string | null {
  return text.match(/Looking Glass \(([^)\s]{1,40})\)[ \t]*\r?$/m)?.[1] ?? null;
}

/** `B7`, `B7-247-gbc96319b`, `B8-rc1`, `B8` → its parts; null when it is not a Looking Glass release name. */
export function parseRelease(text: string): { major: number; rc: number | null; dev: number | null; minor: string | null } | null {
  const m = text.trim().match(/^B(\d{1,3})(?:\.(\d+(?:\.\d+)?))?(?:-rc(\d{1,3}))?(?:-(\d{1,6})-g[0-9a-f]{4,40})?(?:-dirty)?$/i);
  if (!m) return null;
  return { major: Number(m[1]), minor: m[2] ?? null, rc: m[3] ? Number(m[3]) : null, dev: m[4] ? Number(m[4]) : null };
}

/** The row a parsed release falls on, or null when it is not in the table. */
function rowOf(p: NonNullable<ReturnType<typeof parseRelease>>): LgReleaseRow | null {
  if (p.major === 7 && p.minor === null && p.rc === null) {
    if (p.dev === null) return LG_RELEASE_TABLE[0]!;
    if (p.dev < SET_GUEST_RES_FROM) return LG_RELEASE_TABLE[1]!;
    if (p.dev < NEW_TRANSPORT_FROM) return LG_RELEASE_TABLE[2]!;
    return LG_RELEASE_TABLE[3]!;
  }
  if (p.major === 8 && p.minor === null && p.dev === null) return p.rc !== null ? LG_RELEASE_TABLE[4]! : LG_RELEASE_TABLE[5]!;
  return null;
}

function withLists(row: LgReleaseRow, release: string, known: boolean, note: string | null, noteMsg: Msg | null = null): LgRules {
  const renamed = row.shmOption === 'lgmp:shmDevice' ? { ...LG_RENAMED } : {};
  const unknown = row.formula === 'b8' ? [...LG_REMOVED] : row.setGuestRes ? LG_ADDED.filter((o) => o !== 'win:setGuestRes') : [...LG_ADDED];
  return { ...row, release, known, note, noteMsg, renamed, unknown };
}

/**
 * The rules for a client release: its table row; an unknown newer release
 * gets the newest known rules and a note; an older or unreadable one gets
 * B7's and a note.
 */
export function rulesFor(release: string | null): LgRules {
  if (release === null) return withLists(B7_ROW, DEFAULT_RELEASE, false, `The client's release is not known: Vitrine uses the ${DEFAULT_RELEASE} rules.`, msg('lgClient.note.unknown', { rules: DEFAULT_RELEASE }));
  const parsed = parseRelease(release);
  const row = parsed ? rowOf(parsed) : null;
  if (parsed && row) return withLists(row, release, true, null);
  if (parsed && (parsed.major > 8 || (parsed.major === 8 && (parsed.dev !== null || parsed.minor !== null)))) {
    return withLists(B8_ROW, release, false, `Looking Glass ${release} is newer than the releases Vitrine knows (up to ${NEWEST_KNOWN}): Vitrine uses the ${NEWEST_KNOWN} rules.`, msg('lgClient.note.newer', { release, rules: NEWEST_KNOWN }));
  }
  return withLists(
    B7_ROW,
    release,
    false,
    parsed ? `Looking Glass ${release} is older than ${DEFAULT_RELEASE}, the oldest release Vitrine supports: Vitrine uses the ${DEFAULT_RELEASE} rules; install ${DEFAULT_RELEASE} or newer.` : `"${release}" is not a Looking Glass release name: Vitrine uses the ${DEFAULT_RELEASE} rules.`,
    parsed ? msg('lgClient.note.older', { release, rules: DEFAULT_RELEASE }) : msg('lgClient.note.notARelease', { release, rules: DEFAULT_RELEASE }),
  );
}

/** The memory a resolution needs on a release (its formula). */
export function lookingGlassMiBFor(rules: Pick<LgReleaseRow, 'formula'>, width: number, height: number, hdr = false): number {
  return lookingGlassMiB(width, height, hdr, rules.formula);
}

/** The guest package that matches a client release, and its silent install command (run in Windows as administrator). */
export interface LgGuestPackage {
  kind: 'host-service' | 'idd';
  file: string;
  silent: string;
  /** B7's host service captures a real output: the card needs a monitor or a dummy plug. */
  needsDummyPlug: boolean;
}

export function guestPackage(rules: Pick<LgReleaseRow, 'guest'>): LgGuestPackage {
  return rules.guest === 'idd'
    ? { kind: 'idd', file: 'looking-glass-idd-setup.exe', silent: 'looking-glass-idd-setup.exe /S /ivshmem', needsDummyPlug: false }
    : { kind: 'host-service', file: 'looking-glass-host-setup.exe', silent: 'looking-glass-host-setup.exe /S', needsDummyPlug: true };
}

/** The troubleshooter's advice for a client of this release whose guest side differs. */
export function mismatchAdvice(release: string): string {
  const rules = rulesFor(release);
  const guest = guestPackage(rules);
  return `This client is Looking Glass ${release}: in Windows, install the ${rules.guest === 'idd' ? 'display driver' : 'host service'} of the same release, ${guest.file} (silently, as administrator: ${guest.silent})${guest.needsDummyPlug ? '; the graphics card needs a monitor or a dummy plug' : '; it is a virtual monitor, no dummy plug needed'}.`;
}

/** The same advice as a catalogue message, for the UI (the unit test checks the English is the same). */
export function mismatchAdviceMsg(release: string): Msg {
  const rules = rulesFor(release);
  const guest = guestPackage(rules);
  return msg(rules.guest === 'idd' ? 'lgStatus.adviceIdd' : 'lgStatus.adviceHostService', { release, file: guest.file, silent: guest.silent });
}
