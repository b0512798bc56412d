import { join } from 'node:path';
import type { HostRoots } from './roots';
import { listDir, readText } from './fs-read';
import { parseCpuList } from '../../shared/cpu-list';

// The CPU-list syntax is shared with the renderer's pinning field.
export { formatCpuList, parseCpuList } from '../../shared/cpu-list';

/** One logical CPU as sysfs describes it. */
export interface LogicalCpu {
  id: number;
  /** physical_package_id */
  pkg: number;
  /** die_id (0 where the kernel has none) */
  die: number;
  /** core_id, unique within a package/die only */
  core: number;
  /** The L3 cache group: the lowest CPU sharing this CPU's L3 (an AMD CCX/CCD), or the package when no L3 is listed. */
  l3: number;
  /** The NUMA node, -1 when unknown. */
  node: number;
}

/** The host's CPUs, read from /sys/devices/system/cpu (online CPUs only). */
export interface HostTopology {
  vendor: 'intel' | 'amd' | 'other';
  cpus: LogicalCpu[];
}

const num = (text: string | null, fallback: number): number => {
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) ? n : fallback;
};

/**
 * Read the CPU topology: each online CPU's package, die, core, L3 group
 * (cache/index3/shared_cpu_list) and NUMA node (the nodeN link in its folder).
 * Null when sysfs has no CPU topology (a container, a fixture without one).
 */
export async function readCpuTopology(roots: Pick<HostRoots, 'sys' | 'proc'>): Promise<HostTopology | null> {
  const base = join(roots.sys, 'devices', 'system', 'cpu');
  const online = parseCpuList((await readText(join(base, 'online'))) ?? '');
  const ids = online && online.length > 0 ? online : (await listDir(base)).map((n) => n.match(/^cpu(\d+)$/)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const cpus: LogicalCpu[] = [];
  for (const id of ids.sort((a, b) => a - b)) {
    const dir = join(base, `cpu${id}`);
    const topo = join(dir, 'topology');
    const coreId = await readText(join(topo, 'core_id'));
    if (coreId === null) continue;
    const pkg = num(await readText(join(topo, 'physical_package_id')), 0);
    const die = num(await readText(join(topo, 'die_id')), 0);
    const l3list = parseCpuList((await readText(join(dir, 'cache', 'index3', 'shared_cpu_list'))) ?? '');
    const nodeName = (await listDir(dir)).find((n) => /^node\d+$/.test(n));
    cpus.push({ id, pkg: Math.max(0, pkg), die: Math.max(0, die), core: num(coreId, id), l3: l3list && l3list.length > 0 ? Math.min(...l3list) : -1 - Math.max(0, pkg), node: nodeName ? Number(nodeName.slice(4)) : -1 });
  }
  if (cpus.length === 0) return null;
  const cpuinfo = (await readText(join(roots.proc, 'cpuinfo'))) ?? '';
  const vendor = /AuthenticAMD/.test(cpuinfo) ? 'amd' : /GenuineIntel/.test(cpuinfo) ? 'intel' : 'other';
  return { vendor, cpus };
}

/** A PCI device's NUMA node (`numa_node`), -1 when the platform has one node or does not say. */
export async function readPciNumaNode(roots: Pick<HostRoots, 'sys'>, address: string): Promise<number> {
  return num(await readText(join(roots.sys, 'bus', 'pci', 'devices', address, 'numa_node')), -1);
}

/** Hugepage facts: /proc/meminfo and /sys/kernel/mm/hugepages. */
export interface HugepageInfo {
  memTotalKiB: number;
  memAvailableKiB: number;
  /** The default hugepage size (Hugepagesize), KiB. */
  defaultSizeKiB: number;
  pools: { sizeKiB: number; total: number; free: number }[];
}

export async function readHugepages(roots: Pick<HostRoots, 'sys' | 'proc'>): Promise<HugepageInfo | null> {
  const meminfo = await readText(join(roots.proc, 'meminfo'));
  if (meminfo === null) return null;
  const field = (name: string): number => num(meminfo.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1] ?? null, 0);
  const dir = join(roots.sys, 'kernel', 'mm', 'hugepages');
  const pools: HugepageInfo['pools'] = [];
  for (const name of await listDir(dir)) {
    const size = name.match(/^hugepages-(\d+)kB$/)?.[1];
    if (!size) continue;
    pools.push({ sizeKiB: Number(size), total: num(await readText(join(dir, name, 'nr_hugepages')), 0), free: num(await readText(join(dir, name, 'free_hugepages')), 0) });
  }
  pools.sort((a, b) => a.sizeKiB - b.sizeKiB);
  return { memTotalKiB: field('MemTotal'), memAvailableKiB: field('MemAvailable'), defaultSizeKiB: field('Hugepagesize'), pools };
}
