import type { DomainSummary, VmDetails } from '../../shared/api';
import { readVitrineMetadata } from './vitrine-metadata';
import { formatPciAddress, fromLibvirtAttrs } from '../common/pci-address';
import { findLookingGlass } from './lg-device';
import { rootElement, type XmlDocument, type XmlNode } from './xml/document';
import { attr, attrValue, child, elements, findAll, textOf } from './xml/nodes';

const UNIT_MIB: Record<string, number> = { b: 1 / 1048576, bytes: 1 / 1048576, k: 1 / 1024, kib: 1 / 1024, kb: 1000 / 1048576, m: 1, mib: 1, mb: 1e6 / 1048576, g: 1024, gib: 1024, gb: 1e9 / 1048576, t: 1048576, tib: 1048576 };

function toMiB(el: XmlNode | null, defaultUnit: string): number {
  if (!el) return 0;
  const unit = (attr(el, 'unit') ?? defaultUnit).toLowerCase();
  return Math.round(Number(textOf(el)) * (UNIT_MIB[unit] ?? 1));
}

/** The hardware of a domain in short, for the VM page (pure, from the XML). */
export function summarise(doc: XmlDocument, summary: DomainSummary, xml: string): VmDetails {
  const root = rootElement(doc)!;
  const devices = child(root, 'devices') ?? {};
  const metadata = readVitrineMetadata(doc);
  const cpu = child(root, 'cpu');
  const topology = cpu ? child(cpu, 'topology') : null;
  const loader = child(child(root, 'os') ?? {}, 'loader');
  const hostdevs = elements(devices, 'hostdev');
  const lg = findLookingGlass(root);
  const features = child(root, 'features');
  return {
    summary,
    os: metadata.os,
    vcpus: Number(textOf(child(root, 'vcpu') ?? {})) || 0,
    topology: topology ? { cores: Number(attr(topology, 'cores') ?? 1), threads: Number(attr(topology, 'threads') ?? 1) } : null,
    memoryMiB: toMiB(child(root, 'memory'), 'KiB'),
    cpuMode: cpu ? attr(cpu, 'mode') : null,
    firmware: loader ? textOf(loader) : attr(child(root, 'os') ?? {}, 'firmware'),
    tpm: elements(devices, 'tpm').length > 0,
    disks: elements(devices, 'disk').map((d) => {
      const source = child(d, 'source');
      const target = child(d, 'target');
      return {
        device: attr(d, 'device') ?? 'disk',
        source: source ? (attrValue(source, 'file') ?? attrValue(source, 'dev') ?? attrValue(source, 'name')) : null,
        target: target ? attr(target, 'dev') : null,
        bus: target ? attr(target, 'bus') : null,
      };
    }),
    pciDevices: hostdevs
      .filter((h) => attr(h, 'type') === 'pci')
      .flatMap((h) => {
        const a = child(child(h, 'source') ?? {}, 'address');
        const parsed = a ? fromLibvirtAttrs((n) => attr(a, n)) : null;
        return parsed ? [{ address: formatPciAddress(parsed), rom: attrValue(child(h, 'rom') ?? {}, 'file') }] : [];
      }),
    usbDevices: hostdevs
      .filter((h) => attr(h, 'type') === 'usb')
      .map((h) => {
        const s = child(h, 'source') ?? {};
        return `${(attr(child(s, 'vendor') ?? {}, 'id') ?? '').replace(/^0x/, '')}:${(attr(child(s, 'product') ?? {}, 'id') ?? '').replace(/^0x/, '')}`;
      }),
    lookingGlass: lg ? { mode: lg.mode, sizeMiB: lg.sizeMiB, device: lg.device, path: lg.path, source: lg.source } : null,
    resolution: metadata.resolution,
    lookingGlassSettings: metadata.lookingGlass,
    handover: metadata.handover,
    video: findAll(devices, 'video/model').map((m) => attr(m, 'type') ?? 'unknown'),
    tablet: elements(devices, 'input').some((i) => attr(i, 'type') === 'tablet'),
    hypervisorHidden: attr(child(child(features ?? {}, 'kvm') ?? {}, 'hidden') ?? {}, 'state') === 'on',
    xml,
  };
}
