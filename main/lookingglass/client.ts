import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientInfo, ErrorInfo } from '../../shared/api';
import { DEFAULT_RELEASE, guestPackage, releaseFromBanner, rulesFor } from '../../shared/lg-release';
import { writeFileAtomic } from '../common/atomic-write';
import { errorInfo } from '../common/errors';
import { run, type RunError } from '../common/process';
import { msg } from '../../shared/i18n/message';
import { which } from '../host/which';

/** The Looking Glass releases Vitrine knows (shared/lg-release.ts); B7 is the one the real client was checked with. */
export const SUPPORTED_RELEASE = DEFAULT_RELEASE;
export const SUPPORTED_RELEASES = 'B7, B7-NNN, B8-rcN, B8';
export const CLIENT_NAME = 'looking-glass-client';

/** The release in the client's first log line, `Looking Glass (B7)` → `B7`, `Looking Glass (B7-247-gbc96319b)` → `B7-247-gbc96319b`. */
export function releaseFromOutput(text: string): string | null {
  return releaseFromBanner(text);
}

const NOT_FOUND: ErrorInfo = errorInfo('lg-client-missing', msg('lgError.clientMissing'), msg('lgError.clientMissingHint', { release: SUPPORTED_RELEASES }));

const ROOT: ErrorInfo = errorInfo('lg-root', msg('lgError.root'), msg('lgError.rootHint'));

/** The client's path: the setting when given (it must exist and be executable), else PATH. */
export async function findClient(settingPath: string | null, path = process.env['PATH'] ?? ''): Promise<{ path: string | null; problem: ErrorInfo | null }> {
  if (settingPath) {
    const found = await which(settingPath);
    if (found) return { path: found, problem: null };
    const exists = await stat(settingPath).then(() => true, () => false);
    return {
      path: null,
      problem: exists
        ? errorInfo('lg-client-missing', msg('lgError.settingNotExecutable', { path: settingPath }), msg('lgError.settingNotExecutableHint', { path: settingPath }))
        : errorInfo('lg-client-missing', msg('lgError.settingMissing', { path: settingPath }), msg('lgError.settingMissingHint')),
    };
  }
  const found = await which(CLIENT_NAME, path);
  return found ? { path: found, problem: null } : { path: null, problem: NOT_FOUND };
}

const probes = new Map<string, { key: string; release: string | null }>();
const STORE = 'lg-client-releases.json';

/** A release read in an earlier run, by file identity (path, mtime, size, inode); undefined when none. */
async function storedRelease(cacheDir: string, key: string): Promise<string | undefined> {
  try {
    const stored = JSON.parse(await readFile(join(cacheDir, STORE), 'utf8')) as unknown;
    const release = stored && typeof stored === 'object' ? (stored as Record<string, unknown>)[key] : undefined;
    return typeof release === 'string' ? release : undefined;
  } catch {
    return undefined;
  }
}

async function storeRelease(cacheDir: string, key: string, release: string): Promise<void> {
  let stored: Record<string, unknown> = {};
  try {
    const read = JSON.parse(await readFile(join(cacheDir, STORE), 'utf8')) as unknown;
    if (read && typeof read === 'object' && !Array.isArray(read)) stored = read as Record<string, unknown>;
  } catch {
    // none yet, or unreadable: start again
  }
  // The few clients seen last (a new build of the client is a new key).
  const kept = Object.entries(stored).filter(([k]) => k !== key).slice(-7);
  await writeFileAtomic(join(cacheDir, STORE), JSON.stringify(Object.fromEntries([...kept, [key, release]])), { dirMode: 0o700 }).catch(() => undefined);
}

/**
 * The client's release. It has no --version: `--help` prints the banner
 * `Looking Glass (B7)` first, then the option table, and exits 255.
 * Cached per file (its path, modification time, size and inode): in memory,
 * and with `cacheDir` on disk too, since each CLI run is a new process and
 * would otherwise start the client once more before every Play.
 */
export async function probeRelease(path: string, timeoutMs = 5000, cacheDir?: string): Promise<string | null> {
  const st = await stat(path);
  const key = `${path}\0${st.mtimeMs}\0${st.size}\0${st.ino}`;
  const cached = probes.get(path);
  if (cached && cached.key === key) return cached.release;
  const stored = cacheDir ? await storedRelease(cacheDir, key) : undefined;
  if (stored !== undefined) {
    probes.set(path, { key, release: stored });
    return stored;
  }
  const output = await run(path, ['--help'], { timeoutMs, maxBuffer: 1024 * 1024 }).then(
    ({ stdout, stderr }) => `${stdout}\n${stderr}`,
    (error: RunError) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
  );
  const release = releaseFromOutput(output);
  probes.set(path, { key, release });
  // A release not read (a timeout, say) is asked again next run.
  if (cacheDir && release !== null) await storeRelease(cacheDir, key, release);
  return release;
}

/** What the UI and the preflight say about the client: where it is, its release, the rules Vitrine follows for it, why it cannot run. */
export function describeClient(path: string | null, release: string | null, uid: number, missing: ErrorInfo | null): ClientInfo {
  const problem = uid === 0 ? ROOT : missing;
  const rules = rulesFor(release);
  const guest = guestPackage(rules);
  const guestText = `the guest side in Windows must be the same release (${guest.file}${guest.needsDummyPlug ? ', with a monitor or dummy plug on the card' : ''})`;
  const guestMsg = msg(guest.needsDummyPlug ? 'lgClient.warn.guestPlug' : 'lgClient.warn.guest', { file: guest.file });
  const warning =
    path && !problem
      ? release === null
        ? `Could not read the client's release; Vitrine uses the ${rules.release} rules, and ${guestText}.`
        : rules.note
          ? `${rules.note} ${guestText.charAt(0).toUpperCase()}${guestText.slice(1)}.`
          : null
      : null;
  const warningMsg = warning === null ? null : release === null ? msg('lgClient.warn.unreadable', { rules: rules.release, guest: guestMsg }) : msg(guest.needsDummyPlug ? 'lgClient.warn.notePlug' : 'lgClient.warn.note', { note: rules.noteMsg ?? rules.note ?? '', file: guest.file });
  return { path, release, supported: SUPPORTED_RELEASES, rules, guest, problem, warning, warningMsg };
}

/** Find the client and read its release (unless running as root, where it is never run). */
export async function inspectClient(settingPath: string | null, uid = process.getuid?.() ?? -1, cacheDir?: string): Promise<ClientInfo> {
  const found = await findClient(settingPath);
  const release = found.path && uid !== 0 ? await probeRelease(found.path, undefined, cacheDir).catch(() => null) : null;
  return describeClient(found.path, release, uid, found.problem);
}
