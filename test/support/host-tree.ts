import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { HostRoots } from '../../main/host/roots';

/** A compact description of a host; `writeHostTree` turns it into sysfs/procfs/dev/modules trees. */
export interface HostSpec {
  cpu: { vendorId: 'GenuineIntel' | 'AuthenticAMD'; model: string; flags?: string[] };
  cmdline: string;
  iommu: 'intel' | 'amd' | 'off';
  /** Interrupt remapping on (IR- chips in /proc/interrupts); default true when the IOMMU is on. */
  interruptRemapping?: boolean;
  /** /dev/kvm present; default true. */
  kvm?: boolean;
  /** Loaded modules. */
  modules?: string[];
  devices: DeviceSpec[];
  /** /proc/mounts lines as [device, mountpoint]. */
  mounts?: [string, string][];
  /** The CPU topology under /sys/devices/system/cpu (Linux numbering: core k's threads are k, k+cores, …). */
  topology?: TopologySpec;
  /** /proc/meminfo and /sys/kernel/mm/hugepages. */
  memory?: MemorySpec;
}

export interface TopologySpec {
  /** Physical cores in all. */
  cores: number;
  /** SMT threads per core (1 or 2). */
  threads: number;
  /** Cores per L3 cache group (an AMD CCD/CCX); default all of them. */
  coresPerL3?: number;
  /** Dies (die_id), each of coresPerDie cores; default one. */
  coresPerDie?: number;
  /** NUMA nodes, each of coresPerNode cores; default one node. */
  coresPerNode?: number;
}

export interface MemorySpec {
  totalGiB: number;
  availableGiB: number;
  /** Hugepage pools by size in KiB: [nr_hugepages, free_hugepages]. Default {2048: [0, 0], 1048576: [0, 0]}. */
  pools?: Record<number, [number, number]>;
}

export interface DeviceSpec {
  /** `01:00.0` or `0000:01:00.0` */
  address: string;
  /** `0x030000` */
  class: string;
  /** `10de:2206` */
  id: string;
  subsystem?: string;
  driver?: string;
  group?: number;
  /** The upstream bridge's address. */
  parent?: string;
  /** numa_node (default -1). */
  numaNode?: number;
  bootVga?: boolean;
  /** reset_method content; [] writes no reset file at all. Default ['bus']. */
  reset?: string[];
  rom?: boolean;
  displays?: { name: string; connected: boolean }[];
  usb?: { port: string; id: string; manufacturer?: string; product?: string }[];
  block?: { name: string; sizeGiB: number; model?: string; partitions?: string[] }[];
}

export const KERNEL_RELEASE = '6.8.0-vitrine-fixture';

/** A realistic subset of modules.alias (the drivers the fixture hosts' devices match). */
export const MODULES_ALIAS = `# Aliases extracted from modules themselves.
alias pci:v000010DEd*sv*sd*bc03sc00i00 nouveau
alias pci:v000010DEd*sv*sd*bc03sc02i00 nouveau
alias pci:v000010DEd*sv*sd*bc03sc00i00 nvidia
alias pci:v000010DEd*sv*sd*bc03sc02i00 nvidia
alias pci:v000010DEd*sv*sd*bc04sc03i00 snd_hda_intel
alias pci:v00001002d*sv*sd*bc04sc03i00 snd_hda_intel
alias pci:v00008086d*sv*sd*bc04sc03i00 snd_hda_intel
alias pci:v00001022d000015E3sv*sd*bc*sc*i* snd_hda_intel
alias pci:v00001002d000073BFsv*sd*bc*sc*i* amdgpu
alias pci:v00001002d0000164Esv*sd*bc*sc*i* amdgpu
alias pci:v00008086d00009BC5sv*sd*bc03sc*i* i915
alias pci:v00008086d00000412sv*sd*bc03sc*i* i915
alias pci:v00008086d00009A49sv*sd*bc03sc*i* i915
alias pci:v*d*sv*sd*bc0Csc03i30 xhci_pci
alias pci:v000010DEd00001AD8sv*sd*bc*sc*i* i2c_nvidia_gpu
alias pci:v000010DEd00001AEDsv*sd*bc*sc*i* i2c_nvidia_gpu
alias pci:v000010DEd00001AD9sv*sd*bc*sc*i* ucsi_ccg
alias pci:v*d*sv*sd*bc01sc08i02 nvme
alias pci:v*d*sv*sd*bc01sc06i01 ahci
alias pci:v00008086d0000105Esv*sd*bc*sc*i* e1000e
alias pci:v000010ECd00008125sv*sd*bc*sc*i* r8169
alias pci:v*d*sv*sd*bc06sc04i00 pcieport
`;

const full = (address: string): string => (address.length === 7 ? `0000:${address}` : address);

/** The 64-byte PCI config header lspci reads (type 0, or type 1 for bridges). */
function configSpace(device: DeviceSpec): Buffer {
  const buf = Buffer.alloc(256);
  const [vendor, dev] = device.id.split(':').map((h) => parseInt(h, 16)) as [number, number];
  const cls = parseInt(device.class.replace(/^0x/, ''), 16);
  buf.writeUInt16LE(vendor, 0);
  buf.writeUInt16LE(dev, 2);
  buf.writeUInt8(0xa1, 8); // revision
  buf.writeUInt8(cls & 0xff, 9);
  buf.writeUInt8((cls >> 8) & 0xff, 10);
  buf.writeUInt8((cls >> 16) & 0xff, 11);
  const bridge = device.class.startsWith('0x0604');
  buf.writeUInt8(bridge ? 1 : 0, 14);
  if (!bridge && device.subsystem) {
    const [sv, sd] = device.subsystem.split(':').map((h) => parseInt(h, 16)) as [number, number];
    buf.writeUInt16LE(sv, 0x2c);
    buf.writeUInt16LE(sd, 0x2e);
  }
  return buf;
}

function write(path: string, content: string | Buffer, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(relative(dirname(path), target), path);
}

/** Write the host's trees under `dir` and return the roots to scan them. */
export function writeHostTree(spec: HostSpec, dir: string): HostRoots {
  const sys = join(dir, 'sys');
  const proc = join(dir, 'proc');
  const dev = join(dir, 'dev');
  const modules = join(dir, 'lib', 'modules');
  const byAddress = new Map(spec.devices.map((d) => [full(d.address), d]));
  const pathOf = (address: string): string => {
    const device = byAddress.get(address);
    const parent = device?.parent ? full(device.parent) : null;
    return parent ? join(pathOf(parent), address) : join(sys, 'devices', `pci${address.slice(0, 4)}:00`, address);
  };
  let card = 0;
  let usbBus = 1;
  const classBlock = join(sys, 'class', 'block');
  for (const device of spec.devices) {
    const address = full(device.address);
    const path = pathOf(address);
    const [vendor, deviceId] = device.id.split(':') as [string, string];
    const [sv, sd] = (device.subsystem ?? '0000:0000').split(':') as [string, string];
    const cls = device.class.replace(/^0x/, '').toUpperCase();
    write(join(path, 'class'), `${device.class}\n`);
    write(join(path, 'vendor'), `0x${vendor}\n`);
    write(join(path, 'device'), `0x${deviceId}\n`);
    write(join(path, 'subsystem_vendor'), `0x${sv}\n`);
    write(join(path, 'subsystem_device'), `0x${sd}\n`);
    write(join(path, 'revision'), '0xa1\n');
    write(join(path, 'numa_node'), `${device.numaNode ?? -1}\n`);
    write(join(path, 'irq'), '16\n');
    write(join(path, 'resource'), '0x0000000000000000 0x0000000000000000 0x0000000000000000\n');
    write(join(path, 'config'), configSpace(device));
    write(
      join(path, 'modalias'),
      `pci:v0000${vendor.toUpperCase()}d0000${deviceId.toUpperCase()}sv0000${sv.toUpperCase()}sd0000${sd.toUpperCase()}bc${cls.slice(0, 2)}sc${cls.slice(2, 4)}i${cls.slice(4, 6)}\n`,
    );
    write(
      join(path, 'uevent'),
      [
        ...(device.driver ? [`DRIVER=${device.driver}`] : []),
        `PCI_CLASS=${parseInt(cls, 16).toString(16).toUpperCase()}`,
        `PCI_ID=${vendor.toUpperCase()}:${deviceId.toUpperCase()}`,
        `PCI_SUBSYS_ID=${sv.toUpperCase()}:${sd.toUpperCase()}`,
        `PCI_SLOT_NAME=${address}`,
        `MODALIAS=pci:v0000${vendor.toUpperCase()}d0000${deviceId.toUpperCase()}sv0000${sv.toUpperCase()}sd0000${sd.toUpperCase()}bc${cls.slice(0, 2)}sc${cls.slice(2, 4)}i${cls.slice(4, 6)}`,
      ].join('\n') + '\n',
    );
    const reset = device.reset ?? ['bus'];
    if (reset.length > 0) {
      write(join(path, 'reset_method'), `${reset.join(' ')}\n`);
      write(join(path, 'reset'), '');
    }
    if (device.class.startsWith('0x0300')) write(join(path, 'boot_vga'), device.bootVga ? '1\n' : '0\n');
    if (device.rom) write(join(path, 'rom'), '');
    link(path, join(sys, 'bus', 'pci', 'devices', address));
    if (device.driver) {
      mkdirSync(join(sys, 'bus', 'pci', 'drivers', device.driver), { recursive: true });
      link(join(sys, 'bus', 'pci', 'drivers', device.driver), join(path, 'driver'));
    }
    if (device.group !== undefined && spec.iommu !== 'off') {
      const groupDir = join(sys, 'kernel', 'iommu_groups', String(device.group));
      link(path, join(groupDir, 'devices', address));
      link(groupDir, join(path, 'iommu_group'));
    }
    if (device.displays) {
      const name = `card${card++}`;
      for (const connector of device.displays) write(join(path, 'drm', name, `${name}-${connector.name}`, 'status'), connector.connected ? 'connected\n' : 'disconnected\n');
    }
    if (device.usb) {
      const hub = join(path, `usb${usbBus++}`);
      write(join(hub, 'idVendor'), '1d6b\n');
      for (const usb of device.usb) {
        const [uv, up] = usb.id.split(':') as [string, string];
        const usbPath = join(hub, usb.port);
        write(join(usbPath, 'idVendor'), `${uv}\n`);
        write(join(usbPath, 'idProduct'), `${up}\n`);
        if (usb.manufacturer) write(join(usbPath, 'manufacturer'), `${usb.manufacturer}\n`);
        if (usb.product) write(join(usbPath, 'product'), `${usb.product}\n`);
      }
    }
    for (const disk of device.block ?? []) {
      const diskPath = join(path, 'host0', 'block', disk.name);
      write(join(diskPath, 'size'), `${disk.sizeGiB * 2 * 1024 * 1024}\n`);
      if (disk.model) write(join(diskPath, 'device', 'model'), `${disk.model}\n`);
      link(diskPath, join(classBlock, disk.name));
      for (const part of disk.partitions ?? []) {
        write(join(diskPath, part, 'partition'), '1\n');
        write(join(diskPath, part, 'size'), '2048\n');
        link(join(diskPath, part), join(classBlock, part));
      }
    }
  }
  if (spec.iommu !== 'off') mkdirSync(join(sys, 'class', 'iommu', spec.iommu === 'intel' ? 'dmar0' : 'ivhd0'), { recursive: true });
  else mkdirSync(join(sys, 'kernel', 'iommu_groups'), { recursive: true });
  for (const module of spec.modules ?? []) mkdirSync(join(sys, 'module', module), { recursive: true });

  const flags = [...(spec.cpu.flags ?? ['fpu', 'vme', 'de', 'pse', spec.cpu.vendorId === 'GenuineIntel' ? 'vmx' : 'svm'])].join(' ');
  write(join(proc, 'cpuinfo'), `processor\t: 0\nvendor_id\t: ${spec.cpu.vendorId}\nmodel name\t: ${spec.cpu.model}\nflags\t\t: ${flags}\n\nprocessor\t: 1\nvendor_id\t: ${spec.cpu.vendorId}\n`);
  write(join(proc, 'cmdline'), `${spec.cmdline}\n`);
  const ir = spec.iommu !== 'off' && (spec.interruptRemapping ?? true);
  write(
    join(proc, 'interrupts'),
    `           CPU0       CPU1\n  0:         22          0   ${ir ? 'IR-IO-APIC' : 'IO-APIC'}    2-edge      timer\n 120:      3054          0  ${ir ? 'IR-PCI-MSI' : 'PCI-MSI'}-0000:00:17.0    0-edge      ahci[0000:00:17.0]\n`,
  );
  write(join(proc, 'modules'), (spec.modules ?? []).map((m) => `${m} 16384 0 - Live 0x0000000000000000`).join('\n') + '\n');
  write(join(proc, 'mounts'), (spec.mounts ?? []).map(([d, m]) => `${d} ${m} ext4 rw,relatime 0 0`).join('\n') + '\nproc /proc proc rw 0 0\n');
  write(join(proc, 'sys', 'kernel', 'osrelease'), `${KERNEL_RELEASE}\n`);
  if (spec.topology) writeTopology(spec.topology, sys);
  if (spec.memory) {
    const m = spec.memory;
    const pools = m.pools ?? { 2048: [0, 0], 1048576: [0, 0] };
    const def = pools[2048] ?? [0, 0];
    write(
      join(proc, 'meminfo'),
      `MemTotal:       ${m.totalGiB * 1048576} kB\nMemFree:        ${m.availableGiB * 1048576} kB\nMemAvailable:   ${m.availableGiB * 1048576} kB\nHugePages_Total:    ${def[0]}\nHugePages_Free:     ${def[1]}\nHugepagesize:       2048 kB\n`,
    );
    for (const [size, [total, free]] of Object.entries(pools)) {
      write(join(sys, 'kernel', 'mm', 'hugepages', `hugepages-${size}kB`, 'nr_hugepages'), `${total}\n`);
      write(join(sys, 'kernel', 'mm', 'hugepages', `hugepages-${size}kB`, 'free_hugepages'), `${free}\n`);
    }
  }
  if (spec.kvm ?? true) write(join(dev, 'kvm'), '', 0o666);
  else mkdirSync(dev, { recursive: true });
  write(join(modules, KERNEL_RELEASE, 'modules.alias'), MODULES_ALIAS);
  return { sys, proc, dev, modules, etc: '/etc', root: '/', pciIds: ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'] };
}

/** /sys/devices/system/cpu and /sys/devices/system/node as Linux lays them out (only the files Vitrine reads: fixture trees are made by the hundred). */
function writeTopology(t: TopologySpec, sys: string): void {
  const total = t.cores * t.threads;
  const base = join(sys, 'devices', 'system', 'cpu');
  const list = (cpus: number[]): string => cpus.join(',');
  const perL3 = t.coresPerL3 ?? t.cores;
  const perDie = t.coresPerDie ?? t.cores;
  const perNode = t.coresPerNode ?? t.cores;
  write(join(base, 'online'), `0-${total - 1}\n`);
  for (let cpu = 0; cpu < total; cpu++) {
    const core = cpu % t.cores;
    const siblings = Array.from({ length: t.threads }, (_, i) => core + i * t.cores);
    const l3 = Math.floor(core / perL3);
    const l3cpus = Array.from({ length: perL3 }, (_, i) => l3 * perL3 + i).flatMap((c) => Array.from({ length: t.threads }, (_, i) => c + i * t.cores)).sort((a, b) => a - b);
    const dir = join(base, `cpu${cpu}`);
    write(join(dir, 'topology', 'core_id'), `${core}\n`);
    write(join(dir, 'topology', 'physical_package_id'), '0\n');
    write(join(dir, 'topology', 'die_id'), `${Math.floor(core / perDie)}\n`);
    write(join(dir, 'topology', 'thread_siblings_list'), `${list(siblings)}\n`);
    write(join(dir, 'cache', 'index3', 'shared_cpu_list'), `${list(l3cpus)}\n`);
    const node = Math.floor(core / perNode);
    const nodeDir = join(sys, 'devices', 'system', 'node', `node${node}`);
    mkdirSync(nodeDir, { recursive: true });
    link(nodeDir, join(dir, `node${node}`));
  }
}

/** Write a host to a fresh temporary folder; `remove()` deletes it. */
export function tempHostTree(spec: HostSpec): HostRoots & { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-host-'));
  return { ...writeHostTree(spec, dir), dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
