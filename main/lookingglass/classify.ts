import type { LgState } from '../../shared/api';
import { msg, type Msg } from '../../shared/i18n/message';
import { english } from '../common/text';
import { matchTexts } from '../diagnose/match';
import { releaseFromOutput } from './client';

/** What one line of the client's output means for the supervisor. */
export interface LineMeaning {
  /** The state it implies, when it implies one. */
  state: LgState | null;
  /** The troubleshooter entry it matches (`lg-too-small`, …). */
  problem: string | null;
  /** The client cannot recover from it: do not restart. */
  fatal: boolean;
  release: string | null;
  /** A sentence for the user, when the line deserves one (the English of messageMsg). */
  message: string | null;
  messageMsg: Msg | null;
}

const FATAL = new Set(['lg-shm-missing', 'lg-shm-permission', 'lg-shm-empty', 'lg-no-display', 'lg-root', 'lg-spice']);

const MESSAGES: Record<string, (line: string) => Msg> = {
  'lg-host-not-running': () => msg('lgStatus.hostNotRunning'),
  'lg-too-small': (line) => {
    const n = line.match(/Recommend increase size to (\d+) MiB/)?.[1];
    return n ? msg('lgStatus.tooSmallNeeds', { size: n }) : msg('lgStatus.tooSmall');
  },
  'lg-version-mismatch': () => msg('lgStatus.versionMismatch'),
  'lg-shm-missing': () => msg('lgStatus.shmMissing'),
  'lg-shm-permission': () => msg('lgStatus.shmPermission'),
  'lg-shm-empty': () => msg('lgStatus.shmEmpty'),
  'lg-no-display': () => msg('lgStatus.noDisplay'),
  'lg-root': () => msg('lgStatus.root'),
  'lg-spice': () => msg('lgStatus.spice'),
  'lg-bad-option': (line) => msg('lgStatus.badOption', { line: line.trim().slice(0, 160) }),
  'lg-black-screen': () => msg('lgStatus.blackScreen'),
};

/**
 * Classify a line the client printed, with the troubleshooter's own patterns
 * (diagnose/knowledge.ts), so the supervisor and the troubleshooter never
 * disagree about what a message means.
 */
export function classifyLine(line: string): LineMeaning {
  const release = releaseFromOutput(line);
  if (release) return { state: null, problem: null, fatal: false, release, message: null, messageMsg: null };
  if (/Host ready, reported version|Starting session/.test(line)) return { state: 'running', problem: null, fatal: false, release: null, message: english(msg('lgStatus.showing')), messageMsg: msg('lgStatus.showing') };
  const top = matchTexts([{ source: 'looking-glass', label: 'client', text: line }]).find((m) => m.entry.id.startsWith('lg-'));
  if (!top) return { state: null, problem: null, fatal: false, release: null, message: null, messageMsg: null };
  const id = top.entry.id;
  const said = MESSAGES[id]?.(line) ?? null;
  return {
    state: id === 'lg-host-not-running' ? 'waiting-for-guest' : null,
    problem: id === 'lg-host-not-running' && !/Check the host log/.test(line) ? null : id,
    fatal: FATAL.has(id),
    release: null,
    message: said ? english(said) : top.entry.title,
    messageMsg: said,
  };
}
