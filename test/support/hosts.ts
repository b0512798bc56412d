import type { DeviceSpec, HostSpec } from './host-tree';

const kbMouse = [
  { port: '1-1', id: '046d:c52b', manufacturer: 'Logitech', product: 'USB Receiver' },
  { port: '1-2', id: '04d9:0169', manufacturer: 'Holtek', product: 'USB Keyboard' },
];

/**
 * Seed 001: Ryzen 7000 on a Gigabyte B650M (Proxmox). RTX 3080 + its audio
 * alone in group 12; the Raphael iGPU (boot display) in 26, its audio in 27.
 */
export const seed001Ryzen: HostSpec = {
  cpu: { vendorId: 'AuthenticAMD', model: 'AMD Ryzen 9 7950X 16-Core Processor' },
  topology: { cores: 16, threads: 2, coresPerL3: 8 },
  memory: { totalGiB: 64, availableGiB: 58 },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.5.11-8-pve root=/dev/mapper/pve-root ro quiet iommu=pt',
  iommu: 'amd',
  modules: ['kvm', 'kvm_amd'],
  mounts: [['/dev/nvme0n1p3', '/'], ['/dev/nvme0n1p2', '/boot/efi']],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '1022:14d8', group: 0, reset: [] },
    { address: '00:01.1', class: '0x060400', id: '1022:14db', group: 1, driver: 'pcieport' },
    { address: '00:02.1', class: '0x060400', id: '1022:14db', group: 2, driver: 'pcieport' },
    { address: '01:00.0', class: '0x030000', id: '10de:2206', subsystem: '1458:403b', group: 12, parent: '00:01.1', driver: 'nouveau', rom: true, reset: ['bus'], displays: [{ name: 'DP-1', connected: true }, { name: 'HDMI-A-1', connected: false }] },
    { address: '01:00.1', class: '0x040300', id: '10de:1aef', subsystem: '1458:403b', group: 12, parent: '00:01.1', driver: 'snd_hda_intel' },
    { address: '02:00.0', class: '0x010802', id: '1c5c:1959', group: 13, parent: '00:02.1', driver: 'nvme', reset: ['flr', 'bus'], block: [{ name: 'nvme0n1', sizeGiB: 1863, model: 'SHPP41-2000GM', partitions: ['nvme0n1p1', 'nvme0n1p2', 'nvme0n1p3'] }] },
    { address: '07:00.0', class: '0x028000', id: '10ec:c852', group: 17, driver: 'rtw89_8852be' },
    { address: '08:00.0', class: '0x020000', id: '10ec:8125', group: 18, driver: 'r8169' },
    { address: '0f:00.0', class: '0x010601', id: '1022:43f6', group: 25, driver: 'ahci', block: [{ name: 'sda', sizeGiB: 931, model: 'WDC WD10EZEX' }] },
    { address: '10:00.0', class: '0x030000', id: '1002:164e', group: 26, driver: 'amdgpu', bootVga: true, displays: [{ name: 'HDMI-A-1', connected: true }] },
    { address: '10:00.1', class: '0x040300', id: '1002:1640', group: 27, driver: 'snd_hda_intel' },
    { address: '10:00.3', class: '0x0c0330', id: '1022:15b6', group: 28, driver: 'xhci_hcd', usb: kbMouse },
    { address: '10:00.6', class: '0x040300', id: '1022:15e3', group: 31, driver: 'snd_hda_intel' },
  ],
};

const seed003Devices: DeviceSpec[] = [
  { address: '00:00.0', class: '0x060000', id: '8086:0c00', group: 0, reset: [] },
  { address: '00:01.0', class: '0x060400', id: '8086:0c01', group: 1, driver: 'pcieport' },
  { address: '00:02.0', class: '0x030000', id: '8086:041a', group: 2, driver: 'i915', bootVga: true, displays: [{ name: 'HDMI-A-1', connected: true }] },
  { address: '00:14.0', class: '0x0c0330', id: '8086:8cb1', group: 3, driver: 'xhci_hcd', usb: kbMouse },
  { address: '00:1f.2', class: '0x010601', id: '8086:8c82', group: 8, driver: 'ahci', block: [{ name: 'sda', sizeGiB: 238, model: 'Samsung SSD 850', partitions: ['sda1'] }] },
  { address: '01:00.0', class: '0x030000', id: '10de:1c03', subsystem: '19da:2438', group: 1, parent: '00:01.0', driver: 'nouveau', rom: true, displays: [{ name: 'DP-1', connected: true }] },
  { address: '01:00.1', class: '0x040300', id: '10de:10f1', subsystem: '19da:2438', group: 1, parent: '00:01.0', driver: 'snd_hda_intel' },
];

/**
 * Seed 003: Xeon E3-1246 v3 on an ASRock H97M, Ubuntu. GTX 1060 + its audio in
 * group 1 with the CPU's PCIe bridge (which stays with the host).
 */
export const seed003Xeon: HostSpec = {
  cpu: { vendorId: 'GenuineIntel', model: 'Intel(R) Xeon(R) CPU E3-1246 v3 @ 3.50GHz' },
  topology: { cores: 4, threads: 2 },
  memory: { totalGiB: 16, availableGiB: 13, pools: { 2048: [4096, 4096], 1048576: [0, 0] } },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-4.15.0-43-generic root=UUID=2f7c3c1e-7c1b-4f5e-9d2e-0c3a9f1d2b11 ro quiet splash intel_iommu=on',
  iommu: 'intel',
  modules: ['kvm', 'kvm_intel'],
  mounts: [['/dev/sda1', '/']],
  devices: seed003Devices,
};

/** The same host after preparation (seed 003's vfio_pci.ids): the GTX 1060 is on vfio-pci. */
export const seed003XeonPrepared: HostSpec = {
  ...seed003Xeon,
  cmdline: `${seed003Xeon.cmdline} iommu=pt vfio_pci.ids=10de:1c03,10de:10f1`,
  modules: ['kvm', 'kvm_intel', 'vfio', 'vfio_pci', 'vfio_iommu_type1'],
  devices: seed003Devices.map((d) => (d.address.startsWith('01:00') ? { ...d, driver: 'vfio-pci' } : d)),
};

/**
 * Seed 000: MSI MPG Z490 with two NVIDIA Turing cards (four functions each),
 * an IDT PCIe switch carrying two dual-port Intel NICs, and USB cards. The
 * CPU's two PEG ports lack ACS, so the first card shares group 1 with the NICs.
 */
export const seed000Z490: HostSpec = {
  cpu: { vendorId: 'GenuineIntel', model: 'Intel(R) Core(TM) i9-10850K CPU @ 3.60GHz' },
  topology: { cores: 10, threads: 2 },
  memory: { totalGiB: 32, availableGiB: 28, pools: { 2048: [1024, 512], 1048576: [0, 0] } },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-5.4.78-2-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt',
  iommu: 'intel',
  modules: ['kvm', 'kvm_intel', 'vfio', 'vfio_iommu_type1', 'vfio_pci'],
  mounts: [['/dev/sda2', '/']],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '8086:9b43', group: 0, reset: [] },
    { address: '00:01.0', class: '0x060400', id: '8086:1901', group: 1, driver: 'pcieport' },
    { address: '00:01.1', class: '0x060400', id: '8086:1905', group: 1, driver: 'pcieport' },
    { address: '00:02.0', class: '0x030000', id: '8086:9bc5', group: 2, driver: 'i915', bootVga: true, displays: [{ name: 'DP-1', connected: true }] },
    { address: '00:14.0', class: '0x0c0330', id: '8086:06ed', group: 3, driver: 'xhci_hcd', usb: kbMouse },
    { address: '00:17.0', class: '0x010601', id: '8086:06d2', group: 5, driver: 'ahci', block: [{ name: 'sda', sizeGiB: 931, model: 'WDC WDS100T2B0A', partitions: ['sda1', 'sda2'] }] },
    { address: '00:1b.0', class: '0x060400', id: '8086:06c0', group: 6, driver: 'pcieport' },
    { address: '00:1b.4', class: '0x060400', id: '8086:06ac', group: 7, driver: 'pcieport' },
    { address: '00:1c.0', class: '0x060400', id: '8086:06b8', group: 8, driver: 'pcieport' },
    { address: '00:1c.4', class: '0x060400', id: '8086:06bc', group: 9, driver: 'pcieport' },
    { address: '00:1f.0', class: '0x060100', id: '8086:0685', group: 10 },
    { address: '00:1f.3', class: '0x040380', id: '8086:06c8', group: 10, driver: 'snd_hda_intel' },
    { address: '00:1f.4', class: '0x0c0500', id: '8086:06a3', group: 10, driver: 'i801_smbus' },
    { address: '00:1f.5', class: '0x0c8000', id: '8086:06a4', group: 10 },
    { address: '01:00.0', class: '0x030000', id: '10de:21c4', group: 1, parent: '00:01.0', driver: 'nvidia', rom: true, displays: [{ name: 'DP-1', connected: true }] },
    { address: '01:00.1', class: '0x040300', id: '10de:1aeb', group: 1, parent: '00:01.0', driver: 'snd_hda_intel' },
    { address: '01:00.2', class: '0x0c0330', id: '10de:1aec', group: 1, parent: '00:01.0', driver: 'xhci_hcd' },
    { address: '01:00.3', class: '0x0c8000', id: '10de:1aed', group: 1, parent: '00:01.0', driver: 'nvidia-gpu' },
    { address: '02:00.0', class: '0x060400', id: '111d:8018', group: 1, parent: '00:01.1', driver: 'pcieport' },
    { address: '03:02.0', class: '0x060400', id: '111d:8018', group: 1, parent: '02:00.0', driver: 'pcieport' },
    { address: '03:04.0', class: '0x060400', id: '111d:8018', group: 1, parent: '02:00.0', driver: 'pcieport' },
    { address: '04:00.0', class: '0x020000', id: '8086:105e', group: 1, parent: '03:02.0', driver: 'e1000e' },
    { address: '04:00.1', class: '0x020000', id: '8086:105e', group: 1, parent: '03:02.0', driver: 'e1000e' },
    { address: '05:00.0', class: '0x020000', id: '8086:105e', group: 1, parent: '03:04.0', driver: 'e1000e' },
    { address: '05:00.1', class: '0x020000', id: '8086:105e', group: 1, parent: '03:04.0', driver: 'e1000e' },
    { address: '07:00.0', class: '0x030000', id: '10de:1e89', group: 12, parent: '00:1b.0', driver: 'nvidia', rom: true, displays: [{ name: 'HDMI-A-1', connected: true }] },
    { address: '07:00.1', class: '0x040300', id: '10de:10f8', group: 12, parent: '00:1b.0', driver: 'snd_hda_intel' },
    { address: '07:00.2', class: '0x0c0330', id: '10de:1ad8', group: 12, parent: '00:1b.0', driver: 'xhci_hcd' },
    { address: '07:00.3', class: '0x0c8000', id: '10de:1ad9', group: 12, parent: '00:1b.0', driver: 'nvidia-gpu' },
    { address: '08:00.0', class: '0x0c0330', id: '1b21:3241', group: 13, parent: '00:1b.4', driver: 'xhci_hcd' },
    { address: '09:00.0', class: '0x020000', id: '10ec:8125', group: 14, parent: '00:1c.0', driver: 'r8169' },
    { address: '0a:00.0', class: '0x0c0330', id: '1912:0014', group: 15, parent: '00:1c.4', driver: 'xhci_hcd', reset: ['flr'] },
  ],
};

/** A laptop: Intel iGPU drives the screen; the NVIDIA MX450 is a 3D controller without outputs. */
export const laptop: HostSpec = {
  cpu: { vendorId: 'GenuineIntel', model: '11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz' },
  cmdline: 'BOOT_IMAGE=/vmlinuz-6.1.0-13-amd64 root=UUID=0b1c ro quiet intel_iommu=on',
  iommu: 'intel',
  modules: ['kvm', 'kvm_intel'],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '8086:9a14', group: 0, reset: [] },
    { address: '00:02.0', class: '0x030000', id: '8086:9a49', group: 1, driver: 'i915', bootVga: true, displays: [{ name: 'eDP-1', connected: true }, { name: 'HDMI-A-1', connected: false }] },
    { address: '00:07.0', class: '0x060400', id: '8086:9a23', group: 2, driver: 'pcieport' },
    { address: '01:00.0', class: '0x030200', id: '10de:1f9d', group: 3, parent: '00:07.0', driver: 'nouveau' },
    { address: '00:14.0', class: '0x0c0330', id: '8086:a0ed', group: 4, driver: 'xhci_hcd' },
  ],
};

/** IOMMU off in the firmware (an AMD desktop with two GPUs): nothing can be passed. */
export const iommuOff: HostSpec = {
  cpu: { vendorId: 'AuthenticAMD', model: 'AMD Ryzen 5 5600X 6-Core Processor' },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=77aa ro quiet splash',
  iommu: 'off',
  interruptRemapping: false,
  modules: ['kvm', 'kvm_amd'],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '1022:1480' },
    { address: '0a:00.0', class: '0x030000', id: '10de:128b', driver: 'nouveau', bootVga: true, displays: [{ name: 'DVI-D-1', connected: true }] },
    { address: '0a:00.1', class: '0x040300', id: '10de:0e0f', driver: 'snd_hda_intel' },
    { address: '0b:00.0', class: '0x030000', id: '1002:73bf', driver: 'amdgpu', displays: [{ name: 'DP-1', connected: true }] },
    { address: '0b:00.1', class: '0x040300', id: '1002:ab28', driver: 'snd_hda_intel' },
  ],
};

/** One GPU only (seed 004's case): it is the boot display; only single-GPU mode can pass it. */
export const singleGpu: HostSpec = {
  cpu: { vendorId: 'AuthenticAMD', model: 'AMD Ryzen 7 5800X 8-Core Processor' },
  topology: { cores: 8, threads: 2 },
  memory: { totalGiB: 32, availableGiB: 20, pools: { 2048: [0, 0], 1048576: [0, 0] } },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-linux root=UUID=9f0e rw amd_iommu=on iommu=pt',
  iommu: 'amd',
  modules: ['kvm', 'kvm_amd'],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '1022:1480', group: 0, reset: [] },
    { address: '00:03.1', class: '0x060400', id: '1022:1483', group: 14, driver: 'pcieport' },
    { address: '0c:00.0', class: '0x030000', id: '1002:73bf', group: 15, parent: '00:03.1', driver: 'amdgpu', bootVga: true, displays: [{ name: 'DP-1', connected: true }, { name: 'DP-2', connected: false }] },
    { address: '0c:00.1', class: '0x040300', id: '1002:ab28', group: 15, parent: '00:03.1', driver: 'snd_hda_intel' },
  ],
};

/**
 * Two NUMA nodes of one 2-CCD, 16-core SMT package (a Threadripper in NPS2),
 * the GPU on node 1: the pinning planner's NUMA case.
 */
export const twoNode16: HostSpec = {
  cpu: { vendorId: 'AuthenticAMD', model: 'AMD Ryzen Threadripper PRO 5955WX 16-Cores' },
  topology: { cores: 16, threads: 2, coresPerL3: 8, coresPerNode: 8 },
  memory: { totalGiB: 128, availableGiB: 120, pools: { 2048: [0, 0], 1048576: [16, 16] } },
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-linux root=UUID=5e1a rw amd_iommu=on iommu=pt',
  iommu: 'amd',
  modules: ['kvm', 'kvm_amd'],
  devices: [
    { address: '00:00.0', class: '0x060000', id: '1022:1480', group: 0, reset: [] },
    { address: '40:01.1', class: '0x060400', id: '1022:1483', group: 20, driver: 'pcieport', numaNode: 1 },
    { address: '41:00.0', class: '0x030000', id: '10de:2206', group: 21, parent: '40:01.1', driver: 'nouveau', numaNode: 1, displays: [{ name: 'DP-1', connected: true }] },
    { address: '41:00.1', class: '0x040300', id: '10de:1aef', group: 21, parent: '40:01.1', driver: 'snd_hda_intel', numaNode: 1 },
    { address: '60:00.0', class: '0x030000', id: '1002:164e', group: 30, driver: 'amdgpu', bootVga: true, numaNode: 0, displays: [{ name: 'HDMI-A-1', connected: true }] },
  ],
};

export const FIXTURE_HOSTS = { seed001Ryzen, seed003Xeon, seed003XeonPrepared, seed000Z490, laptop, iommuOff, singleGpu } as const;

/**
 * A host with `count` PCI devices in realistic groups (for the bench): a GPU
 * pair per 8 devices, NICs, USB, bridges; groups of one to four devices.
 */
export function generatedHost(count: number): HostSpec {
  const kinds: [string, string, string][] = [
    ['0x030000', '10de:2206', 'nouveau'],
    ['0x040300', '10de:1aef', 'snd_hda_intel'],
    ['0x020000', '8086:105e', 'e1000e'],
    ['0x020000', '8086:105e', 'e1000e'],
    ['0x0c0330', '1912:0014', 'xhci_hcd'],
    ['0x010802', '1c5c:1959', 'nvme'],
    ['0x060400', '8086:06c0', 'pcieport'],
    ['0x0c0500', '8086:06a3', 'i801_smbus'],
  ];
  const devices: DeviceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const bus = Math.floor(i / 8) + 1;
    const fn = i % 8;
    const [cls, id, driver] = kinds[fn]!;
    const slot = fn < 2 ? 0 : fn < 4 ? 1 : fn;
    const func = fn === 1 || fn === 3 ? 1 : 0;
    devices.push({
      address: `${bus.toString(16).padStart(2, '0')}:${slot.toString(16).padStart(2, '0')}.${func}`,
      class: cls,
      id,
      driver,
      group: bus * 10 + (fn < 2 ? 0 : fn < 4 ? 1 : fn),
      ...(fn === 0 ? { displays: [{ name: 'DP-1', connected: bus % 2 === 0 }], rom: true } : {}),
    });
  }
  return {
    cpu: { vendorId: 'AuthenticAMD', model: 'AMD EPYC 7443P 24-Core Processor' },
    cmdline: 'BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro amd_iommu=on iommu=pt',
    iommu: 'amd',
    modules: ['kvm', 'kvm_amd', 'vfio', 'vfio_pci'],
    devices,
  };
}
