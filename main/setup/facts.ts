import { constants, type Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostReport } from '../../shared/api';
import type { HugepageInfo } from '../host/cpu-topology';
import { VitrineError } from '../common/errors';
import { msg, type Msg } from '../../shared/i18n/message';
import { PLAN_FILES, PLAN_MARKERS, type PlanFacts } from './planner';

/** A host path under a root ('/' for the real host, where it is the path itself; a scratch folder in tests). */
export function underRoot(root: string, path: string): string {
  return join(root, path);
}

/** The catalogue's word for what a path is (error.setup.kind.*): specialKind's, or `other`. */
function specialKey(info: Stats): string {
  return info.isDirectory() ? 'folder' : info.isFIFO() ? 'pipe' : info.isCharacterDevice() || info.isBlockDevice() ? 'device' : info.isSocket() ? 'socket' : 'other';
}

/** What a path is when it is not a regular file or a link (null otherwise). */
export function specialKind(info: Stats): string | null {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return null;
}

function notAFile(path: string, what: Msg): VitrineError {
  return VitrineError.of('not-a-file', msg('error.setup.notAFile', { path, what }), msg('error.setup.notAFileHint'));
}

/**
 * A planned file's text, or null when it does not exist. Opened without
 * blocking (a named pipe would otherwise hang the read) and checked to be a
 * regular file on the descriptor itself, so nothing can be swapped in between
 * the check and the read. Folders, pipes, devices and sockets are refused.
 */
async function readPlanned(path: string, full: string, follow: boolean): Promise<string | null> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW);
  let handle;
  try {
    handle = await open(full, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
    if (code === 'ENXIO') throw notAFile(path, msg('error.setup.kind.socketOrDevice'));
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notAFile(path, msg(`error.setup.kind.${specialKey(info)}`));
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Read what the planner needs: the files it may change, the tools present,
 * the command line; the memory and hugepage pools (read through the host
 * roots by `readHugepages`, the one reader VM planning uses too) when given.
 */
export async function gatherPlanFacts(root: string, report: HostReport, hugepages: HugepageInfo | null = null): Promise<PlanFacts> {
  const files: Record<string, string | null> = {};
  const symlinks = new Set<string>();
  const exists = new Set<string>();
  await Promise.all(
    PLAN_FILES.map(async (path) => {
      const full = underRoot(root, path);
      const info = await lstat(full).catch(() => null);
      if (info?.isSymbolicLink()) symlinks.add(path);
      else if (info && !info.isFile()) throw notAFile(path, msg(`error.setup.kind.${specialKey(info)}`));
      files[path] = info ? await readPlanned(path, full, info.isSymbolicLink()) : null;
    }),
  );
  await Promise.all(
    PLAN_MARKERS.map(async (path) => {
      if (await lstat(underRoot(root, path)).catch(() => null)) exists.add(path);
    }),
  );
  return { cpuVendor: report.cpu.vendor, devices: report.devices, files, exists, symlinks, cmdline: report.kernel.cmdline, hugepages, gigaPages: report.cpu.gigaPages };
}
