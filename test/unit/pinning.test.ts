import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCpuList, parseCpuList, readCpuTopology, readHugepages, readPciNumaNode, type HostTopology } from '../../main/host/cpu-topology';
import { applyEdits } from '../../main/libvirt/edits';
import { hugepageVerdict, requireHugepages } from '../../main/libvirt/hugepages';
import type { VitrineError } from '../../main/common/errors';
import { formatMessage } from '../../shared/i18n/message';
import fr from '../../shared/i18n/fr.json';
import { describePlan, planPinning, type PinningPlan } from '../../main/libvirt/pinning';
import { parseDomainXml, serializeXml } from '../../main/libvirt/xml/document';
import { expectGolden } from '../support/golden';
import { tempHostTree, type HostSpec } from '../support/host-tree';
import { seed000Z490, seed001Ryzen, seed003Xeon, singleGpu, twoNode16 } from '../support/hosts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const trees: { remove(): void }[] = [];
afterAll(() => trees.forEach((t) => t.remove()));

async function hostOf(spec: HostSpec): Promise<{ topology: HostTopology; roots: ReturnType<typeof tempHostTree> }> {
  const roots = tempHostTree(spec);
  trees.push(roots);
  const topology = await readCpuTopology(roots);
  if (!topology) throw new Error('no topology');
  return { topology, roots };
}

/** The pinning invariants of issue 20. */
function checkInvariants(topology: HostTopology, plan: PinningPlan): void {
  const ids = new Set(topology.cpus.map((c) => c.id));
  const all = [...plan.vcpupin, ...plan.emulatorpin, ...plan.iothreadpin];
  // Every pinned host CPU exists.
  for (const cpu of all) expect(ids.has(cpu), `CPU ${cpu} exists`).toBe(true);
  // Siblings stay together: a core is wholly the guest's or wholly the host's.
  const coreKey = (id: number): string => {
    const c = topology.cpus.find((x) => x.id === id)!;
    return `${c.pkg}:${c.die}:${c.core}`;
  };
  const guest = new Set(plan.guestCpus);
  for (const cpu of topology.cpus) {
    const siblings = topology.cpus.filter((c) => coreKey(c.id) === coreKey(cpu.id)).map((c) => c.id);
    expect(siblings.every((s) => guest.has(s)) || siblings.every((s) => !guest.has(s)), `core of CPU ${cpu.id} is not split`).toBe(true);
  }
  // The host keeps at least one core in every L3 group (CCD).
  for (const l3 of new Set(topology.cpus.map((c) => c.l3))) {
    expect(topology.cpus.some((c) => c.l3 === l3 && !guest.has(c.id)), `the host keeps a core of L3 group ${l3}`).toBe(true);
  }
  // Emulator and I/O threads never share a guest core; one vCPU per guest CPU; the guest topology multiplies out.
  for (const cpu of [...plan.emulatorpin, ...plan.iothreadpin]) expect(guest.has(cpu)).toBe(false);
  expect(new Set(plan.vcpupin).size).toBe(plan.vcpus);
  expect(plan.topology.cores * plan.topology.threads).toBe(plan.vcpus);
}

const HOSTS: { name: string; spec: HostSpec; gpu: string | null }[] = [
  { name: 'seed000-z490', spec: seed000Z490, gpu: '0000:07:00.0' },
  { name: 'seed001-ryzen-7950x', spec: seed001Ryzen, gpu: '0000:01:00.0' },
  { name: 'seed003-xeon', spec: seed003Xeon, gpu: '0000:01:00.0' },
  { name: 'smt-8core-5800x', spec: singleGpu, gpu: '0000:0c:00.0' },
  { name: 'two-node-16core', spec: twoNode16, gpu: '0000:41:00.0' },
];

const domain = readFileSync(join(fixtures, 'xml', 'edits', 'win11-gpu-in.xml'), 'utf8');

describe('CPU pinning plans', () => {
  for (const host of HOSTS) {
    it(`plans ${host.name}: golden, invariants, domain XML`, async () => {
      const { topology, roots } = await hostOf(host.spec);
      const gpuNode = host.gpu ? await readPciNumaNode(roots, host.gpu) : -1;
      const plan = planPinning(topology, { gpuNode });
      checkInvariants(topology, plan);
      expectGolden(join(fixtures, 'pinning', `${host.name}.txt`), describePlan(plan));
      // The same plan on an existing domain (the VM page's edit), validated by the integration test's virt-xml-validate.
      const xml = serializeXml(applyEdits(parseDomainXml(domain), { cpuPinning: {} }, { pinning: plan }));
      expectGolden(join(fixtures, 'xml', 'edits', `pin-${host.name}-out.xml`), xml);
      // Idempotent.
      expect(serializeXml(applyEdits(parseDomainXml(xml), { cpuPinning: {} }, { pinning: plan }))).toBe(xml);
      // Every vCPU count the host can give keeps the invariants.
      for (let vcpus = 1; vcpus <= topology.cpus.length; vcpus++) checkInvariants(topology, planPinning(topology, { vcpus, gpuNode }));
    });
  }

  it('the 7950X gets one CCD, without CPU 0, its first core left to the host', async () => {
    const { topology } = await hostOf(seed001Ryzen);
    const plan = planPinning(topology);
    expect(formatCpuList(plan.guestCpus)).toBe('9-15,25-31');
    expect(plan.emulatorpin).toEqual([8, 24]);
    expect(plan.topoext).toBe(true);
    expect(plan.topology).toEqual({ sockets: 1, dies: 1, cores: 7, threads: 2 });
    expect(plan.l3Groups).toHaveLength(1);
    // 24 vCPUs spill onto the second CCD, each keeping its first core.
    const big = planPinning(topology, { vcpus: 24 });
    expect(big.l3Groups).toHaveLength(2);
    expect(big.notes.join(' ')).toMatch(/spans 2 L3 groups/);
    // More than it can give: capped, said.
    const capped = planPinning(topology, { vcpus: 32 });
    expect(capped.vcpus).toBe(28);
    expect(capped.notes.join(' ')).toMatch(/more than the host can give/);
  });

  it('prefers the GPU NUMA node and asks memory from it', async () => {
    const { topology, roots } = await hostOf(twoNode16);
    expect(await readPciNumaNode(roots, '0000:41:00.0')).toBe(1);
    const plan = planPinning(topology, { gpuNode: 1 });
    expect(plan.numaNode).toBe(1);
    expect(plan.guestCpus.every((c) => topology.cpus.find((x) => x.id === c)!.node === 1)).toBe(true);
    const other = planPinning(topology, { gpuNode: 0 });
    expect(other.numaNode).toBe(0);
  });

  it('checks a user-edited choice: siblings together, CPUs that exist, one core per CCD left', async () => {
    const { topology } = await hostOf(seed001Ryzen);
    expect(() => planPinning(topology, { cpus: [9, 10, 25] })).toThrow(/SMT threads of one core.*26 is missing/s);
    expect(() => planPinning(topology, { cpus: [40, 41] })).toThrow(/no CPU 40-41 \(its CPUs are 0-31\)/);
    expect(() => planPinning(topology, { cpus: parseCpuList('0-7,16-23')! })).toThrow(/host must keep at least one of its cores/);
    const plan = planPinning(topology, { cpus: parseCpuList('12-15,28-31')! });
    expect(plan.vcpupin).toEqual([12, 28, 13, 29, 14, 30, 15, 31]);
    expect(plan.emulatorpin).toEqual(parseCpuList('8-11,24-27'));
  });

  it('refuses a host with nothing to spare', () => {
    const one: HostTopology = { vendor: 'intel', cpus: [{ id: 0, pkg: 0, die: 0, core: 0, l3: 0, node: 0 }, { id: 1, pkg: 0, die: 0, core: 0, l3: 0, node: 0 }] };
    expect(() => planPinning(one)).toThrow(/leaves none to pin/);
  });

  it('reads CPU lists as the kernel writes them', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('a')).toBeNull();
    expect(formatCpuList([11, 10, 0, 1, 2, 3, 8])).toBe('0-3,8,10-11');
  });
});

describe('hugepages', () => {
  it('are allowed only when a pool has the pages free', async () => {
    const xeon = tempHostTree(seed003Xeon);
    trees.push(xeon);
    const info = await readHugepages(xeon);
    expect(info?.pools).toEqual([{ sizeKiB: 2048, total: 4096, free: 4096 }, { sizeKiB: 1048576, total: 0, free: 0 }]);
    expect(hugepageVerdict(info, 8192)).toEqual({ ok: true, sizeKiB: 2048, pages: 4096 });
    const short = hugepageVerdict(info, 10240);
    expect(short.ok).toBe(false);
  });

  it('are refused with the reason and the reservation that would allow them', async () => {
    const ryzen = tempHostTree(singleGpu);
    trees.push(ryzen);
    const info = await readHugepages(ryzen);
    const verdict = hugepageVerdict(info, 16384);
    expect(verdict).toEqual({
      ok: false,
      reason: 'The host has not reserved enough hugepages for 16384 MiB: 0 of 0 2 MiB pages free, 0 of 0 1 GiB pages free.',
      why: expect.objectContaining({ key: 'error.vm.hugeNotReserved' }),
      plan: { sizeKiB: 1048576, pages: 16, runtime: { file: '/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', value: 16 }, kernelParams: ['hugepagesz=1G', 'hugepages=16'] },
    });
    expect(() => requireHugepages(info, 16384)).toThrow(/Hugepages cannot back this VM/);
    try {
      requireHugepages(info, 16384);
    } catch (error) {
      // Host preparation reserves them (planned, shown, undoable), in English and French.
      expect((error as { hint: string }).hint).toContain('vitrine setup plan --hugepages 2M:8192 (at once) or --hugepages 1G:16 (at boot)');
      expect((error as { message: string }).message).toBe('Hugepages cannot back this VM: The host has not reserved enough hugepages for 16384 MiB: 0 of 0 2 MiB pages free, 0 of 0 1 GiB pages free.');
      expect(formatMessage(fr, 'fr', (error as VitrineError).msg!.hint)).toContain('--hugepages 2M:8192 (tout de suite)');
    }
    // Too much for the host: no plan, only the reason.
    expect(hugepageVerdict(info, 31 * 1024)).toMatchObject({ ok: false, plan: null, reason: expect.stringContaining('less than 2 GiB') });
    // No meminfo, no pools.
    expect(hugepageVerdict(null, 1024)).toMatchObject({ ok: false, plan: null });
    expect(hugepageVerdict({ memTotalKiB: 1, memAvailableKiB: 1, defaultSizeKiB: 0, pools: [] }, 1024)).toMatchObject({ ok: false, reason: expect.stringContaining('CONFIG_HUGETLBFS') });
  });

  it('as an edit: memoryBacking with the page size when not the default', () => {
    const bare = serializeXml(applyEdits(parseDomainXml(domain), { hugepages: false }));
    expect(bare).not.toContain('memoryBacking');
    const xml = serializeXml(applyEdits(parseDomainXml(bare), { hugepages: true }, { hugepageSizeKiB: 1048576 }));
    expectGolden(join(fixtures, 'xml', 'edits', 'hugepages-1g-out.xml'), xml);
    expect(serializeXml(applyEdits(parseDomainXml(xml), { hugepages: false }))).toBe(bare);
    // The domain with <hugepages/> already keeps it as it is.
    expect(serializeXml(applyEdits(parseDomainXml(domain), { hugepages: true }))).toBe(domain);
  });
});
