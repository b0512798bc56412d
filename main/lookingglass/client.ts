import { stat } from 'node:fs/promises';
import type { ClientInfo, ErrorInfo } from '../../shared/api';
import { errorInfo } from '../common/errors';
import { run, type RunError } from '../common/process';
import { msg } from '../../shared/i18n/message';
import { which } from '../host/which';

/** The Looking Glass release Vitrine's argv, messages and size formula are checked against. */
export const SUPPORTED_RELEASE = 'B7';
export const CLIENT_NAME = 'looking-glass-client';

/** The release in the client's first log line, `Looking Glass (B7)` → `B7`. */
export function releaseFromOutput(text: string): string | null {
  return text.match(/Looking Glass \(([^)\s]{1,40})\)[ \t]*\r?$/m)?.[1] ?? null;
}

const NOT_FOUND: ErrorInfo = errorInfo('lg-client-missing', msg('lgError.clientMissing'), msg('lgError.clientMissingHint', { release: SUPPORTED_RELEASE }));

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

const probes = new Map<string, { mtimeMs: number; release: string | null }>();

/**
 * The client's release. It has no --version: `--help` prints the banner
 * `Looking Glass (B7)` first, then the option table, and exits 255.
 * Cached per file and modification time.
 */
export async function probeRelease(path: string, timeoutMs = 5000): Promise<string | null> {
  const mtimeMs = (await stat(path)).mtimeMs;
  const cached = probes.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.release;
  const output = await run(path, ['--help'], { timeoutMs, maxBuffer: 1024 * 1024 }).then(
    ({ stdout, stderr }) => `${stdout}\n${stderr}`,
    (error: RunError) => `${error.stdout ?? ''}\n${error.stderr ?? ''}`,
  );
  const release = releaseFromOutput(output);
  probes.set(path, { mtimeMs, release });
  return release;
}

/** What the UI and the preflight say about the client: where it is, its release, why it cannot run. */
export function describeClient(path: string | null, release: string | null, uid: number, missing: ErrorInfo | null): ClientInfo {
  const problem = uid === 0 ? ROOT : missing;
  const warning =
    path && !problem
      ? release === null
        ? `Could not read the client's release; Vitrine supports Looking Glass ${SUPPORTED_RELEASE}, and the client and the host application in Windows must be the same release.`
        : release !== SUPPORTED_RELEASE
          ? `This client is Looking Glass ${release}; Vitrine supports ${SUPPORTED_RELEASE}. Options and messages may differ, and the host application in Windows must be ${release} too.`
          : null
      : null;
  return { path, release, supported: SUPPORTED_RELEASE, problem, warning };
}

/** Find the client and read its release (unless running as root, where it is never run). */
export async function inspectClient(settingPath: string | null, uid = process.getuid?.() ?? -1): Promise<ClientInfo> {
  const found = await findClient(settingPath);
  const release = found.path && uid !== 0 ? await probeRelease(found.path).catch(() => null) : null;
  return describeClient(found.path, release, uid, found.problem);
}
