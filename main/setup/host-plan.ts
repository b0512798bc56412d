import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { readHugepages } from '../host/cpu-topology';
import { hostRoots, type HostRoots } from '../host/roots';
import { scanHost } from '../host/scan';
import { gatherPlanFacts } from './facts';
import { planHost } from './planner';

/**
 * Where a scratch root's host is read from: its own sys/, proc/, dev/ and
 * lib/modules/ when it has a sysfs tree (null when it has none). The app and
 * the helper use this one rule, so both read the same host and plan alike.
 */
export function scratchHostRoots(root: string): HostRoots | null {
  const sys = join(root, 'sys');
  return existsSync(join(sys, 'bus', 'pci', 'devices')) ? hostRoots({ sys, proc: join(root, 'proc'), dev: join(root, 'dev'), modules: join(root, 'lib', 'modules') }) : null;
}

/**
 * Plan a request on a host: scan it (through `roots`), read the files the
 * planner may change under `root`, and run the pure planner. The app calls
 * this to show the plan; the root helper calls it again for itself and
 * applies only when its own plan has the id the user reviewed.
 */
export async function planOnHost(request: PlanRequest, root: string, roots: HostRoots): Promise<HostPlan> {
  const [report, hugepages] = await Promise.all([scanHost(roots), request.hugepages ? readHugepages(roots) : null]);
  return planHost(request, await gatherPlanFacts(root, report, hugepages));
}
