import type { EditRequest } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { cloneDocument, rootElement, tagOf, type XmlDocument, type XmlNode } from './xml/document';
import {
  attr,
  attrValue,
  child,
  childrenOf,
  decodeEntities,
  elements,
  ensureChild,
  fromXml,
  indentOf,
  insertChild,
  removeAttr,
  removeChild,
  setAttr,
  setText,
  textOf,
  xml,
} from './xml/nodes';
import { setHandover, setLookingGlassSettings } from './vitrine-metadata';
import { findLookingGlass, findLookingGlassArgs } from './lg-device';
import { formatCpuList } from '../host/cpu-topology';
import type { PinningPlan } from './pinning';
import { formatPciAddress, fromLibvirtAttrs, libvirtAttrs, parsePciAddress, slotKey, type PciAddress } from '../common/pci-address';

/**
 * Passthrough edits on a domain document. Each takes a document and returns a
 * new one (the input is not changed), touches only the nodes it addresses, and
 * is idempotent: applying it twice gives the same document as once.
 * XML forms: shared/reference/libvirt.md and looking-glass.md.
 */

const QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0';

interface Ctx {
  doc: XmlDocument;
  root: XmlNode;
}

function open(doc: XmlDocument): Ctx {
  const copy = cloneDocument(doc);
  const root = rootElement(copy);
  if (!root || tagOf(root) !== 'domain') {
    throw VitrineError.of('xml-not-domain', msg('error.xml.notADomain'), msg('error.xml.notADomainHint'));
  }
  return { doc: copy, root };
}

/** The order libvirt writes a domain's top-level elements in (formatdomain). */
const DOMAIN_ORDER = ['name', 'uuid', 'genid', 'title', 'description', 'metadata', 'maxMemory', 'memory', 'currentMemory', 'blkiotune', 'memtune', 'memoryBacking', 'vcpu', 'vcpus', 'iothreads', 'iothreadids', 'cputune', 'numatune', 'resource', 'sysinfo', 'bootloader', 'os', 'idmap', 'features', 'cpu', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'pm', 'perf', 'devices'];

/**
 * `<devices>`, `<features>`, … of the domain, with their indentation. A
 * missing one is created where libvirt would write it, so the diff reads
 * like libvirt's own output.
 */
function section(ctx: Ctx, name: string): { el: XmlNode; indent: string } {
  let el = child(ctx.root, name);
  if (!el) {
    const rank = DOMAIN_ORDER.indexOf(name);
    const before = elements(ctx.root).filter((e) => {
      const r = DOMAIN_ORDER.indexOf(tagOf(e)!);
      return r >= 0 && r < rank;
    });
    el = insertChild(ctx.root, fromXml(`<${name}/>`), '', before.at(-1) ?? undefined);
  }
  return { el, indent: indentOf(ctx.root, el) };
}

const isPciHostdev = (el: XmlNode): boolean => attr(el, 'mode') === 'subsystem' && attr(el, 'type') === 'pci';

function hostdevSource(el: XmlNode): PciAddress | null {
  const address = child(child(el, 'source') ?? {}, 'address');
  return address ? fromLibvirtAttrs((n) => attr(address, n)) : null;
}

const portAlias = (slot: string): string => `ua-vitrine-port-${slot.replace(/[:.]/g, '-')}`;

/** Guest PCI addresses already taken on a bus (for i440fx machines, where there are no root ports). */
function usedSlots(root: XmlNode, bus: number): Set<number> {
  const used = new Set<number>();
  const walk = (el: XmlNode): void => {
    for (const e of elements(el)) {
      if (tagOf(e) === 'address' && attr(e, 'type') === 'pci') {
        const a = fromLibvirtAttrs((n) => attr(e, n));
        if (a && a.bus === bus) used.add(a.slot);
      } else if (tagOf(e) !== 'source') walk(e);
    }
  };
  walk(child(root, 'devices') ?? {});
  return used;
}

/**
 * Attach PCI functions as hostdevs (`managed='yes'`). The functions of one
 * host card share one guest slot, `multifunction='on'` on its function 0: on
 * q35 a PCIe root port of its own, on i440fx a free slot of bus 0. The ROM
 * file, if any, goes on the first address given (the GPU).
 */
export function attachPci(doc: XmlDocument, addresses: string[], rom: string | null = null): XmlDocument {
  const ctx = open(doc);
  const wanted = addresses.map(parsePciAddress);
  const devices = section(ctx, 'devices');
  const hostdevs = elements(devices.el, 'hostdev').filter(isPciHostdev);
  const existing = new Map(hostdevs.map((h) => [hostdevSource(h) ? formatPciAddress(hostdevSource(h)!) : '', h]));
  const q35 = (attr(child(child(ctx.root, 'os') ?? {}, 'type') ?? {}, 'machine') ?? '').includes('q35');

  const bySlot = new Map<string, PciAddress[]>();
  for (const a of wanted) bySlot.set(slotKey(a), [...(bySlot.get(slotKey(a)) ?? []), a]);

  for (const [slot, functions] of bySlot) {
    const missing = functions.filter((f) => !existing.has(formatPciAddress(f)));
    if (missing.length === 0) continue;
    // The guest slot: reuse the one this card already has, or make one.
    let guest: { bus: number; slot: number };
    const placed = functions.map((f) => existing.get(formatPciAddress(f))).find(Boolean);
    const placedAddr = placed ? child(placed, 'address') : null;
    const placedAt = placedAddr ? fromLibvirtAttrs((n) => attr(placedAddr, n)) : null;
    if (placedAt) guest = { bus: placedAt.bus, slot: placedAt.slot };
    else if (q35) {
      const controllers = elements(devices.el, 'controller').filter((c) => attr(c, 'type') === 'pci');
      const ours = controllers.find((c) => attrValue(child(c, 'alias') ?? {}, 'name') === portAlias(slot));
      const index = ours ? Number(attr(ours, 'index')) : Math.max(0, ...controllers.map((c) => Number(attr(c, 'index') ?? 0))) + 1;
      if (!ours) {
        insertChild(devices.el, fromXml(xml`<controller type='pci' model='pcie-root-port' index='${index}'>
  <alias name='${portAlias(slot)}'/>
</controller>`), devices.indent);
      }
      guest = { bus: index, slot: 0 };
    } else {
      const used = usedSlots(ctx.root, 0);
      // Slots 0-2 are the host bridge, ISA and VGA on i440fx; prefer the high ones.
      const candidates = [...Array.from({ length: 16 }, (_, k) => 0x10 + k), ...Array.from({ length: 13 }, (_, k) => 0x03 + k)];
      const free = candidates.find((slotNumber) => !used.has(slotNumber));
      if (free === undefined) {
        throw VitrineError.of('no-free-slot', msg('error.vm.noFreeSlot'), msg('error.vm.noFreeSlotHint'));
      }
      guest = { bus: 0, slot: free };
    }
    const multi = functions.length > 1;
    for (const f of missing) {
      const guestAddr: PciAddress = { domain: 0, bus: guest.bus, slot: guest.slot, function: f.function };
      const multifunction = multi && f.function === Math.min(...functions.map((x) => x.function)) ? " multifunction='on'" : '';
      const el = fromXml(
        `<hostdev mode='subsystem' type='pci' managed='yes'>
  <source>
    <address ${libvirtAttrs(f)}/>
  </source>
  <address type='pci' ${libvirtAttrs(guestAddr)}${multifunction}/>
</hostdev>`,
      );
      insertChild(devices.el, el, devices.indent);
      existing.set(formatPciAddress(f), el);
    }
  }
  if (rom !== null && wanted[0]) {
    const gpu = existing.get(formatPciAddress(wanted[0]))!;
    const romEl = child(gpu, 'rom');
    if (romEl) setAttr(romEl, 'file', rom);
    else insertChild(gpu, fromXml(xml`<rom file='${rom}'/>`), indentOf(devices.el, gpu), child(gpu, 'source'));
  }
  return ctx.doc;
}

/** Detach PCI hostdevs by host address, and the root ports Vitrine added for them. */
export function detachPci(doc: XmlDocument, addresses: string[]): XmlDocument {
  const ctx = open(doc);
  const gone = new Set(addresses.map((a) => formatPciAddress(parsePciAddress(a))));
  const devices = child(ctx.root, 'devices');
  if (!devices) return ctx.doc;
  for (const h of elements(devices, 'hostdev').filter(isPciHostdev)) {
    const source = hostdevSource(h);
    if (source && gone.has(formatPciAddress(source))) removeChild(devices, h);
  }
  const stillUsed = new Set(elements(devices, 'hostdev').filter(isPciHostdev).map((h) => slotKey(hostdevSource(h) ?? { domain: 0, bus: 0, slot: 0, function: 0 })));
  for (const c of elements(devices, 'controller')) {
    const alias = attrValue(child(c, 'alias') ?? {}, 'name') ?? '';
    const slot = [...gone].map((a) => slotKey(parsePciAddress(a))).find((s) => alias === portAlias(s));
    if (slot && !stillUsed.has(slot)) removeChild(devices, c);
  }
  return ctx.doc;
}

/**
 * The `<P:commandline>` element, with P bound to libvirt's QEMU namespace on
 * the root or on the element itself (libvirt's tests use `qemu`, `ns0`, `ns1`).
 * With `create`, one is added (declaring `xmlns:qemu` on the root if needed).
 */
function qemuCommandline(ctx: Ctx, create: boolean): { el: XmlNode | null; prefix: string } {
  const attrs = (ctx.root[':@'] as Record<string, string> | undefined) ?? {};
  const rootPrefix = Object.entries(attrs).find(([k, v]) => k.startsWith('@_xmlns:') && decodeEntities(v) === QEMU_NS)?.[0].slice('@_xmlns:'.length) ?? null;
  for (const el of elements(ctx.root)) {
    const tag = tagOf(el)!;
    if (!tag.endsWith(':commandline')) continue;
    const prefix = tag.slice(0, -':commandline'.length);
    if (prefix === rootPrefix || attrValue(el, `xmlns:${prefix}`) === QEMU_NS) return { el, prefix };
  }
  if (!create) return { el: null, prefix: rootPrefix ?? 'qemu' };
  let prefix = rootPrefix;
  if (!prefix) {
    prefix = attrs['@_xmlns:qemu'] === undefined ? 'qemu' : 'vitrineqemu';
    setAttr(ctx.root, `xmlns:${prefix}`, QEMU_NS);
  }
  return { el: insertChild(ctx.root, fromXml(`<${prefix}:commandline/>`), ''), prefix };
}

/** Remove the Looking Glass -device/-object pairs from `<qemu:commandline>` (either syntax, any id: lg-device.ts). */
function removeKvmfrArgs(ctx: Ctx): void {
  const { el } = qemuCommandline(ctx, false);
  if (!el) return;
  const lg = findLookingGlassArgs(ctx.root);
  if (!lg) return;
  for (const arg of lg.nodes) if (elements(el).includes(arg)) removeChild(el, arg);
  if (elements(el).length === 0) removeChild(ctx.root, el);
}

/** Remove the Looking Glass `<shmem>` (whatever its name; never Scream's). */
function removeShmem(ctx: Ctx): void {
  const devices = child(ctx.root, 'devices');
  const lg = findLookingGlass(ctx.root);
  if (devices && lg?.source === 'shmem') removeChild(devices, lg.nodes[0]!);
}

function checkSize(mib: number): void {
  if (!Number.isInteger(mib) || mib < 2 || mib > 4096 || (mib & (mib - 1)) !== 0) {
    throw VitrineError.of('invalid-size', msg('error.vm.badLgSize', { size: String(mib) }), msg('error.vm.badLgSizeHint'));
  }
}

/** Looking Glass memory as `<shmem name='looking-glass'>` (ivshmem-plain); replaces a kvmfr setup. */
export function setShmem(doc: XmlDocument, sizeMiB: number): XmlDocument {
  checkSize(sizeMiB);
  const ctx = open(doc);
  const devices = section(ctx, 'devices');
  const found = findLookingGlass(ctx.root);
  const existing = found?.source === 'shmem' ? found.nodes[0]! : null;
  removeKvmfrArgs(ctx);
  if (existing) {
    const size = ensureChild(existing, 'size', indentOf(devices.el, existing), "<size unit='M'/>");
    setAttr(size, 'unit', 'M');
    setText(size, String(sizeMiB));
    return ctx.doc;
  }
  insertChild(devices.el, fromXml(xml`<shmem name='looking-glass'>
  <model type='ivshmem-plain'/>
  <size unit='M'>${sizeMiB}</size>
</shmem>`), devices.indent);
  return ctx.doc;
}

/** Looking Glass memory through the kvmfr module (`qemu:commandline`, QEMU >= 6.2); replaces a <shmem>. */
export function setKvmfr(doc: XmlDocument, sizeMiB: number): XmlDocument {
  checkSize(sizeMiB);
  const ctx = open(doc);
  removeShmem(ctx);
  removeKvmfrArgs(ctx);
  const { el, prefix } = qemuCommandline(ctx, true);
  const indent = indentOf(ctx.root, el!);
  const bytes = sizeMiB * 1024 * 1024;
  for (const value of [
    '-device',
    "{'driver':'ivshmem-plain','id':'shmem0','memdev':'looking-glass'}",
    '-object',
    `{'qom-type':'memory-backend-file','id':'looking-glass','mem-path':'/dev/kvmfr0','size':${bytes},'share':true}`,
  ]) {
    insertChild(el!, fromXml(`<${prefix}:arg value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"/>`), indent, null);
  }
  return ctx.doc;
}

/**
 * Hide the hypervisor against Code 43 (seed 003): `kvm hidden` and
 * `ioapic driver='kvm'`, plus method A (the CPUID hypervisor bit off; no
 * Hyper-V) or method B (Hyper-V enlightenments with a vendor_id and the
 * hypervclock timer). The two methods exclude each other.
 */
export function hideHypervisor(doc: XmlDocument, method: 'a' | 'b', vendorId = '0123456789ab'): XmlDocument {
  if (!/^[A-Za-z0-9]{1,12}$/.test(vendorId)) {
    throw VitrineError.of('invalid-vendor-id', msg('error.vm.badVendorId', { id: vendorId }), msg('error.vm.badVendorIdHint'));
  }
  const ctx = open(doc);
  // Method B needs a vendor_id, which libvirt allows only in custom mode: refuse before changing anything.
  if (method === 'b' && attr(child(child(ctx.root, 'features') ?? {}, 'hyperv') ?? {}, 'mode') === 'passthrough') {
    throw VitrineError.of('hyperv-passthrough', msg('error.vm.hypervPassthrough'), msg('error.vm.hypervPassthroughHint'));
  }
  const features = section(ctx, 'features');
  const kvm = ensureChild(features.el, 'kvm', features.indent);
  setAttr(ensureChild(kvm, 'hidden', indentOf(features.el, kvm)), 'state', 'on');
  setAttr(ensureChild(features.el, 'ioapic', features.indent), 'driver', 'kvm');
  const clock = child(ctx.root, 'clock');
  const hvclock = clock ? elements(clock, 'timer').find((t) => attrValue(t, 'name') === 'hypervclock') : undefined;
  if (method === 'a') {
    const cpu = section(ctx, 'cpu');
    if (attr(cpu.el, 'mode') === null) {
      setAttr(cpu.el, 'mode', 'host-passthrough');
      setAttr(cpu.el, 'check', 'none');
    }
    const bit = elements(cpu.el, 'feature').find((f) => attrValue(f, 'name') === 'hypervisor');
    if (bit) setAttr(bit, 'policy', 'disable');
    else insertChild(cpu.el, fromXml("<feature policy='disable' name='hypervisor'/>"), cpu.indent);
    const hyperv = child(features.el, 'hyperv');
    if (hyperv) removeChild(features.el, hyperv);
    if (clock && hvclock) removeChild(clock, hvclock);
    return ctx.doc;
  }
  const cpu = child(ctx.root, 'cpu');
  const hypervisorBit = cpu ? elements(cpu, 'feature').find((f) => attrValue(f, 'name') === 'hypervisor') : undefined;
  if (cpu && hypervisorBit && attr(hypervisorBit, 'policy') === 'disable') removeChild(cpu, hypervisorBit);
  const hyperv = ensureChild(features.el, 'hyperv', features.indent, "<hyperv mode='custom'/>");
  const hvIndent = indentOf(features.el, hyperv);
  // The enlightenments Windows games benefit from (libvirt formatdomain), each where libvirt writes it; ones already there keep their state.
  const HYPERV = ['relaxed', 'vapic', 'spinlocks', 'vpindex', 'runtime', 'synic', 'stimer', 'reset', 'vendor_id', 'frequencies', 'reenlightenment', 'tlbflush', 'ipi', 'evmcs'];
  const ensureHv = (name: string, snippet: string): XmlNode => {
    const have = child(hyperv, name);
    if (have) return have;
    const rank = HYPERV.indexOf(name);
    const before = elements(hyperv).filter((e) => {
      const r = HYPERV.indexOf(tagOf(e)!);
      return r >= 0 && r < rank;
    });
    return insertChild(hyperv, fromXml(snippet), hvIndent, before.at(-1) ?? (elements(hyperv).length > 0 ? undefined : null));
  };
  for (const [name, snippet] of [
    ['relaxed', "<relaxed state='on'/>"],
    ['vapic', "<vapic state='on'/>"],
    ['spinlocks', "<spinlocks state='on' retries='8191'/>"],
    ['vpindex', "<vpindex state='on'/>"],
    ['synic', "<synic state='on'/>"],
    ['stimer', "<stimer state='on'/>"],
    ['reset', "<reset state='on'/>"],
    ['vendor_id', "<vendor_id state='on'/>"],
    ['frequencies', "<frequencies state='on'/>"],
    ['tlbflush', "<tlbflush state='on'/>"],
    ['ipi', "<ipi state='on'/>"],
  ] as const) {
    ensureHv(name, snippet);
  }
  const vendor = child(hyperv, 'vendor_id')!;
  setAttr(vendor, 'state', 'on');
  setAttr(vendor, 'value', vendorId);
  const clk = section(ctx, 'clock');
  if (attr(clk.el, 'offset') === null) setAttr(clk.el, 'offset', 'localtime');
  if (hvclock) setAttr(hvclock, 'present', 'yes');
  else insertChild(clk.el, fromXml("<timer name='hypervclock' present='yes'/>"), clk.indent);
  return ctx.doc;
}

/** No emulated display: one `<video><model type='none'/></video>` (the GPU or Looking Glass shows the picture). */
export function videoNone(doc: XmlDocument): XmlDocument {
  const ctx = open(doc);
  const devices = section(ctx, 'devices');
  const videos = elements(devices.el, 'video');
  if (videos.length === 1 && attr(child(videos[0]!, 'model') ?? {}, 'type') === 'none' && elements(videos[0]!).length === 1) return ctx.doc;
  const anchor = videos[0] ? childrenOf(devices.el)[childrenOf(devices.el).indexOf(videos[0]) - 2] : undefined;
  for (const v of videos) removeChild(devices.el, v);
  insertChild(devices.el, fromXml("<video>\n  <model type='none'/>\n</video>"), devices.indent, anchor && tagOf(anchor) ? anchor : undefined);
  return ctx.doc;
}

/** Remove the emulated USB tablet (with Looking Glass it makes the mouse move only on click, seed 002). */
export function removeTablet(doc: XmlDocument): XmlDocument {
  const ctx = open(doc);
  const devices = child(ctx.root, 'devices');
  for (const input of devices ? elements(devices, 'input') : []) if (attr(input, 'type') === 'tablet') removeChild(devices!, input);
  return ctx.doc;
}

/** A USB host device by `vendor:product` (e.g. `046d:c52b`). */
export function addUsbDevice(doc: XmlDocument, id: string): XmlDocument {
  const match = id.trim().toLowerCase().match(/^([0-9a-f]{4}):([0-9a-f]{4})$/);
  if (!match) {
    throw VitrineError.of('invalid-usb-id', msg('error.vm.badUsbId', { id }), msg('error.vm.badUsbIdHint'));
  }
  const [, vendor, product] = match as unknown as [string, string, string];
  const ctx = open(doc);
  const devices = section(ctx, 'devices');
  const same = elements(devices.el, 'hostdev').some((h) => {
    if (attr(h, 'type') !== 'usb') return false;
    const src = child(h, 'source');
    const v = (attrValue(child(src ?? {}, 'vendor') ?? {}, 'id') ?? '').toLowerCase();
    const p = (attrValue(child(src ?? {}, 'product') ?? {}, 'id') ?? '').toLowerCase();
    return v === `0x${vendor}` && p === `0x${product}`;
  });
  if (same) return ctx.doc;
  insertChild(devices.el, fromXml(`<hostdev mode='subsystem' type='usb' managed='yes'>
  <source>
    <vendor id='0x${vendor}'/>
    <product id='0x${product}'/>
  </source>
</hostdev>`), devices.indent);
  return ctx.doc;
}

/** `<memballoon model='none'/>`: no ballooning (passed devices pin all guest memory anyway). */
export function memballoonNone(doc: XmlDocument): XmlDocument {
  const ctx = open(doc);
  const devices = section(ctx, 'devices');
  const existing = elements(devices.el, 'memballoon');
  if (existing.length === 1 && attr(existing[0]!, 'model') === 'none' && elements(existing[0]!).length === 0) return ctx.doc;
  const kids = childrenOf(devices.el);
  const anchor = existing[0] ? kids[kids.indexOf(existing[0]) - 2] : undefined;
  for (const m of existing) removeChild(devices.el, m);
  insertChild(devices.el, fromXml("<memballoon model='none'/>"), devices.indent, anchor && tagOf(anchor) ? anchor : undefined);
  return ctx.doc;
}

/** Replace the children of `parent` named `name` by fresh ones from snippets, where the first old one was (else at the end). */
function replaceAll(parent: XmlNode, indent: string, name: string, snippets: string[]): void {
  const old = elements(parent, name);
  const kids = childrenOf(parent);
  const before = old[0] ? kids.slice(0, kids.indexOf(old[0])).reverse().find((k) => tagOf(k) !== null) : undefined;
  for (const el of old) removeChild(parent, el);
  let after: XmlNode | null | undefined = old.length > 0 ? (before ?? undefined) : null;
  for (const snippet of snippets) after = insertChild(parent, fromXml(snippet), indent, after);
}

/**
 * CPU pinning from a plan (main/libvirt/pinning.ts): the vCPU count,
 * `<iothreads>` with the virtio disks on I/O thread 1, `<cputune>` (vcpupin,
 * emulatorpin, iothreadpin: other tuning there is kept), `<numatune>` on
 * multi-node hosts, and the CPU's topology, cache passthrough and topoext.
 */
export function setCpuPinning(doc: XmlDocument, plan: PinningPlan): XmlDocument {
  const ctx = open(doc);
  const vcpu = section(ctx, 'vcpu');
  setAttr(vcpu.el, 'placement', 'static');
  removeAttr(vcpu.el, 'current');
  removeAttr(vcpu.el, 'cpuset');
  setText(vcpu.el, String(plan.vcpus));
  const vcpusEl = child(ctx.root, 'vcpus');
  if (vcpusEl) removeChild(ctx.root, vcpusEl);
  const iothreads = section(ctx, 'iothreads');
  if (!/^\s*[1-9]\d*\s*$/.test(textOf(iothreads.el))) setText(iothreads.el, '1');
  const cputune = section(ctx, 'cputune');
  replaceAll(cputune.el, cputune.indent, 'vcpupin', plan.vcpupin.map((cpu, i) => xml`<vcpupin vcpu='${i}' cpuset='${cpu}'/>`));
  replaceAll(cputune.el, cputune.indent, 'emulatorpin', [xml`<emulatorpin cpuset='${formatCpuList(plan.emulatorpin)}'/>`]);
  replaceAll(cputune.el, cputune.indent, 'iothreadpin', [xml`<iothreadpin iothread='1' cpuset='${formatCpuList(plan.iothreadpin)}'/>`]);
  if (plan.numaNode !== null) {
    const numatune = section(ctx, 'numatune');
    const memory = ensureChild(numatune.el, 'memory', numatune.indent);
    setAttr(memory, 'mode', 'preferred');
    setAttr(memory, 'nodeset', String(plan.numaNode));
  }
  const cpu = section(ctx, 'cpu');
  if (attr(cpu.el, 'mode') === null) {
    setAttr(cpu.el, 'mode', 'host-passthrough');
    setAttr(cpu.el, 'check', 'none');
  }
  const topology = ensureChild(cpu.el, 'topology', cpu.indent);
  setAttr(topology, 'sockets', '1');
  setAttr(topology, 'dies', '1');
  removeAttr(topology, 'clusters');
  setAttr(topology, 'cores', String(plan.topology.cores));
  setAttr(topology, 'threads', String(plan.topology.threads));
  const cache = ensureChild(cpu.el, 'cache', cpu.indent);
  setAttr(cache, 'mode', 'passthrough');
  removeAttr(cache, 'level');
  const topoext = elements(cpu.el, 'feature').find((f) => attrValue(f, 'name') === 'topoext');
  if (plan.topoext) {
    if (topoext) setAttr(topoext, 'policy', 'require');
    else insertChild(cpu.el, fromXml("<feature policy='require' name='topoext'/>"), cpu.indent);
  }
  const devices = child(ctx.root, 'devices');
  for (const disk of devices ? elements(devices, 'disk') : []) {
    if (attr(disk, 'device') !== 'disk' || attr(child(disk, 'target') ?? {}, 'bus') !== 'virtio') continue;
    const driver = child(disk, 'driver');
    if (driver && attr(driver, 'iothread') === null) setAttr(driver, 'iothread', '1');
  }
  return ctx.doc;
}

/** Back memory with hugepages (`<memoryBacking><hugepages/>`, a page size when not the default), or stop. */
export function setHugepages(doc: XmlDocument, on: boolean, sizeKiB?: number): XmlDocument {
  const ctx = open(doc);
  const existing = child(ctx.root, 'memoryBacking');
  if (!on) {
    const pages = existing ? child(existing, 'hugepages') : null;
    if (pages) removeChild(existing!, pages);
    if (existing && elements(existing).length === 0) removeChild(ctx.root, existing);
    return ctx.doc;
  }
  const backing = section(ctx, 'memoryBacking');
  const pages = ensureChild(backing.el, 'hugepages', backing.indent);
  if (sizeKiB !== undefined) {
    for (const p of elements(pages, 'page')) removeChild(pages, p);
    insertChild(pages, fromXml(xml`<page size='${sizeKiB}' unit='KiB'/>`), indentOf(backing.el, pages));
  }
  return ctx.doc;
}

/** Remove a CD-ROM by its source file (the answer-file ISO once Windows is installed). */
export function removeCdrom(doc: XmlDocument, file: string): XmlDocument {
  const ctx = open(doc);
  const devices = child(ctx.root, 'devices');
  for (const disk of devices ? elements(devices, 'disk') : []) {
    if (attr(disk, 'device') === 'cdrom' && attrValue(child(disk, 'source') ?? {}, 'file') === file) removeChild(devices!, disk);
  }
  return ctx.doc;
}

/** What some edits need from the host: the pinning plan, the hugepage size. */
export interface EditContext {
  pinning?: PinningPlan | undefined;
  hugepageSizeKiB?: number | undefined;
}

/** Apply a set of edits in a fixed order. */
export function applyEdits(doc: XmlDocument, request: EditRequest, context: EditContext = {}): XmlDocument {
  let out = doc;
  if (request.cpuPinning) {
    if (!context.pinning) throw VitrineError.of('no-topology', msg('error.vm.pinningUnread'), msg('error.vm.pinningUnreadHint'));
    out = setCpuPinning(out, context.pinning);
  }
  if (request.hugepages !== undefined) out = setHugepages(out, request.hugepages, context.hugepageSizeKiB);
  if (request.detachPci) out = detachPci(out, request.detachPci.addresses);
  if (request.attachPci) out = attachPci(out, request.attachPci.addresses, request.attachPci.rom ?? null);
  if (request.shmemMiB !== undefined) out = setShmem(out, request.shmemMiB);
  if (request.kvmfrMiB !== undefined) out = setKvmfr(out, request.kvmfrMiB);
  if (request.hideHypervisor) out = hideHypervisor(out, request.hideHypervisor.method, request.hideHypervisor.vendorId);
  if (request.videoNone) out = videoNone(out);
  if (request.removeTablet) out = removeTablet(out);
  for (const id of request.usb ?? []) out = addUsbDevice(out, id);
  if (request.memballoonNone) out = memballoonNone(out);
  if (request.lookingGlass) out = setLookingGlassSettings(out, request.lookingGlass);
  if (request.handover) out = setHandover(out, request.handover);
  return out;
}

/** Text of the first element at a path, for summaries. */
export function textAt(doc: XmlDocument, ...path: string[]): string | null {
  let el: XmlNode | null = rootElement(doc);
  for (const step of path) el = el ? child(el, step) : null;
  return el ? textOf(el) : null;
}
