import { msg, type Msg } from '../../shared/i18n/message';
import { VitrineError } from '../common/errors';
import type { HugepageInfo } from '../host/cpu-topology';

/** How the host would reserve hugepages for a guest: both ways, the user (or host preparation) picks one. */
export interface HugepagePlan {
  sizeKiB: number;
  pages: number;
  /** Runtime reservation (lost at reboot; may fall short on a fragmented host): the file and the value to write. */
  runtime: { file: string; value: number };
  /** Boot-time reservation: kernel parameters to add. */
  kernelParams: string[];
}

export type HugepageVerdict = { ok: true; sizeKiB: number; pages: number } | { ok: false; reason: string; reasonMsg: Msg; plan: HugepagePlan | null };

const GiB = 1024 * 1024;

/**
 * Whether the guest's memory can be backed by hugepages now: a pool whose
 * free pages cover it (`/sys/kernel/mm/hugepages/hugepages-*kB/free_hugepages`).
 * When not, why, and the reservation that would make it possible (1 GiB pages
 * for guests of whole GiB when the host offers them, else 2 MiB pages) unless
 * the host lacks the memory altogether.
 */
export function hugepageVerdict(info: HugepageInfo | null, memoryMiB: number): HugepageVerdict {
  if (!info) return { ok: false, reason: 'This host does not say how much memory it has (/proc/meminfo cannot be read).', reasonMsg: msg('vm.hugepagesNoMeminfo'), plan: null };
  if (info.pools.length === 0) return { ok: false, reason: 'This kernel offers no hugepages (/sys/kernel/mm/hugepages is empty: built without CONFIG_HUGETLBFS).', reasonMsg: msg('vm.hugepagesNoPools'), plan: null };
  const memoryKiB = memoryMiB * 1024;
  const usable = info.pools.filter((p) => memoryKiB % p.sizeKiB === 0 && p.free * p.sizeKiB >= memoryKiB);
  if (usable.length > 0) {
    const pool = usable.at(-1)!;
    return { ok: true, sizeKiB: pool.sizeKiB, pages: memoryKiB / pool.sizeKiB };
  }
  const reserved = info.pools.map((p) => `${p.free} of ${p.total} ${label(p.sizeKiB)} pages free`).join(', ');
  const giant = info.pools.find((p) => p.sizeKiB === GiB && memoryKiB % GiB === 0);
  const pool = giant ?? info.pools.find((p) => p.sizeKiB === 2048) ?? info.pools[0]!;
  const pages = Math.ceil(memoryKiB / pool.sizeKiB);
  // The host needs its own memory too: at least 2 GiB beside the guest's.
  if (info.memTotalKiB > 0 && memoryKiB + 2 * GiB > info.memTotalKiB) {
    return {
      ok: false,
      reason: `The guest's ${memoryMiB} MiB would leave the host less than 2 GiB of its ${Math.floor(info.memTotalKiB / 1024)} MiB once reserved as hugepages (${reserved}).`,
      reasonMsg: msg('vm.hugepagesTooBig', { memory: memoryMiB, total: Math.floor(info.memTotalKiB / 1024) }),
      plan: null,
    };
  }
  const plan: HugepagePlan = {
    sizeKiB: pool.sizeKiB,
    pages,
    runtime: { file: `/sys/kernel/mm/hugepages/hugepages-${pool.sizeKiB}kB/nr_hugepages`, value: pool.total - pool.free + pages },
    kernelParams: pool.sizeKiB === info.defaultSizeKiB ? [`hugepages=${pages}`] : [`hugepagesz=${label(pool.sizeKiB).replace(' ', '').replace('iB', '')}`, `hugepages=${pages}`],
  };
  return { ok: false, reason: `The host has not reserved enough hugepages for ${memoryMiB} MiB: ${reserved}.`, reasonMsg: msg('vm.hugepagesShort', { memory: memoryMiB }), plan };
}

function label(sizeKiB: number): string {
  return sizeKiB >= GiB ? `${sizeKiB / GiB} GiB` : `${sizeKiB / 1024} MiB`;
}

/**
 * Refuse hugepages the host cannot give, saying why and how to reserve them:
 * through host preparation (the VM page's "Reserve hugepages", or `vitrine
 * setup plan --hugepages`), which plans, shows and undoes the reservation.
 */
export function requireHugepages(info: HugepageInfo | null, memoryMiB: number): { sizeKiB: number; pages: number } {
  const verdict = hugepageVerdict(info, memoryMiB);
  if (verdict.ok) return verdict;
  const hint = verdict.plan
    ? // Strings: a number would be written with the locale's separators, and these are command-line values.
    msg('vm.hugepagesReserveHint', { pages2M: String(Math.ceil(memoryMiB / 2)), pages1G: String(Math.ceil(memoryMiB / 1024)) })
    : msg('vm.hugepagesNoPlanHint');
  throw VitrineError.of('hugepages-unavailable', msg('vm.hugepagesRefused', { reason: verdict.reasonMsg }), hint);
}
