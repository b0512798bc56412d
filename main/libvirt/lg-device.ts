import { tagOf, type XmlNode } from './xml/document';
import { attr, attrValue, child, elements, textOf } from './xml/nodes';

/**
 * Finding a domain's Looking Glass memory the way people actually write it
 * (shared/reference/looking-glass.md, "Existing VMs"): a plain `<shmem>`,
 * usually named `looking-glass` but any name will do when it is the one
 * (never Scream's `scream-ivshmem`), or `<qemu:commandline>` arguments
 * pairing `-device ivshmem-plain,memdev=ID` with `-object
 * memory-backend-file,id=ID,mem-path=…,size=…` in either syntax: QEMU's JSON
 * (`{'driver':'ivshmem-plain',…}`) or the old `key=value,…` one (sizes with a
 * unit suffix such as `128M`).
 */

export interface LgDevice {
  mode: 'shmem' | 'kvmfr';
  sizeMiB: number;
  /** The `<shmem>` name, or the memory backend's id. */
  device: string;
  /** The file or device on the host: /dev/shm/NAME for a shmem, the backend's mem-path otherwise. */
  path: string;
  source: 'shmem' | 'qemu-commandline';
  /** The `<shmem>` element, or the `<qemu:arg>` elements (option and value) of the -device and -object pairs. */
  nodes: XmlNode[];
}

const UNIT_MIB: Record<string, number> = { b: 1 / 1048576, bytes: 1 / 1048576, k: 1 / 1024, kib: 1 / 1024, kb: 1000 / 1048576, m: 1, mib: 1, mb: 1e6 / 1048576, g: 1024, gib: 1024, gb: 1e9 / 1048576, t: 1048576, tib: 1048576 };

/** Scream's audio ivshmem and other devices that are never Looking Glass. */
const NOT_LG = /scream/i;
const LG_NAME = /looking|glass|(^|[-_])lg([-_]|$)|kvmfr/i;

/** A QEMU argument's properties, from `{'k':v,…}` (JSON with either quote) or `driver,k=v,…`. */
export function qemuProps(spec: string): Record<string, string> | null {
  const text = spec.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text.replace(/'/g, '"')) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return null;
    }
  }
  const props: Record<string, string> = {};
  // QEMU escapes a comma inside a value as ",,".
  const parts = text.split(/(?<!,),(?!,)/).map((p) => p.replaceAll(',,', ','));
  parts.forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0) props['driver'] = part;
      return;
    }
    props[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  });
  return props;
}

/** A QEMU size (`67108864`, `128M`, `1G`, `64MiB`) in MiB, or null. */
export function qemuSizeMiB(value: string | undefined): number | null {
  const m = value?.trim().match(/^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i);
  if (!m) return null;
  const factor = { '': 1 / 1048576, k: 1 / 1024, m: 1, g: 1024, t: 1048576 }[m[2]!.toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

function shmemSizeMiB(shmem: XmlNode): number {
  const size = child(shmem, 'size');
  if (!size) return 4; // libvirt's default
  const unit = (attr(size, 'unit') ?? 'M').toLowerCase();
  return Math.round(Number(textOf(size)) * (UNIT_MIB[unit] ?? 1));
}

/**
 * The `<shmem>` used for Looking Glass: `looking-glass`, else an LG-like
 * name, else the only plain one left that looks like Looking Glass's: with
 * its own `<size>` (Looking Glass needs far more than ivshmem's 4 MiB
 * default) and no MSI (a plain LG device has no interrupts). A bare
 * `<shmem name='shmem0'>` is someone else's, and no edit touches it.
 */
function lgShmem(devices: XmlNode): XmlNode | null {
  const candidates = elements(devices, 'shmem').filter((s) => {
    const name = attrValue(s, 'name') ?? '';
    const model = attr(child(s, 'model') ?? {}, 'type') ?? 'ivshmem-plain';
    return name !== '' && !NOT_LG.test(name) && model === 'ivshmem-plain' && !child(s, 'server');
  });
  return (
    candidates.find((s) => attrValue(s, 'name') === 'looking-glass') ??
    candidates.find((s) => LG_NAME.test(attrValue(s, 'name') ?? '')) ??
    (candidates.length === 1 && child(candidates[0]!, 'size') && !child(candidates[0]!, 'msi') ? candidates[0]! : null)
  );
}

interface QemuOption {
  option: '-device' | '-object';
  props: Record<string, string>;
  nodes: XmlNode[];
}

/** The -device/-object options of every `<qemu:commandline>` (either namespace prefix). */
function qemuOptions(root: XmlNode): QemuOption[] {
  const out: QemuOption[] = [];
  for (const commandline of elements(root).filter((e) => tagOf(e)!.endsWith(':commandline'))) {
    const args = elements(commandline).filter((a) => tagOf(a)!.endsWith(':arg'));
    for (let i = 0; i < args.length; i++) {
      const value = (attrValue(args[i]!, 'value') ?? '').trim();
      // `-object` and its value as two arguments, or as one ("-object memory-backend-file,…").
      const joined = value.match(/^(-device|-object)\s+(\S.*)$/);
      if (joined) {
        const props = qemuProps(joined[2]!);
        if (props) out.push({ option: joined[1] as QemuOption['option'], props, nodes: [args[i]!] });
      } else if ((value === '-device' || value === '-object') && i + 1 < args.length) {
        const props = qemuProps(attrValue(args[i + 1]!, 'value') ?? '');
        if (props) out.push({ option: value, props, nodes: [args[i]!, args[i + 1]!] });
        i++;
      }
    }
  }
  return out;
}

/** Looking Glass memory through `<qemu:commandline>`: an ivshmem-plain device whose backend file is kvmfr or an LG file. */
export function findLookingGlassArgs(root: XmlNode): LgDevice | null {
  const options = qemuOptions(root);
  const backends = options.filter((o) => o.option === '-object' && (o.props['qom-type'] ?? o.props['driver']) === 'memory-backend-file');
  const found: LgDevice[] = [];
  for (const device of options.filter((o) => o.option === '-device' && o.props['driver'] === 'ivshmem-plain' && o.props['memdev'])) {
    const backend = backends.find((b) => b.props['id'] === device.props['memdev']);
    const path = backend?.props['mem-path'];
    if (!backend || !path) continue;
    const id = backend.props['id']!;
    const kvmfr = /^\/dev\/kvmfr\d+$/.test(path);
    if (!kvmfr && (NOT_LG.test(id) || NOT_LG.test(path))) continue;
    found.push({ mode: kvmfr ? 'kvmfr' : 'shmem', sizeMiB: qemuSizeMiB(backend.props['size']) ?? 0, device: id, path, source: 'qemu-commandline', nodes: [...device.nodes, ...backend.nodes] });
  }
  return found.find((d) => d.mode === 'kvmfr') ?? found.find((d) => LG_NAME.test(d.device) || LG_NAME.test(d.path)) ?? (found.length === 1 ? found[0]! : null);
}

/** The domain's Looking Glass memory, or null when it has none. */
export function findLookingGlass(root: XmlNode): LgDevice | null {
  const devices = child(root, 'devices');
  const shmem = devices ? lgShmem(devices) : null;
  const named = shmem && attrValue(shmem, 'name') === 'looking-glass';
  const commandline = findLookingGlassArgs(root);
  if (shmem && (named || !commandline)) {
    const name = attrValue(shmem, 'name')!;
    return { mode: 'shmem', sizeMiB: shmemSizeMiB(shmem), device: name, path: `/dev/shm/${name}`, source: 'shmem', nodes: [shmem] };
  }
  return commandline;
}
