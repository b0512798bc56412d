import type { DomainSummary, EditPreview, EditRequest, HistoryItem, VmDetails, VmSpec } from '../../shared/api';
import { access } from 'node:fs/promises';
import { VitrineError } from '../common/errors';
import { formatPciAddress, parsePciAddress } from '../common/pci-address';
import { detectFirmware } from '../host/firmware';
import { getDomain } from './domains';
import { applyEdits } from './edits';
import { unifiedDiff } from './history';
import type { CreateOptions, Lifecycle } from './lifecycle';
import { summarise } from './summary';
import type { Virsh } from './virsh';
import { parseDomainXml, serializeXml } from './xml/document';

/** The VM operations behind the VM page and `vitrine vm …`. */
export class VmService {
  constructor(
    private readonly virsh: Virsh,
    readonly lifecycle: Lifecycle,
    /** Whether the host has this PCI function (`0000:01:00.0`): sysfs under the host roots, in services. */
    private readonly pciPresent: (address: string) => Promise<boolean> = (address) => access(`/sys/bus/pci/devices/${address}`).then(() => true, () => false),
  ) {}

  /** Refuse to attach a PCI function this host does not have: the VM would fail at its next start. */
  private async checkPciPresent(edits: EditRequest): Promise<void> {
    if (!edits.attachPci) return;
    const addresses = edits.attachPci.addresses.map((a) => formatPciAddress(parsePciAddress(a)));
    const missing: string[] = [];
    for (const address of addresses) if (!(await this.pciPresent(address))) missing.push(address);
    if (missing.length > 0) {
      throw new VitrineError({
        kind: 'no-such-device',
        message: `This host has no PCI device ${missing.join(', ')}: the VM would not start with it.`,
        hint: 'Pick the card from the Host page (or vitrine doctor), which lists every device with its address.',
      });
    }
  }

  private async summaryOf(name: string): Promise<DomainSummary> {
    const summary = await getDomain(this.virsh, name);
    if (!summary) throw new VitrineError({ kind: 'domain-not-found', message: `There is no VM called '${name}' on ${this.virsh.uri}.`, hint: 'Check the name (vitrine vm list).' });
    return summary;
  }

  async details(name: string): Promise<VmDetails> {
    const [summary, xml] = await Promise.all([this.summaryOf(name), this.lifecycle.dumpXml(name)]);
    return summarise(parseDomainXml(xml), summary, xml);
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
    const after = serializeXml(applyEdits(parseDomainXml(before), edits));
    return { before, after, diff: before === after ? '' : unifiedDiff(before, after, name) };
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
      throw new VitrineError({ kind: 'domain-running', message: `'${name}' is ${summary.state}: a VM is removed only when it is shut off.`, hint: 'Shut it down (or force it off) first, then remove it.' });
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
      throw new VitrineError({
        kind: 'no-firmware',
        message: spec.os === 'win11' ? 'Windows 11 needs OVMF with Secure Boot keys, and none was found.' : 'No OVMF (UEFI firmware) was found.',
        hint: 'Install OVMF: ovmf (Debian, Ubuntu), edk2-ovmf (Fedora, Arch).',
      });
    }
    return this.lifecycle.create(spec, { firmware: pair }, options);
  }
}
