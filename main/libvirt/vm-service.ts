import type { DomainSummary, EditPreview, EditRequest, HistoryItem, PinningPreview, VmDetails, VmSpec } from '../../shared/api';
import { access, rm } from 'node:fs/promises';
import { DEFAULT_ROOTS, type HostRoots } from '../host/roots';
import { readCpuTopology, readHugepages, readPciNumaNode, type HostTopology, type HugepageInfo } from '../host/cpu-topology';
import { readIsoInfo } from './iso';
import { planPinning, type PinningPlan } from './pinning';
import { requireHugepages } from './hugepages';
import { buildAnswerFile, isoLanguage } from './unattend';
import { buildUnattendIso, checkVirtioIso, unattendIsoPath } from './unattend-iso';
import { removeCdrom } from './edits';
import { attr, child, elements, textOf } from './xml/nodes';
import { rootElement } from './xml/document';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { formatPciAddress, parsePciAddress } from '../common/pci-address';
import { detectFirmware } from '../host/firmware';
import { getDomain } from './domains';
import { readDomains } from './domain-batch';
import { applyEdits } from './edits';
import { unifiedDiff } from './history';
import type { CreateOptions, Lifecycle } from './lifecycle';
import { summarise } from './summary';
import type { BatchResult, Virsh } from './virsh';
import { parseDomainXml, serializeXml } from './xml/document';

/** What VM planning reads from the host (CPU topology, a device's NUMA node, hugepages): sysfs and procfs under the host roots. */
export interface HostFacts {
  topology(): Promise<HostTopology | null>;
  pciNumaNode(address: string): Promise<number>;
  hugepages(): Promise<HugepageInfo | null>;
}

export function hostFacts(roots: Pick<HostRoots, 'sys' | 'proc'> = DEFAULT_ROOTS): HostFacts {
  return { topology: () => readCpuTopology(roots), pciNumaNode: (a) => readPciNumaNode(roots, a), hugepages: () => readHugepages(roots) };
}

/** The memory of a domain in MiB (<memory> with its unit). */
function domainMemoryMiB(xmlText: string): number {
  const memory = child(rootElement(parseDomainXml(xmlText))!, 'memory');
  const value = Number(memory ? textOf(memory) : NaN);
  const unit = (memory ? attr(memory, 'unit') : null) ?? 'KiB';
  const factor: Record<string, number> = { b: 1 / 1048576, bytes: 1 / 1048576, k: 1 / 1024, kib: 1 / 1024, kb: 1000 / 1048576, m: 1, mib: 1, mb: 1e6 / 1048576, g: 1024, gib: 1024, gb: 1e9 / 1048576 };
  return Math.round(value * (factor[unit.toLowerCase()] ?? 1 / 1024));
}

/** The domain's vCPU count (the pinning proposal keeps it unless asked otherwise). */
function domainVcpus(xmlText: string): number | undefined {
  const vcpu = child(rootElement(parseDomainXml(xmlText))!, 'vcpu');
  const n = Number(vcpu ? textOf(vcpu).trim() : NaN);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The answer-file CD-ROM of an unattended install, if the domain still has it. */
function unattendCdrom(xmlText: string): string | null {
  const devices = child(rootElement(parseDomainXml(xmlText))!, 'devices');
  for (const disk of devices ? elements(devices, 'disk') : []) {
    const file = attr(child(disk, 'source') ?? {}, 'file');
    if (attr(disk, 'device') === 'cdrom' && file && /-unattend\.iso$/.test(file)) return file;
  }
  return null;
}

/** The VM operations behind the VM page and `vitrine vm …`. */
export class VmService {
  constructor(
    private readonly virsh: Virsh,
    readonly lifecycle: Lifecycle,
    /** Whether the host has this PCI function (`0000:01:00.0`): sysfs under the host roots, in services. */
    private readonly pciPresent: (address: string) => Promise<boolean> = (address) => access(`/sys/bus/pci/devices/${address}`).then(() => true, () => false),
    private readonly host: HostFacts = hostFacts(),
    /** The xorriso to build and read ISOs with. */
    private readonly xorriso = 'xorriso',
  ) {}

  /** The pinning proposal for the wizard's create step and the VM page (no domain needed). */
  async pinningPreview(request: NonNullable<EditRequest['cpuPinning']>): Promise<PinningPreview> {
    const plan = await this.planPinning(request);
    return { vcpus: plan.vcpus, guestCpus: plan.guestCpus, hostCpus: plan.emulatorpin, topology: { cores: plan.topology.cores, threads: plan.topology.threads }, reasons: plan.reasons, notes: plan.notes, notesMsg: plan.notesMsg };
  }

  /** Plan CPU pinning on this host's topology (for a new VM's spec or an existing VM's edit). */
  async planPinning(request: NonNullable<EditRequest['cpuPinning']>, vcpus?: number): Promise<PinningPlan> {
    const topology = await this.host.topology();
    if (!topology) {
      throw VitrineError.of('no-topology', msg('error.vm.noTopology'), msg('error.vm.noTopologyHint'));
    }
    const gpuNode = request.gpu ? await this.host.pciNumaNode(formatPciAddress(parsePciAddress(request.gpu))) : undefined;
    return planPinning(topology, { vcpus: request.vcpus ?? vcpus, gpuNode, cpus: request.cpus });
  }

  /** Refuse to attach a PCI function this host does not have: the VM would fail at its next start. */
  private async checkPciPresent(edits: EditRequest): Promise<void> {
    if (!edits.attachPci) return;
    const addresses = edits.attachPci.addresses.map((a) => formatPciAddress(parsePciAddress(a)));
    const missing: string[] = [];
    for (const address of addresses) if (!(await this.pciPresent(address))) missing.push(address);
    if (missing.length > 0) {
      throw VitrineError.of('no-such-device', msg('error.vm.noSuchDevice', { addresses: missing.join(', ') }), msg('error.vm.noSuchDeviceHint'));
    }
  }

  private async summaryOf(name: string): Promise<DomainSummary> {
    const summary = await getDomain(this.virsh, name);
    if (!summary) throw VitrineError.of('domain-not-found', msg('error.vm.noSuchVmOn', { name, uri: this.virsh.uri }), msg('error.vm.noSuchVmOnHint'));
    return summary;
  }

  /** `read`: the one virsh run of dominfo and the definition, when the caller started it already (Lifecycle.infoAndXml). */
  async details(name: string, read?: Promise<BatchResult | null>): Promise<VmDetails> {
    // One virsh process for both; any trouble, and each is asked alone for its own error.
    const both = await this.lifecycle.infoAndXml(name, read);
    const [summary, xml] = both ? [both.summary, both.xml] : await Promise.all([this.summaryOf(name), this.lifecycle.dumpXml(name)]);
    return this.detailsOf(name, summary, xml);
  }

  private async detailsOf(name: string, summary: DomainSummary, xml: string): Promise<VmDetails> {
    if (summary.state === 'running' && unattendCdrom(xml)) await this.finishInstall(name).catch(() => undefined);
    return summarise(parseDomainXml(xml), summary, xml);
  }

  /**
   * details() of many VMs (the dashboard's cards), read by one virsh process
   * per BATCH_DOMAINS, with the running ones' live XML (what launchInfo reads).
   * A VM the batch could not read is asked alone, so that its error is the one
   * details() gives; one VM's failure never fails the others.
   */
  async detailsMany(names: readonly string[]): Promise<{ name: string; details?: VmDetails; liveXml?: string; error?: unknown }[]> {
    const read = await readDomains(this.virsh, names);
    return Promise.all(
      names.map(async (name) => {
        const found = read.get(name);
        try {
          if (!found) return { name, details: await this.details(name) };
          const details = await this.detailsOf(name, found.summary, found.xml);
          return { name, details, ...(found.summary.state === 'running' ? { liveXml: found.liveXml } : {}) };
        } catch (error) {
          return { name, error };
        }
      }),
    );
  }

  /**
   * End an unattended install: once Windows is installed, the answer-file
   * CD-ROM leaves the definition and its ISO (which holds the password) is
   * deleted. Windows is installed when the guest agent answers: the
   * first-logon step installed the guest tools (qemu-ga among them), which
   * happens only after setup created the account. `force` skips that check
   * (the user says the install is over, or gave up on it).
   */
  async finishInstall(name: string, force = false): Promise<{ removed: string | null }> {
    const xml = await this.lifecycle.dumpXml(name);
    const iso = unattendCdrom(xml);
    if (!iso) return { removed: null };
    if (!force) {
      const answered = await this.virsh.run(['qemu-agent-command', name, '{"execute":"guest-ping"}'], { timeoutMs: 5_000 }).then(() => true, () => false);
      if (!answered) {
        throw VitrineError.of('install-not-done', msg('error.vm.installNotDone', { name }), msg('error.vm.installNotDoneHint'));
      }
    }
    await this.lifecycle.define(serializeXml(removeCdrom(parseDomainXml(xml), iso)), 'unattended install done: answer-file ISO removed');
    await rm(iso, { force: true });
    return { removed: iso };
  }

  async start(name: string): Promise<DomainSummary> {
    await this.lifecycle.start(name);
    return this.summaryOf(name);
  }

  async shutdown(name: string, timeoutSeconds = 120): Promise<{ stopped: boolean }> {
    return this.lifecycle.shutdown(name, timeoutSeconds * 1000);
  }

  async forceOff(name: string): Promise<DomainSummary> {
    await this.lifecycle.forceOff(name);
    return this.summaryOf(name);
  }

  /** What the edits would change, on a fresh persistent definition. */
  async previewEdits(name: string, edits: EditRequest): Promise<EditPreview> {
    await this.checkPciPresent(edits);
    const before = await this.lifecycle.dumpXml(name);
    const pinning = edits.cpuPinning ? await this.planPinning(edits.cpuPinning, domainVcpus(before)) : undefined;
    let hugepageSizeKiB: number | undefined;
    if (edits.hugepages) {
      const info = await this.host.hugepages();
      const size = requireHugepages(info, domainMemoryMiB(before)).sizeKiB;
      if (info && size !== info.defaultSizeKiB) hugepageSizeKiB = size;
    }
    const after = serializeXml(applyEdits(parseDomainXml(before), edits, { pinning, hugepageSizeKiB }));
    return {
      before,
      after,
      diff: before === after ? '' : await unifiedDiff(before, after, name),
      ...(pinning ? { reasons: pinning.reasons, notes: pinning.notes, notesMsg: pinning.notesMsg, guestCpus: pinning.guestCpus } : {}),
    };
  }

  /** Apply edits: the preview, then `define` (previous XML kept, diff logged). */
  async applyEdits(name: string, edits: EditRequest): Promise<EditPreview> {
    const preview = await this.previewEdits(name, edits);
    if (preview.diff) await this.lifecycle.define(preview.after, `edit ${Object.keys(edits).join(', ')}`);
    return preview;
  }

  /**
   * Remove a VM's definition with its UEFI variables and TPM state; its disks
   * stay (listed in the answer) and its last definition goes to the history.
   * A running VM is refused: undefining it would leave it running, transient.
   * `deleteDisks` removes its disk images too (not its ISOs); a disk that
   * cannot be removed is listed as kept.
   */
  async undefine(name: string, options: { deleteDisks?: boolean } = {}): Promise<{ name: string; keptDisks: string[]; deletedDisks: string[] }> {
    const summary = await this.summaryOf(name);
    if (summary.state !== 'shut-off') {
      throw VitrineError.of('domain-running', msg('error.vm.removeRunning', { name, state: msg(`error.vm.state.${summary.state}`) }), msg('error.vm.removeRunningHint'));
    }
    const details = await this.details(name);
    await this.lifecycle.undefine(name);
    // Only the VM's own disks, never its ISOs; only when the user asked.
    const disks = details.disks.filter((d) => d.device === 'disk' && d.source).map((d) => d.source!);
    if (!options.deleteDisks) return { name, keptDisks: disks, deletedDisks: [] };
    const kept: string[] = [];
    const deleted: string[] = [];
    for (const disk of disks) {
      if (await this.lifecycle.deleteDisk(disk).then(() => true, () => false)) deleted.push(disk);
      else kept.push(disk);
    }
    return { name, keptDisks: kept, deletedDisks: deleted };
  }

  /** A test copy: new name, UUID and MACs, its disks copied (see Lifecycle.clone). */
  clone(name: string, newName: string): Promise<{ name: string; disks: string[] }> {
    return this.lifecycle.clone(name, newName);
  }

  history(name: string): Promise<HistoryItem[]> {
    return this.lifecycle.historyOf(name);
  }

  async restore(name: string, id: string): Promise<EditPreview> {
    const before = await this.lifecycle.dumpXml(name);
    const result = await this.lifecycle.restore(name, id);
    return { before, after: await this.lifecycle.dumpXml(name), diff: result.diff };
  }

  /** Create a VM with the firmware this host has (Secure Boot keys for Windows 11). */
  async create(spec: VmSpec, options: CreateOptions = {}): Promise<{ xml: string; disk: string }> {
    const firmware = await detectFirmware();
    const pair = spec.os === 'win11' ? firmware.secureBoot : (firmware.plain ?? firmware.secureBoot);
    if (!pair) {
      throw VitrineError.of('no-firmware', msg(spec.os === 'win11' ? 'error.vm.noSecureBootFirmware' : 'error.vm.noFirmware'), msg('error.vm.noFirmwareHint'));
    }
    const pinning = spec.cpuPinning ? await this.planPinning(spec.cpuPinning, spec.vcpus) : undefined;
    let hugepageSizeKiB: number | undefined;
    if (spec.hugepages) {
      const info = await this.host.hugepages();
      const size = requireHugepages(info, spec.memoryMiB).sizeKiB;
      if (info && size !== info.defaultSizeKiB) hugepageSizeKiB = size;
    }
    if (!spec.unattended || options.dryRun) {
      return this.lifecycle.create(spec, { firmware: pair, pinning, hugepageSizeKiB, unattendIso: spec.unattended ? unattendIsoPath(spec.disk.path, spec.name) : undefined }, options);
    }
    // Unattended: check the virtio ISO has this Windows' drivers, write the answer file onto its ISO, and remove it again if the VM is not created.
    await checkVirtioIso(spec.virtioIso, spec.os, this.xorriso);
    const unattendIso = unattendIsoPath(spec.disk.path, spec.name);
    const label = (await readIsoInfo(spec.windowsIso).catch(() => null))?.label ?? null;
    const answer = buildAnswerFile({ os: spec.os, vmName: spec.name, install: spec.unattended, imageLanguage: isoLanguage(label), lookingGlass: spec.unattended.lookingGlassInstaller !== null });
    if (await access(unattendIso).then(() => true, () => false)) {
      throw VitrineError.of('exists', msg('error.vm.fileExists', { path: unattendIso }), msg('error.vm.answerIsoExistsHint'));
    }
    await buildUnattendIso(unattendIso, answer, spec.unattended.lookingGlassInstaller, this.xorriso);
    try {
      return await this.lifecycle.create(spec, { firmware: pair, pinning, hugepageSizeKiB, unattendIso }, options);
    } catch (error) {
      await rm(unattendIso, { force: true });
      throw error;
    }
  }
}
