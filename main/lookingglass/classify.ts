import type { LgState } from '../../shared/api';
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
  /** A sentence for the user, when the line deserves one. */
  message: string | null;
}

const FATAL = new Set(['lg-shm-missing', 'lg-shm-permission', 'lg-shm-empty', 'lg-no-display', 'lg-root', 'lg-spice']);

const MESSAGES: Record<string, (line: string) => string> = {
  'lg-host-not-running': () => 'Waiting for the Looking Glass host application in Windows.',
  'lg-too-small': (line) => {
    const n = line.match(/Recommend increase size to (\d+) MiB/)?.[1];
    return n ? `The shared memory is too small for the guest's resolution: it needs ${n} MiB.` : "The shared memory is too small for the guest's resolution.";
  },
  'lg-version-mismatch': () => 'The host application in Windows is a different Looking Glass release from this client.',
  'lg-shm-missing': () => 'The shared memory file does not exist.',
  'lg-shm-permission': () => 'The client may not open the shared memory.',
  'lg-shm-empty': () => 'The shared memory file is empty (the VM has not sized it).',
  'lg-no-display': () => 'The client found no display server (no DISPLAY or WAYLAND_DISPLAY).',
  'lg-root': () => 'The client refuses to run as root.',
  'lg-spice': () => "The client could not reach the VM's SPICE server.",
  'lg-bad-option': (line) => `The client rejected an option: ${line.trim().slice(0, 160)}`,
};

/**
 * Classify a line the client printed, with the troubleshooter's own patterns
 * (diagnose/knowledge.ts), so the supervisor and the troubleshooter never
 * disagree about what a message means.
 */
export function classifyLine(line: string): LineMeaning {
  const release = releaseFromOutput(line);
  if (release) return { state: null, problem: null, fatal: false, release, message: null };
  if (/Host ready, reported version|Starting session/.test(line)) return { state: 'running', problem: null, fatal: false, release: null, message: 'Showing the guest.' };
  const top = matchTexts([{ source: 'looking-glass', label: 'client', text: line }]).find((m) => m.entry.id.startsWith('lg-'));
  if (!top) return { state: null, problem: null, fatal: false, release: null, message: null };
  const id = top.entry.id;
  return {
    state: id === 'lg-host-not-running' ? 'waiting-for-guest' : null,
    problem: id === 'lg-host-not-running' && !/Check the host log/.test(line) ? null : id,
    fatal: FATAL.has(id),
    release: null,
    message: (MESSAGES[id] ?? (() => top.entry.title))(line),
  };
}
