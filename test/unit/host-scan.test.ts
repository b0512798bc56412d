import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostReport } from '../../shared/api';
import { scanHost } from '../../main/host/scan';
import { tempHostTree, type HostSpec } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';

const trees: { remove(): void }[] = [];
async function scan(spec: HostSpec): Promise<HostReport> {
  const tree = tempHostTree(spec);
  trees.push(tree);
  return scanHost(tree);
}
afterAll(() => trees.forEach((t) => t.remove()));

const hasPciIds = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'].some((p) => existsSync(p));
const gpu = (report: HostReport, address: string) => report.gpus.find((g) => g.address === address);

describe('seed 001: Ryzen 7950X, RTX 3080 alone in group 12', () => {
  let report: HostReport;
  beforeAll(async () => {
    report = await scan(FIXTURE_HOSTS.seed001Ryzen);
  });

  it('reads CPU, IOMMU and kernel parameters', () => {
    expect(report.cpu).toMatchObject({ vendor: 'amd', virtualization: true, inVirtualMachine: false });
    expect(report.iommu).toMatchObject({ active: true, units: ['ivhd0'], interruptRemapping: 'enabled' });
    expect(report.kernel.params).toEqual([{ name: 'iommu', value: 'pt' }]);
    expect(report.kernel.release).toBe('6.8.0-vitrine-fixture');
    expect(report.kvm).toEqual({ present: true, accessible: true });
  });

  it('passes the 3080 with its audio function', () => {
    expect(gpu(report, '0000:01:00.0')).toMatchObject({
      verdict: 'passable',
      passWith: ['0000:01:00.0', '0000:01:00.1'],
      sharesWith: [],
      ids: ['10de:2206', '10de:1aef'],
      hostDrivers: ['nouveau', 'nvidia', 'snd_hda_intel'],
    });
  });

  it('marks the Raphael iGPU as the boot GPU, with all functions of its slot', () => {
    expect(gpu(report, '0000:10:00.0')).toMatchObject({
      verdict: 'boot-gpu',
      passWith: ['0000:10:00.0', '0000:10:00.1', '0000:10:00.3', '0000:10:00.6'],
    });
  });

  it('reads each device: ids, class, driver, modules, group, reset, boot VGA, ROM, parent, displays', () => {
    const d = report.devices.find((x) => x.address === '0000:01:00.0')!;
    expect(d).toMatchObject({
      class: '0x030000',
      vendorId: '10de',
      deviceId: '2206',
      subsystemVendorId: '1458',
      subsystemDeviceId: '403b',
      driver: 'nouveau',
      modules: ['nouveau', 'nvidia'],
      iommuGroup: 12,
      resettable: true,
      resetMethods: ['bus'],
      bootVga: false,
      rom: true,
      numaNode: null,
      parent: '0000:00:01.1',
    });
    expect(d.displays).toEqual([
      { card: 'card0', name: 'DP-1', connected: true },
      { card: 'card0', name: 'HDMI-A-1', connected: false },
    ]);
    expect(report.devices.find((x) => x.address === '0000:00:00.0')).toMatchObject({ resettable: false, bootVga: null });
  });

  it.runIf(hasPciIds)('names devices from pci.ids', () => {
    const d = report.devices.find((x) => x.address === '0000:01:00.0')!;
    expect(d.vendorName).toMatch(/NVIDIA/);
    expect(d.deviceName).toMatch(/GA102/);
    expect(d.className).toBe('VGA compatible controller');
    expect(report.pciIds).not.toBeNull();
  });

  it('lists USB devices behind a controller and the disks behind storage controllers', () => {
    expect(report.devices.find((x) => x.address === '0000:10:00.3')!.usb).toEqual([
      { port: '1-1', vendorId: '046d', productId: 'c52b', name: 'Logitech USB Receiver' },
      { port: '1-2', vendorId: '04d9', productId: '0169', name: 'Holtek USB Keyboard' },
    ]);
    expect(report.devices.find((x) => x.address === '0000:02:00.0')!.block).toEqual([
      { name: 'nvme0n1', sizeBytes: 1863 * 1024 ** 3, model: 'SHPP41-2000GM', mountpoints: ['/', '/boot/efi'], holdsRoot: true },
    ]);
    expect(report.devices.find((x) => x.address === '0000:0f:00.0')!.block[0]).toMatchObject({ name: 'sda', holdsRoot: false, mountpoints: [] });
  });

  it('lists the groups', () => {
    expect(report.groups.find((g) => g.id === 12)).toEqual({ id: 12, devices: ['0000:01:00.0', '0000:01:00.1'] });
    expect(report.groups.map((g) => g.id)).toEqual([0, 1, 2, 12, 13, 17, 18, 25, 26, 27, 28, 31]);
  });
});

describe('seed 003: Xeon E3-1246 v3, GTX 1060 with the CPU bridge in group 1', () => {
  it('leaves the bridge with the host', async () => {
    const report = await scan(FIXTURE_HOSTS.seed003Xeon);
    expect(report.groups.find((g) => g.id === 1)?.devices).toEqual(['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']);
    expect(gpu(report, '0000:01:00.0')).toMatchObject({ verdict: 'passable', passWith: ['0000:01:00.0', '0000:01:00.1'], ids: ['10de:1c03', '10de:10f1'] });
    expect(gpu(report, '0000:00:02.0')?.verdict).toBe('boot-gpu');
    expect(report.kernel.params).toEqual([{ name: 'intel_iommu', value: 'on' }]);
  });

  it('is ready once both functions are on vfio-pci', async () => {
    const report = await scan(FIXTURE_HOSTS.seed003XeonPrepared);
    expect(gpu(report, '0000:01:00.0')).toMatchObject({ verdict: 'ready', hostDrivers: ['nouveau', 'nvidia', 'snd_hda_intel'] });
    expect(report.modules).toEqual({ vfio: true, vfioPci: true, vfioIommuType1: true, kvmfr: false });
    expect(report.kernel.params.map((p) => p.name)).toEqual(['intel_iommu', 'iommu', 'vfio_pci.ids']);
  });
});

describe('seed 000: Z490 with two Turing cards and an IDT switch', () => {
  let report: HostReport;
  beforeAll(async () => {
    report = await scan(FIXTURE_HOSTS.seed000Z490);
  });

  it('says the first card shares group 1 with the four NIC ports (bridges excepted)', () => {
    const first = gpu(report, '0000:01:00.0')!;
    expect(first.verdict).toBe('shares-group');
    expect(first.passWith).toEqual([
      '0000:01:00.0',
      '0000:01:00.1',
      '0000:01:00.2',
      '0000:01:00.3',
      '0000:04:00.0',
      '0000:04:00.1',
      '0000:05:00.0',
      '0000:05:00.1',
    ]);
    expect(first.sharesWith).toEqual(['0000:04:00.0', '0000:04:00.1', '0000:05:00.0', '0000:05:00.1']);
    expect(first.sentence).toContain('0000:04:00.0');
  });

  it('passes the second card with its four functions', () => {
    expect(gpu(report, '0000:07:00.0')).toMatchObject({
      verdict: 'passable',
      passWith: ['0000:07:00.0', '0000:07:00.1', '0000:07:00.2', '0000:07:00.3'],
      ids: ['10de:1e89', '10de:10f8', '10de:1ad8', '10de:1ad9'],
    });
    expect(gpu(report, '0000:07:00.0')!.hostDrivers).toEqual(expect.arrayContaining(['nvidia', 'nvidia_gpu', 'snd_hda_intel', 'xhci_hcd', 'i2c_nvidia_gpu', 'ucsi_ccg']));
  });

  it('keeps the iGPU for the host', () => {
    expect(gpu(report, '0000:00:02.0')?.verdict).toBe('boot-gpu');
    expect(report.gpus.map((g) => g.address)).toEqual(['0000:00:02.0', '0000:01:00.0', '0000:07:00.0']);
  });
});

describe('other hosts', () => {
  it('laptop: the 3D controller has no outputs', async () => {
    const report = await scan(FIXTURE_HOSTS.laptop);
    expect(gpu(report, '0000:01:00.0')).toMatchObject({ verdict: 'no-outputs' });
    expect(gpu(report, '0000:01:00.0')!.sentence).toMatch(/without display outputs/);
    expect(gpu(report, '0000:00:02.0')?.verdict).toBe('boot-gpu');
  });

  it('IOMMU off: no groups, every GPU no-iommu, no interrupt remapping known', async () => {
    const report = await scan(FIXTURE_HOSTS.iommuOff);
    expect(report.iommu).toMatchObject({ active: false, groupCount: 0, units: [], interruptRemapping: 'unknown' });
    expect(report.gpus.map((g) => g.verdict)).toEqual(['no-iommu', 'no-iommu']);
    expect(report.devices.every((d) => d.iommuGroup === null)).toBe(true);
  });

  it('a device no group folder lists still gets its group from its iommu_group link', async () => {
    const tree = tempHostTree(FIXTURE_HOSTS.seed001Ryzen);
    trees.push(tree);
    rmSync(join(tree.sys, 'kernel', 'iommu_groups', '12', 'devices', '0000:01:00.1'));
    const report = await scanHost(tree);
    expect(report.devices.find((d) => d.address === '0000:01:00.1')?.iommuGroup).toBe(12);
    expect(report.devices.find((d) => d.address === '0000:01:00.0')?.iommuGroup).toBe(12);
    expect(report.groups.find((g) => g.id === 12)?.devices).toEqual(['0000:01:00.0']);
  });

  it('single GPU: the only card is the boot GPU', async () => {
    const report = await scan(FIXTURE_HOSTS.singleGpu);
    expect(report.gpus).toHaveLength(1);
    expect(gpu(report, '0000:0c:00.0')).toMatchObject({ verdict: 'boot-gpu', passWith: ['0000:0c:00.0', '0000:0c:00.1'] });
  });
});

describe('pci.ids index in the cache folder', () => {
  // A vendor with UTF-8 names comes first, so that byte and character offsets differ for NVIDIA's block.
  const PCI_IDS = `# pci.ids
1000  Ünïcödé Lögïc
\t0001  Contrôleur à
10de  NVIDIA Corporation
\t2206  GA102 [GeForce RTX 3080] — été
\t1aef  GA102 High Definition Audio Controller
C 03  Display controller
\t00  VGA compatible controller
C 04  Multimedia controller
\t03  Audio device
`;
  const names = (report: HostReport) => report.devices.filter((d) => d.vendorId === '10de').map((d) => [d.vendorName, d.deviceName, d.className]);
  const expected = [
    ['NVIDIA Corporation', 'GA102 [GeForce RTX 3080] — été', 'VGA compatible controller'],
    ['NVIDIA Corporation', 'GA102 High Definition Audio Controller', 'Audio device'],
  ];

  it('is stored in bytes and read back by the next process; an index of the older kind is not reused', async () => {
    const tree = tempHostTree(FIXTURE_HOSTS.seed001Ryzen);
    trees.push(tree);
    const file = join(tree.dir, 'pci.ids');
    writeFileSync(file, PCI_IDS);
    const roots = { ...tree, pciIds: [file], cacheDir: join(tree.dir, 'cache') };
    expect(names(await scanHost(roots))).toEqual(expected);
    const stored = JSON.parse(readFileSync(join(roots.cacheDir, 'pci-ids-index.json'), 'utf8')) as { key: string; index: { vendors: Record<string, [number, number]> } };
    expect(stored.key.endsWith('\0bytes')).toBe(true);
    expect(Buffer.from(PCI_IDS).subarray(stored.index.vendors['10de']![0]).toString().startsWith('10de  NVIDIA')).toBe(true);

    // A fresh module (as in the next process): the names come through the stored index.
    vi.resetModules();
    const again = await import('../../main/host/scan');
    expect(names(await again.scanHost(roots))).toEqual(expected);

    // An index stored by an older Vitrine (offsets in UTF-16 units, key without "bytes") is indexed again.
    const st = statSync(file);
    writeFileSync(join(roots.cacheDir, 'pci-ids-index.json'), JSON.stringify({ key: `${file}\0${st.mtimeMs}\0${st.size}`, index: { vendors: { '10de': [0, 10] }, classes: null } }));
    vi.resetModules();
    const older = await import('../../main/host/scan');
    expect(names(await older.scanHost(roots))).toEqual(expected);
  });
});
