import { msg, type Msg } from '../../shared/i18n/message';
import { VitrineError } from '../common/errors';
import { english } from '../common/text';
import { formatCpuList, type HostTopology, type LogicalCpu } from '../host/cpu-topology';

/** What the user asks of the pinning (every field optional: the planner proposes). */
export interface PinningRequest {
  /** vCPUs wanted; rounded up to whole cores with their SMT siblings, capped at what the host can give. */
  vcpus?: number | undefined;
  /** The passed GPU's NUMA node (-1: unknown); cores on that node are preferred. */
  gpuNode?: number | undefined;
  /** The host CPUs to give the guest, chosen by the user (the proposal edited); checked, not changed. */
  cpus?: readonly number[] | undefined;
}

/** One generated XML line and why it is there (`reason` is the English of `reasonMsg`, for the CLI). */
export interface PinningReason {
  xml: string;
  reason: string;
  reasonMsg: Msg;
}

export interface PinningPlan {
  vendor: HostTopology['vendor'];
  /** Host CPUs the guest runs on, in vCPU order. */
  guestCpus: number[];
  /** vCPU i runs on host CPU vcpupin[i]. */
  vcpupin: number[];
  /** Where QEMU's emulator threads and the disk's I/O thread run: CPUs the host keeps. */
  emulatorpin: number[];
  iothreadpin: number[];
  topology: { sockets: 1; dies: 1; cores: number; threads: number };
  vcpus: number;
  /** AMD with SMT: the guest needs topoext to see the sibling threads. */
  topoext: boolean;
  /** The NUMA node the guest's memory should come from (hosts with more than one node). */
  numaNode: number | null;
  /** The L3 groups (by their first CPU) the guest's cores are on. */
  l3Groups: number[];
  /** Each generated line with its reason, in document order. */
  reasons: PinningReason[];
  /** What the planner changed from the request (capped vCPUs, rounded up to whole cores). */
  notes: string[];
  /** The same notes as catalogue messages, for the UI. */
  notesMsg: Msg[];
}

interface Core {
  key: string;
  cpus: number[];
  l3: number;
  node: number;
}

interface Group {
  l3: number;
  cores: Core[];
  node: number;
}

function coresOf(topology: HostTopology): Core[] {
  const byKey = new Map<string, LogicalCpu[]>();
  for (const cpu of topology.cpus) {
    const key = `${cpu.pkg}:${cpu.die}:${cpu.core}`;
    byKey.set(key, [...(byKey.get(key) ?? []), cpu]);
  }
  return [...byKey.entries()]
    .map(([key, cpus]) => ({ key, cpus: cpus.map((c) => c.id).sort((a, b) => a - b), l3: cpus[0]!.l3, node: cpus[0]!.node }))
    .sort((a, b) => a.cpus[0]! - b.cpus[0]!);
}

function groupsOf(cores: Core[]): Group[] {
  const map = new Map<number, Core[]>();
  for (const core of cores) map.set(core.l3, [...(map.get(core.l3) ?? []), core]);
  return [...map.entries()].map(([l3, list]) => ({ l3, cores: list, node: list[0]!.node })).sort((a, b) => a.cores[0]!.cpus[0]! - b.cores[0]!.cpus[0]!);
}

const invalid = (message: Msg, hint: Msg): VitrineError => VitrineError.of('invalid-pinning', message, hint);
const P = 'pinning.';
/** `n cores`, `n threads`… with the plural the language needs. */
const count = (what: 'cores' | 'threads' | 'l3groups', n: number): Msg => msg(`${P}count.${what}`, { count: n });

/** The host CPUs as a short text for messages: `0-15`. */
const range = (topology: HostTopology): string => formatCpuList(topology.cpus.map((c) => c.id));

/**
 * Plan CPU pinning for a game VM (pure): whole cores with their SMT siblings,
 * at least one core of every L3 group (CCD/CCX) left to the host, the guest on
 * one L3 group and the GPU's NUMA node where possible, the emulator and I/O
 * threads on the cores the host keeps nearest the guest, the guest topology
 * the shape of the pinned cores. User-chosen CPUs are checked by the same rules.
 */
export function planPinning(topology: HostTopology, request: PinningRequest = {}): PinningPlan {
  const cores = coresOf(topology);
  const groups = groupsOf(cores);
  const notesMsg: Msg[] = [];
  const spare = cores.length - groups.length;
  if (spare < 1) {
    throw invalid(msg(`${P}error.noneToPin`, { cores: count('cores', cores.length), groups: count('l3groups', groups.length) }), msg(`${P}error.noneToPinHint`));
  }
  let chosen: Core[];
  if (request.cpus && request.cpus.length > 0) {
    const exists = new Set(topology.cpus.map((c) => c.id));
    const missing = request.cpus.filter((c) => !exists.has(c));
    if (missing.length > 0) throw invalid(msg(`${P}error.noSuchCpu`, { cpus: formatCpuList(missing), all: range(topology) }), msg(`${P}error.noSuchCpuHint`, { all: range(topology) }));
    const wanted = new Set(request.cpus);
    chosen = cores.filter((core) => core.cpus.some((c) => wanted.has(c)));
    const split = chosen.find((core) => !core.cpus.every((c) => wanted.has(c)));
    if (split) {
      const absent = formatCpuList(split.cpus.filter((c) => !wanted.has(c)));
      throw invalid(msg(`${P}error.splitCore`, { cpus: formatCpuList(split.cpus), missing: absent }), msg(`${P}error.splitCoreHint`, { missing: absent, present: formatCpuList(split.cpus.filter((c) => wanted.has(c))) }));
    }
    const bare = groups.find((g) => g.cores.every((core) => chosen.includes(core)));
    if (bare) {
      throw invalid(msg(`${P}error.wholeL3`, { cpus: formatCpuList(bare.cores.flatMap((c) => c.cpus)) }), msg(`${P}error.wholeL3Hint`, { keep: formatCpuList(bare.cores[0]!.cpus) }));
    }
  } else {
    const smt = Math.max(1, Math.min(...cores.map((c) => c.cpus.length)));
    // Fewest groups first: the GPU's node, then groups without CPU 0 (where the host's housekeeping runs), then the larger ones.
    const order = [...groups].sort((a, b) => {
      const gpu = request.gpuNode !== undefined && request.gpuNode >= 0 ? Number(b.node === request.gpuNode) - Number(a.node === request.gpuNode) : 0;
      if (gpu !== 0) return gpu;
      const zero = Number(a.cores.some((c) => c.cpus.includes(0))) - Number(b.cores.some((c) => c.cpus.includes(0)));
      if (zero !== 0) return zero;
      return b.cores.length - a.cores.length || b.l3 - a.l3;
    });
    const best = order[0]!;
    let wantedCores = request.vcpus !== undefined ? Math.ceil(request.vcpus / smt) : best.cores.length - 1;
    if (request.vcpus !== undefined && request.vcpus % smt !== 0) notesMsg.push(msg(`${P}note.roundedUp`, { count: request.vcpus, given: String(wantedCores * smt), threads: String(smt) }));
    if (wantedCores > spare) {
      notesMsg.push(msg(`${P}note.capped`, { asked: String(wantedCores * smt), most: String(spare * smt) }));
      wantedCores = spare;
    }
    if (wantedCores < 1) wantedCores = 1;
    chosen = [];
    // Each group gives its cores from the last one down: its first core stays with the host.
    for (const group of wantedCores <= best.cores.length - 1 ? [best] : order) {
      for (const core of group.cores.slice(1).reverse()) {
        if (chosen.length < wantedCores) chosen.push(core);
      }
    }
  }
  chosen.sort((a, b) => a.cpus[0]! - b.cpus[0]!);
  const threads = new Set(chosen.map((c) => c.cpus.length)).size === 1 ? chosen[0]!.cpus.length : 1;
  const guestCpus = chosen.flatMap((c) => c.cpus);
  const vcpus = guestCpus.length;
  const topo = { sockets: 1 as const, dies: 1 as const, cores: vcpus / threads, threads };
  const usedGroups = groups.filter((g) => g.cores.some((core) => chosen.includes(core)));
  const hostCpus = cores.filter((c) => !chosen.includes(c)).flatMap((c) => c.cpus);
  const near = usedGroups.flatMap((g) => g.cores.filter((c) => !chosen.includes(c)).flatMap((c) => c.cpus));
  const housekeeping = (near.length > 0 ? near : hostCpus).sort((a, b) => a - b);
  const nodes = new Set(topology.cpus.map((c) => c.node).filter((n) => n >= 0));
  const guestNodes = new Set(chosen.map((c) => c.node));
  const numaNode = nodes.size > 1 && guestNodes.size === 1 && chosen[0]!.node >= 0 ? chosen[0]!.node : null;
  const topoext = topology.vendor === 'amd' && threads > 1;
  const coreOf = new Map(chosen.flatMap((core) => core.cpus.map((cpu) => [cpu, core] as const)));
  const groupIndex = new Map(groups.map((g, i) => [g.l3, i]));

  const reasons: PinningReason[] = [];
  const why = (xml: string, reasonMsg: Msg): void => void reasons.push({ xml, reason: english(reasonMsg), reasonMsg });
  why(`<vcpu placement='static'>${vcpus}</vcpu>`, msg(threads > 1 ? `${P}why.vcpuSmt` : `${P}why.vcpu`, { count: topo.cores, threads: String(threads), host: formatCpuList(hostCpus) }));
  why('<iothreads>1</iothreads>', msg(`${P}why.iothreads`));
  guestCpus.forEach((cpu, vcpu) => {
    const core = coreOf.get(cpu)!;
    const siblings = core.cpus.filter((c) => c !== cpu);
    const group = String(groupIndex.get(core.l3)! + 1);
    why(
      `<vcpupin vcpu='${vcpu}' cpuset='${cpu}'/>`,
      msg(`${P}why.vcpupin`, {
        vcpu: String(vcpu),
        cpu: String(cpu),
        where: core.node >= 0 ? msg(`${P}why.l3Numa`, { group, node: String(core.node) }) : msg(`${P}why.l3`, { group }),
        siblings: siblings.length > 0 ? msg(`${P}why.siblings`, { count: siblings.length, cpus: formatCpuList(siblings) }) : '',
      }),
    );
  });
  why(`<emulatorpin cpuset='${formatCpuList(housekeeping)}'/>`, msg(near.length > 0 ? `${P}why.emulatorpinNear` : `${P}why.emulatorpin`));
  why(`<iothreadpin iothread='1' cpuset='${formatCpuList(housekeeping)}'/>`, msg(`${P}why.iothreadpin`));
  if (numaNode !== null) why(`<memory mode='preferred' nodeset='${numaNode}'/>`, msg(request.gpuNode === numaNode ? `${P}why.memoryGpu` : `${P}why.memory`, { node: String(numaNode) }));
  why(`<topology sockets='1' dies='1' cores='${topo.cores}' threads='${threads}'/>`, msg(`${P}why.topology`, { cores: count('cores', topo.cores), threads: count('threads', threads) }));
  why("<cache mode='passthrough'/>", msg(`${P}why.cache`));
  if (topoext) why("<feature policy='require' name='topoext'/>", msg(`${P}why.topoext`));
  if (usedGroups.length > 1) notesMsg.push(msg(`${P}note.spans`, { count: usedGroups.length }));
  return {
    vendor: topology.vendor,
    guestCpus,
    vcpupin: guestCpus,
    emulatorpin: housekeeping,
    iothreadpin: housekeeping,
    topology: topo,
    vcpus,
    topoext,
    numaNode,
    l3Groups: usedGroups.map((g) => g.l3),
    reasons,
    notes: notesMsg.map(english),
    notesMsg,
  };
}

/** The plan as a readable text: each line with its reason (what the preview shows beside the diff). */
export function describePlan(plan: PinningPlan): string {
  const lines = plan.reasons.map((r) => `${r.xml}\n    ${r.reason}`);
  return [...lines, ...plan.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}
