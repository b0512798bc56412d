import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostReport } from '../../shared/api';
import { PLAN_FILES, PLAN_MARKERS, type PlanFacts } from './planner';

/** A host path under a root ('/' for the real host, where it is the path itself; a scratch folder in tests). */
export function underRoot(root: string, path: string): string {
  return join(root, path);
}

/** Read what the planner needs: the files it may change, the tools present, the command line. */
export async function gatherPlanFacts(root: string, report: HostReport): Promise<PlanFacts> {
  const files: Record<string, string | null> = {};
  const symlinks = new Set<string>();
  const exists = new Set<string>();
  await Promise.all(
    PLAN_FILES.map(async (path) => {
      const full = underRoot(root, path);
      const info = await lstat(full).catch(() => null);
      if (info?.isSymbolicLink()) symlinks.add(path);
      files[path] = info ? await readFile(full, 'utf8').catch(() => null) : null;
    }),
  );
  await Promise.all(
    PLAN_MARKERS.map(async (path) => {
      if (await lstat(underRoot(root, path)).catch(() => null)) exists.add(path);
    }),
  );
  return { cpuVendor: report.cpu.vendor, devices: report.devices, files, exists, symlinks, cmdline: report.kernel.cmdline };
}
