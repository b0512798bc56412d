import type { HugepageReservation, Msg, PlanCommand } from '../../shared/api';
import { msg } from '../../shared/i18n/message';
import { VitrineError } from '../common/errors';
import type { HugepageInfo } from '../host/cpu-topology';
import { tokens } from './kernel-args';

/** The sysctl.d file that reserves 2 MiB pages at every boot (read by systemd-sysctl early at boot). */
export const HUGEPAGES_SYSCTL = '/etc/sysctl.d/80-vitrine-hugepages.conf';

/** Read only: a vm.nr_hugepages there is applied after the sysctl.d files and wins. */
export const SYSCTL_CONF = '/etc/sysctl.conf';

const KiB_PER = { '2M': 2048, '1G': 1024 * 1024 } as const;
const GiB_KiB = 1024 * 1024;

/** What the host keeps for itself: 2 GiB, or a tenth of its memory when that is more. */
export function hostMarginKiB(memTotalKiB: number): number {
  return Math.max(2 * GiB_KiB, Math.ceil(memTotalKiB / 10));
}

/** The kernel parameters that reserve 1 GiB pages at boot (and make 1 GiB the default size, so `hugepages=` counts them). */
export function gigaPageArgs(pages: number): string[] {
  return ['default_hugepagesz=1G', 'hugepagesz=1G', `hugepages=${pages}`];
}

const HUGEPAGE_PARAM = /^(default_hugepagesz|hugepagesz|hugepages)=/;

/** Whether hugepage parameters on a line are exactly the set Vitrine writes (then a new plan may replace them). */
function isOwnSet(found: string[]): boolean {
  return found.length === 3 && found[0] === 'default_hugepagesz=1G' && found[1] === 'hugepagesz=1G' && /^hugepages=\d+$/.test(found[2]!);
}

/** The page count a reservation asks for: given, or enough pages for the memory. */
export function reservationPages(request: HugepageReservation): number {
  return request.pages ?? Math.ceil((request.memoryMiB! * 1024) / KiB_PER[request.size]);
}

const sizeMsg = (size: HugepageReservation['size']) => msg(size === '2M' ? 'prepare.hugepages.size2M' : 'prepare.hugepages.size1G');
const sizeText = (size: HugepageReservation['size']): string => (size === '2M' ? '2 MiB' : '1 GiB');
const mibOf = (kib: number): number => Math.floor(kib / 1024);
/** "hugepage" for one, as the catalogue's plural forms say it. */
const pagesWord = (pages: number): string => (pages === 1 ? 'hugepage' : 'hugepages');
const amount = (kib: number): string => (kib % GiB_KiB === 0 ? `${kib / GiB_KiB} GiB` : `${mibOf(kib)} MiB`);
const amountMsg = (kib: number): Msg => (kib % GiB_KiB === 0 ? msg('prepare.hugepages.gib', { n: kib / GiB_KiB }) : msg('prepare.hugepages.mib', { n: mibOf(kib) }));

/** A warning for the plan: its English, and its catalogue message for the UI. */
export type Warn = (english: string, message: Msg) => void;

/** The hugepage part of a plan: files, commands and kernel parameters, each with its reason. */
export interface HugepageSteps {
  pages: number;
  sizeKiB: number;
  /** Files to write (null after: remove), in order. */
  writes: { path: string; after: string | null; reason: string; reasonMsg: Msg }[];
  /** The runtime reservation (2 MiB pages, memory free now), with its inverse. */
  commands: PlanCommand[];
  /** Kernel parameters to add through the bootloader (1 GiB pages). */
  kernelArgs: string[];
  /** The sysctl file takes effect at once (the runtime command is planned): no reboot for it. */
  now: boolean;
  /** For the plan's reason (its message is read back from the English: plan-text.ts), and the kernel parameters' message. */
  summary: string;
  argsMsg: Msg | null;
}

/** What the hugepage planner reads besides the request. */
export interface HugepageFacts {
  info: HugepageInfo | null;
  gigaPages: boolean;
  /** The running kernel line, and the tokens of the configured lines (GRUB's, /etc/kernel/cmdline). */
  cmdline: string;
  configured: string[][];
  files: Record<string, string | null>;
}

/**
 * Plan a hugepage reservation (pure). 2 MiB pages: `vm.nr_hugepages` in a
 * sysctl.d file, and `sysctl -w` at once when the memory is free now (its
 * inverse puts the pool back to the size it had). 1 GiB pages: kernel
 * parameters (they can only be reserved at boot), through the same
 * bootloader steps as vfio's. Refuses, saying why, when the page size is not
 * supported, when the host would keep less than its margin, or when the
 * kernel line already holds a reservation Vitrine did not make. No figure
 * that changes by the minute (free memory) goes into the plan's text, so the
 * helper's plan has the id the user reviewed.
 */
export function planHugepages(request: HugepageReservation, facts: HugepageFacts, header: string, warn: Warn): HugepageSteps {
  const info = facts.info;
  if (!info || info.memTotalKiB <= 0) throw VitrineError.of('hugepages-unknown', msg('prepare.hugepages.unknown'), msg('prepare.hugepages.unknownHint'));
  if (info.pools.length === 0) throw VitrineError.of('hugepages-unsupported', msg('prepare.hugepages.none'), msg('prepare.hugepages.noneHint'));
  const sizeKiB = KiB_PER[request.size];
  const pages = reservationPages(request);
  const pool = info.pools.find((p) => p.sizeKiB === sizeKiB);
  if (request.size === '1G' && !facts.gigaPages) throw VitrineError.of('hugepages-size', msg('prepare.hugepages.noPdpe1gb'), msg('prepare.hugepages.use2M'));
  if (!pool) throw VitrineError.of('hugepages-size', msg('prepare.hugepages.noPool', { size: sizeMsg(request.size), dir: `/sys/kernel/mm/hugepages/hugepages-${sizeKiB}kB` }), msg(request.size === '1G' ? 'prepare.hugepages.use2M' : 'prepare.hugepages.noneHint'));

  // The memory: other pools' reservations stay; the host keeps its margin.
  const otherKiB = info.pools.filter((p) => p.sizeKiB !== sizeKiB).reduce((sum, p) => sum + p.total * p.sizeKiB, 0);
  const wantedKiB = pages * sizeKiB;
  const margin = hostMarginKiB(info.memTotalKiB);
  const left = info.memTotalKiB - otherKiB - wantedKiB;
  if (left < margin) {
    throw VitrineError.of(
      'hugepages-memory',
      msg(otherKiB > 0 ? 'prepare.hugepages.tooMuchOther' : 'prepare.hugepages.tooMuch', { count: pages, size: sizeMsg(request.size), reserved: mibOf(wantedKiB), left: Math.max(0, mibOf(left)), total: mibOf(info.memTotalKiB), margin: Math.ceil(margin / 1024), other: mibOf(otherKiB) }),
      msg('prepare.hugepages.tooMuchHint', { most: Math.max(0, Math.floor((info.memTotalKiB - otherKiB - margin) / sizeKiB)), size: sizeMsg(request.size) }),
    );
  }

  // The kernel line: a reservation Vitrine did not write is the user's, and Vitrine does not override it.
  const lines = [tokens(facts.cmdline), ...facts.configured].map((line) => line.filter((t) => HUGEPAGE_PARAM.test(t)));
  const foreign = [...new Set(lines.filter((found) => found.length > 0 && !isOwnSet(found)).flat())];
  const gigaDefault = lines.some((found) => found.some((t) => t.startsWith('default_hugepagesz=') && t !== 'default_hugepagesz=2M'));
  if (request.size === '2M' && (info.defaultSizeKiB !== 2048 || gigaDefault)) {
    throw VitrineError.of('hugepages-default-size', msg('prepare.hugepages.defaultSize', { args: lines.flat().filter((t) => t.startsWith('default_hugepagesz=')).join(' ') || `Hugepagesize ${info.defaultSizeKiB} kB` }), msg('prepare.hugepages.defaultSizeHint'));
  }
  if (request.size === '1G' && foreign.length > 0) {
    throw VitrineError.of('hugepages-kernel-line', msg('prepare.hugepages.kernelLine', { args: foreign.join(' ') }), msg('prepare.hugepages.kernelLineHint'));
  }
  if (request.size === '2M' && foreign.length > 0) {
    warn(`The kernel line also reserves hugepages (${foreign.join(' ')}); ${HUGEPAGES_SYSCTL} sets the 2 MiB pool after it at every boot.`, msg('prepare.hugepages.warn.kernelLine', { args: foreign.join(' '), file: HUGEPAGES_SYSCTL }));
  }
  if (/^\s*vm\.nr_hugepages\s*=/m.test(facts.files[SYSCTL_CONF] ?? '')) {
    warn(`${SYSCTL_CONF} sets vm.nr_hugepages too, and is read after ${HUGEPAGES_SYSCTL}: remove that line there, or it decides the pool's size at boot.`, msg('prepare.hugepages.warn.sysctlConf', { conf: SYSCTL_CONF, file: HUGEPAGES_SYSCTL }));
  }

  const summary = `reserve ${pages} ${pagesWord(pages)} of ${sizeText(request.size)} (${amount(wantedKiB)})`;
  const steps: HugepageSteps = { pages, sizeKiB, writes: [], commands: [], kernelArgs: [], now: false, summary, argsMsg: null };
  if (request.size === '1G') {
    steps.kernelArgs = gigaPageArgs(pages);
    steps.argsMsg = msg('prepare.hugepages.step.kernelArgs', { count: pages, args: steps.kernelArgs.join(' ') });
    // 1 GiB becomes the default size: a vm.nr_hugepages of Vitrine's would then count 1 GiB pages at boot.
    if ((facts.files[HUGEPAGES_SYSCTL] ?? null) !== null) {
      steps.writes.push({
        path: HUGEPAGES_SYSCTL,
        after: null,
        reason: 'With 1 GiB as the default hugepage size, vm.nr_hugepages would count 1 GiB pages: the 2 MiB reservation goes (the 2 MiB pool empties at the next boot).',
        reasonMsg: msg('prepare.hugepages.step.removeSysctl'),
      });
    }
    return steps;
  }
  steps.writes.push({
    path: HUGEPAGES_SYSCTL,
    after: `${header}\n# ${pages} hugepages of 2 MiB (${amount(wantedKiB)}) for VM memory, reserved at every boot.\nvm.nr_hugepages = ${pages}\n`,
    reason: `Reserve ${pages} ${pagesWord(pages)} of 2 MiB (${amount(wantedKiB)}) at every boot, early, before memory is fragmented.`,
    reasonMsg: msg('prepare.hugepages.step.sysctl', { count: pages, amount: amountMsg(wantedKiB) }),
  });
  if (pool.total !== pages) {
    // At once when the memory the pool grows by is free now (keeping the margin); else at the next boot.
    const grow = Math.max(0, (pages - pool.total) * sizeKiB);
    if (grow === 0 || grow + margin <= info.memAvailableKiB) {
      steps.commands.push({
        kind: 'run',
        argv: ['sysctl', '-w', `vm.nr_hugepages=${pages}`],
        reason: `Reserve them now, without a reboot (the pool had ${pool.total}).`,
        reasonMsg: msg('prepare.hugepages.step.now', { before: pool.total }),
        long: false,
        inverse: ['sysctl', '-w', `vm.nr_hugepages=${pool.total}`],
      });
      steps.now = true;
    } else {
      warn(`The memory for the ${pages} pages is not free now: they are reserved at the next boot (or close programs and plan again to reserve them at once).`, msg('prepare.hugepages.warn.notFree', { count: pages }));
    }
  } else steps.now = true;
  return steps;
}
