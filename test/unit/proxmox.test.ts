import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQmConfig, passthroughState, type QmConfig } from '../../main/proxmox/config';
import { formatQmPreview, previewQmEdit, type ProxmoxEditRequest } from '../../main/proxmox/edit';
import { parsePveshQemu, parseQmList } from '../../main/proxmox/qm';
import { commandRefusal } from '../../main/setup/helper/policy';
import { expectGolden } from '../support/golden';

const dir = join(import.meta.dirname, '..', 'fixtures', 'proxmox');
const fixture = (name: string): QmConfig => parseQmConfig(readFileSync(join(dir, `${name}.qm-config.txt`), 'utf8'));

/** What `qm set` does to a configuration (the stand-in qm of the integration tests does the same to the .conf file). */
function qmSet(config: QmConfig, argv: string[]): QmConfig {
  expect(argv.slice(0, 2)).toEqual(['qm', 'set']);
  const next = new Map(config);
  for (let i = 3; i < argv.length; i += 2) {
    if (argv[i] === '--delete') argv[i + 1]!.split(',').forEach((k) => next.delete(k));
    else next.set(argv[i]!.slice(2), argv[i + 1]!);
  }
  return next;
}

const sorted = (c: QmConfig): [string, string][] => [...c.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

const CASES: { name: string; fixture: string; request: ProxmoxEditRequest }[] = [
  // Seed 000: a Windows VM made with Proxmox's defaults (SeaBIOS, i440fx, kvm64, emulated VGA), the 01:00 card, a USB receiver.
  { name: 'seed000-win10', fixture: 'seed000-win10', request: { vmid: 101, gpu: '0000:01:00', hvVendorId: 'NV43FIX', usb: ['046d:c52b'] } },
  // Seed 001: q35 and OVMF chosen at creation, the card added with All Functions and PCI-Express, display left as is; mouse and keyboard.
  { name: 'seed001-ubuntu', fixture: 'seed001-ubuntu', request: { vmid: 100, gpu: '0000:01:00', usb: ['046d:c52b', '1532:0084'] } },
  // Seed 001 with a ROM file and Looking Glass memory for a client on the host's own desktop.
  { name: 'seed001-ubuntu-rom-lg', fixture: 'seed001-ubuntu', request: { vmid: 100, gpu: '0000:01:00', romfile: 'rtx3080.rom', ivshmemMiB: 64, keepVga: false } },
];

describe('qm config: the passthrough state', () => {
  it('reads the seed shapes and names what is wrong', () => {
    const before000 = passthroughState(101, fixture('seed000-win10'));
    expect(before000).toMatchObject({ name: 'game-dirty', machine: null, q35: false, bios: 'seabios', hostpci: [], vga: null });
    const seed001 = passthroughState(100, fixture('seed001-ubuntu'));
    expect(seed001).toMatchObject({ machine: 'q35', q35: true, bios: 'ovmf', efidisk: true, hostpci: [{ key: 'hostpci0', host: '0000:01:00', allFunctions: true, pcie: true, xVga: false, romfile: null }] });
    expect(seed001.issues).toEqual(['NVIDIA drivers before 465 stop with Code 43 when they see a hypervisor: cpu: host,hidden=1.']);
    const vgaLeft = passthroughState(100, new Map([...fixture('seed001-ubuntu'), ['hostpci0', '0000:01:00.0,pcie=1,x-vga=1'], ['vga', 'std']]));
    expect(vgaLeft.issues.join('\n')).toContain('vga: none');
    expect(vgaLeft.issues.join('\n')).toContain('"All Functions"');
    const i440 = passthroughState(100, new Map([['hostpci0', '01:00,pcie=1']]));
    expect(i440.issues[0]).toBe('pcie=1 needs the q35 machine type (machine: q35); this VM has the default i440fx.');
  });

  it('stops at the first snapshot section of a .conf file and skips the description', () => {
    const config = parseQmConfig('#Gaming VM\nbios: ovmf\nmachine: q35\n\n[before-gpu]\nbios: seabios\nsnaptime: 1708800000\n');
    expect([...config]).toEqual([
      ['bios', 'ovmf'],
      ['machine', 'q35'],
    ]);
  });

  it('lists VMs from pvesh JSON and from qm list', () => {
    expect(parsePveshQemu('[{"vmid":101,"name":"game-dirty","status":"stopped","cpus":8},{"vmid":100,"name":"gpu-desktop","status":"running"}]')).toEqual([
      { vmid: 100, name: 'gpu-desktop', status: 'running' },
      { vmid: 101, name: 'game-dirty', status: 'stopped' },
    ]);
    const table = `      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID\n       100 gpu-desktop          running    16384            256.00 2331\n       101 game-dirty           stopped    16384            128.00 0\n`;
    expect(parseQmList(table)).toEqual([
      { vmid: 100, name: 'gpu-desktop', status: 'running' },
      { vmid: 101, name: 'game-dirty', status: 'stopped' },
    ]);
  });
});

describe('passthrough preview for Proxmox (golden), its qm set argv and its undo', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const config = fixture(c.fixture);
      const preview = previewQmEdit(c.request, config);
      const text = formatQmPreview(preview);
      expectGolden(join(dir, `${c.name}.preview.txt`), text);
      // The argv the helper runs is exactly the command the preview shows, and each changed line is in it.
      expect(text).toContain(`  $ ${preview.argv.join(' ')}\n`);
      for (const change of preview.changes) expect(preview.argv.join(' ')).toContain(`--${change.key} ${change.after}`);
      expect(commandRefusal(preview.argv)).toBeNull();
      expect(commandRefusal(preview.undoArgv)).toBeNull();
      // Applied, the VM is set up: a second preview changes nothing, and the state has no problem left but the EFI disk.
      const applied = qmSet(config, preview.argv);
      expect(previewQmEdit(c.request, applied).changes).toEqual([]);
      expect(passthroughState(c.request.vmid as number, applied).issues.filter((i) => !i.includes('EFI disk'))).toEqual([]);
      // Undone, every line is back as it was, and nothing else moved.
      expect(sorted(qmSet(applied, preview.undoArgv))).toEqual(sorted(config));
    });
  }

  it('keeps the user’s own options on the lines it changes', () => {
    const config: QmConfig = new Map([
      ['hostpci0', '01:00,rombar=0,pcie=1'],
      ['cpu', 'host,flags=+pcid;+aes'],
      ['machine', 'pc-q35-8.1'],
      ['bios', 'ovmf'],
      ['efidisk0', 'local-lvm:vm-100-disk-0,efitype=4m'],
    ]);
    const preview = previewQmEdit({ vmid: 100, gpu: '0000:01:00' }, config);
    expect(preview.changes.map((c) => [c.key, c.after])).toEqual([
      ['hostpci0', '01:00,rombar=0,pcie=1,x-vga=1'],
      ['cpu', 'host,flags=+pcid;+aes,hidden=1'],
      ['vga', 'none'],
    ]);
    expect(preview.undoArgv).toEqual(['qm', 'set', '100', '--hostpci0', '01:00,rombar=0,pcie=1', '--cpu', 'host,flags=+pcid;+aes', '--delete', 'vga']);
    expect(preview.warnings).toEqual([]);
  });

  it('refuses bad input naming the field', () => {
    expect(() => previewQmEdit({ vmid: 100, gpu: '01:00;rm' }, new Map())).toThrow(/PCI address/);
    expect(() => previewQmEdit({ vmid: 100, gpu: '0000:01:00', romfile: '../../etc/shadow' }, new Map())).toThrow(/file name in \/usr\/share\/kvm/);
    expect(() => previewQmEdit({ vmid: 100, gpu: '0000:01:00', ivshmemMiB: 48 }, new Map())).toThrow(/power of two/);
    expect(() => previewQmEdit({ vmid: 100, gpu: '0000:01:00', usb: ['logitech'] }, new Map())).toThrow(/USB id/);
    expect(() => previewQmEdit({ vmid: 5, gpu: '0000:01:00' }, new Map())).toThrow();
  });
});

describe('the qm template: only Vitrine’s keys and plain values', () => {
  it.each([
    [['qm', 'set', '100', '--hostpci0', '0000:01:00,pcie=1,x-vga=1']],
    [['qm', 'set', '100', '--cpu', 'host,hidden=1', '--delete', 'vga,usb0']],
    [['qm', 'start', '100']],
    [['qm', 'shutdown', '100']],
    [['qm', 'stop', '100']],
    [['qm', 'config', '100']],
  ])('allows %j', (argv) => expect(commandRefusal(argv)).toBeNull());

  it.each([
    [['qm', 'set', '100', '--args', '-device vfio-pci']],
    [['qm', 'set', '100', '--hookscript', 'local:snippets/x.sh']],
    [['qm', 'set', '100', '--hostpci0', '-0000:01:00']],
    [['qm', 'set', '100', '--cpu', 'host hidden=1']],
    [['qm', 'set', '100', '--delete', 'vga', '--cpu', 'host']],
    [['qm', 'set', '100', '--delete', 'args']],
    [['qm', 'set', '100', '--cpu', 'host', '--cpu', 'kvm64']],
    [['qm', 'set', '1', '--cpu', 'host']],
    [['qm', 'destroy', '100']],
    [['qm', 'set', '100']],
    [['proxmox-boot-tool', 'format', '/dev/sda2']],
  ])('refuses %j', (argv) => expect(commandRefusal(argv)).not.toBeNull());

  it('allows proxmox-boot-tool refresh only', () => {
    expect(commandRefusal(['proxmox-boot-tool', 'refresh'])).toBeNull();
    expect(commandRefusal(['proxmox-boot-tool', 'refresh', '--hook', 'x'])).not.toBeNull();
  });
});
