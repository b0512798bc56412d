import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostReport } from '../../shared/api';
import { scanHost } from '../../main/host/scan';
import { expectGolden } from '../support/golden';
import { tempHostTree, type HostSpec } from '../support/host-tree';
import { FIXTURE_HOSTS, generatedHost } from '../support/hosts';

// What the scan reports for each device and group, kept as goldens written by
// the scan that listed every device folder: the scan that opens the few files
// it needs instead must report the same, on the fixture hosts and on devices
// that lack the optional files (absent → the open fails, as on a real sysfs).

const goldenDir = join(import.meta.dirname, '..', 'fixtures', 'host-scan');
const trees: { remove(): void }[] = [];
afterAll(() => trees.forEach((t) => t.remove()));

/** The report's devices and groups, without pci.ids names (they depend on the machine's pci.ids). */
async function scanned(spec: HostSpec, change?: (sys: string) => void): Promise<Pick<HostReport, 'devices' | 'groups'>> {
  const tree = tempHostTree(spec);
  trees.push(tree);
  change?.(tree.sys);
  const report = await scanHost({ ...tree, pciIds: [] });
  return { devices: report.devices, groups: report.groups };
}

const text = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;

/** Devices whose folders lack files, or hold them where a listing-free scan must still find them. */
const oddHost: HostSpec = {
  cpu: { vendorId: 'GenuineIntel', model: 'Odd host' },
  cmdline: 'intel_iommu=on',
  iommu: 'intel',
  devices: [
    { address: '00:00.0', class: '0x060000', id: '8086:9b33', group: 0, reset: [] },
    { address: '00:01.0', class: '0x060400', id: '8086:1901', group: 1, driver: 'pcieport' },
    { address: '01:00.0', class: '0x030000', id: '10de:2206', subsystem: '1458:403b', group: 1, parent: '00:01.0', driver: 'nouveau', bootVga: true, rom: true, displays: [{ name: 'HDMI-A-1', connected: true }] },
    { address: '01:00.1', class: '0x040300', id: '10de:1aef', group: 1, parent: '00:01.0', driver: 'snd_hda_intel', numaNode: 1 },
    { address: '00:02.0', class: '0x038000', id: '8086:9bc5', group: 2, driver: 'i915', displays: [{ name: 'eDP-1', connected: true }] },
    { address: '00:03.0', class: '0x030200', id: '10de:1f95', group: 3 },
    { address: '00:04.0', class: '0x020000', id: '8086:105e', group: 4, driver: 'e1000e' },
    { address: '00:05.0', class: '0x020000', id: '10ec:8125', group: 5, driver: 'r8169' },
    { address: '00:06.0', class: '0x010802', id: '1c5c:1959', group: 6 },
    { address: '00:07.0', class: '0x120000', id: '8086:7d1d', group: 7, reset: ['flr', 'bus'] },
    { address: '00:14.0', class: '0x0c0330', id: '8086:8cb1', group: 8, driver: 'xhci_hcd', usb: [{ port: '1-2', id: '046d:c52b', product: 'USB Receiver' }] },
    { address: '00:15.0', class: '0x0c0320', id: '8086:8cad', group: 9, reset: [] },
  ],
};

function changeOddHost(sys: string): void {
  const dev = (address: string): string => join(sys, 'devices', 'pci0000:00', address);
  // No uevent: the one-value files and the driver link are read instead.
  unlinkSync(join(dev('0000:00:04.0'), 'uevent'));
  // No uevent and no modalias: the modalias is built from the ids.
  unlinkSync(join(dev('0000:00:05.0'), 'uevent'));
  unlinkSync(join(dev('0000:00:05.0'), 'modalias'));
  // No uevent, no class file, no driver: unknown class.
  for (const name of ['uevent', 'class', 'modalias']) unlinkSync(join(dev('0000:00:06.0'), name));
  // An older kernel: a reset file but no reset_method.
  writeFileSync(join(dev('0000:00:00.0'), 'reset'), '');
  // As in sysfs: `reset` is write-only, `rom` is the owner's alone.
  chmodSync(join(dev('0000:00:00.0'), 'reset'), 0o200);
  chmodSync(join(dev('0000:00:01.0'), '0000:01:00.0', 'rom'), 0o600);
  // An empty reset_method beside a reset file; no numa_node at all.
  writeFileSync(join(dev('0000:00:15.0'), 'reset_method'), '\n');
  writeFileSync(join(dev('0000:00:15.0'), 'reset'), '');
  unlinkSync(join(dev('0000:00:15.0'), 'numa_node'));
  // A display card on an accelerator; a second root hub, empty, on the USB 2 controller.
  mkdirSync(join(dev('0000:00:07.0'), 'drm', 'card9', 'card9-Virtual-1'), { recursive: true });
  writeFileSync(join(dev('0000:00:07.0'), 'drm', 'card9', 'card9-Virtual-1', 'status'), 'disconnected\n');
  mkdirSync(join(dev('0000:00:15.0'), 'usb3'), { recursive: true });
  mkdirSync(join(dev('0000:00:15.0'), 'usb3', '3-1'), { recursive: true });
  writeFileSync(join(dev('0000:00:15.0'), 'usb3', '3-1', 'idVendor'), '04d9\n');
  writeFileSync(join(dev('0000:00:15.0'), 'usb3', '3-1', 'idProduct'), '0169\n');
  // A group folder that does not list its device: the iommu_group link gives it.
  rmSync(join(sys, 'kernel', 'iommu_groups', '3', 'devices', '0000:00:03.0'));
  // A device whose bus entry is a folder, not a link; and one with no iommu_group link nor group.
  rmSync(join(sys, 'bus', 'pci', 'devices', '0000:00:06.0'));
  mkdirSync(join(sys, 'bus', 'pci', 'devices', '0000:00:06.0'));
  writeFileSync(join(sys, 'bus', 'pci', 'devices', '0000:00:06.0', 'vendor'), '0x1c5c\n');
  writeFileSync(join(sys, 'bus', 'pci', 'devices', '0000:00:06.0', 'device'), '0x1959\n');
  writeFileSync(join(sys, 'bus', 'pci', 'devices', '0000:00:06.0', 'rom'), '');
  symlinkSync('../../../../kernel/iommu_groups/6', join(sys, 'bus', 'pci', 'devices', '0000:00:06.0', 'iommu_group'));
  rmSync(join(sys, 'kernel', 'iommu_groups', '6', 'devices', '0000:00:06.0'));
  // A folder named like a file: read as nothing.
  unlinkSync(join(dev('0000:00:07.0'), 'numa_node'));
  mkdirSync(join(dev('0000:00:07.0'), 'numa_node'));
}

describe('PCI devices as the scan reports them (goldens)', () => {
  for (const [name, spec] of Object.entries(FIXTURE_HOSTS)) {
    it(`fixture host ${name}`, async () => {
      expectGolden(join(goldenDir, `${name}.json`), text(await scanned(spec)));
    });
  }

  it('a generated host of 24 devices', async () => {
    expectGolden(join(goldenDir, 'generated24.json'), text(await scanned(generatedHost(24))));
  });

  it('devices that lack uevent, reset_method, numa_node, class, their bus link or their group folder entry', async () => {
    const report = await scanned(oddHost, changeOddHost);
    const device = (address: string) => report.devices.find((d) => d.address === address)!;
    // The cases the golden holds, said outright.
    expect(device('0000:00:04.0')).toMatchObject({ class: '0x020000', vendorId: '8086', deviceId: '105e', driver: 'e1000e', modules: ['e1000e'] });
    expect(device('0000:00:05.0')).toMatchObject({ vendorId: '10ec', deviceId: '8125', driver: 'r8169', modules: ['r8169'] });
    expect(device('0000:00:06.0')).toMatchObject({ class: '0x000000', vendorId: '1c5c', driver: null, iommuGroup: 6, rom: true, resettable: false, parent: null });
    expect(device('0000:00:00.0')).toMatchObject({ resettable: true, resetMethods: [] });
    expect(device('0000:00:15.0')).toMatchObject({ resettable: true, resetMethods: [], numaNode: null, usb: [{ port: '3-1', vendorId: '04d9', productId: '0169', name: null }] });
    expect(device('0000:00:07.0')).toMatchObject({ resetMethods: ['flr', 'bus'], numaNode: null, displays: [{ card: 'card9', name: 'Virtual-1', connected: false }] });
    expect(device('0000:00:03.0')).toMatchObject({ iommuGroup: 3, bootVga: null, displays: [] });
    expect(device('0000:01:00.0')).toMatchObject({ bootVga: true, rom: true, parent: '0000:00:01.0', displays: [{ card: 'card0', name: 'HDMI-A-1', connected: true }] });
    expect(device('0000:01:00.1')).toMatchObject({ numaNode: 1, bootVga: null, rom: false });
    expect(device('0000:00:14.0').usb).toEqual([{ port: '1-2', vendorId: '046d', productId: 'c52b', name: 'USB Receiver' }]);
    expectGolden(join(goldenDir, 'odd.json'), text(report));
  });
});
