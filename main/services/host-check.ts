import type { HostCheck } from '../../shared/api';
import { buildChecklist } from '../host/checklist';
import { gatherEnvironment } from '../host/environment';
import type { HostRoots } from '../host/roots';
import { scanHost } from '../host/scan';
import { Virsh } from '../libvirt/virsh';

/**
 * Scan the host and build the readiness checklist: `services.hostCheck()`,
 * and what `vitrine doctor` runs without wiring every other service.
 * `virsh version` is started first: the scan reads sysfs synchronously, so a
 * child started after it would only begin once the scan is over; started
 * before, it runs beside the scan.
 */
export async function hostCheck(libvirtUri: string, roots: HostRoots, cacheDir: string): Promise<HostCheck> {
  const version = new Virsh({ uri: libvirtUri, timeoutMs: 15_000 }).run(['version']);
  // Read only when virsh is on PATH (gatherEnvironment decides); its failure is reported there.
  version.catch(() => undefined);
  const [env, report] = await Promise.all([gatherEnvironment(libvirtUri, () => version, roots), scanHost({ cacheDir, ...roots })]);
  return { ...report, checks: buildChecklist(report, env) };
}
