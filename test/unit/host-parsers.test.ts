import { describe, expect, it } from 'vitest';
import { normaliseParamName, paramValue, parseCmdline, relevantParams } from '../../main/host/cmdline';
import { parseCpuinfo } from '../../main/host/cpuinfo';
import { groupsOf, osFamily } from '../../main/host/environment';
import { buildModalias, parseModulesAlias } from '../../main/host/modules-alias';
import { parsePciIds } from '../../main/host/pci-ids';

const PCI_IDS = `# comment
10de  NVIDIA Corporation
\t2206  GA102 [GeForce RTX 3080]
\t\t1458 403b  GeForce RTX 3080 GAMING OC
\t1aef  GA102 High Definition Audio Controller
1002  Advanced Micro Devices, Inc. [AMD/ATI]
C 03  Display controller
\t00  VGA compatible controller
\t\t00  VGA controller
\t02  3D controller
C 04  Multimedia controller
\t03  Audio device
`;

describe('parsePciIds', () => {
  const ids = parsePciIds(PCI_IDS);
  it('names vendors, devices and subsystems', () => {
    expect(ids.vendor('10de')).toBe('NVIDIA Corporation');
    expect(ids.device('10de', '2206')).toBe('GA102 [GeForce RTX 3080]');
    expect(ids.subsystem('10de', '2206', '1458', '403b')).toBe('GeForce RTX 3080 GAMING OC');
    expect(ids.device('1002', '73bf')).toBeNull();
    expect(ids.vendor('abcd')).toBeNull();
  });
  it('names classes by subclass', () => {
    expect(ids.className('0x030000')).toBe('VGA compatible controller');
    expect(ids.className('0x030200')).toBe('3D controller');
    expect(ids.className('0x0301ff')).toBe('Display controller');
    expect(ids.className('0x0c0330')).toBeNull();
  });
});

describe('parseModulesAlias', () => {
  const aliases = parseModulesAlias(`alias pci:v000010DEd*sv*sd*bc03sc00i00 nouveau
alias pci:v000010DEd*sv*sd*bc03sc00i00 nvidia
alias pci:v*d*sv*sd*bc0Csc03i30 xhci_pci
alias pci:v00008086d0000[0-9]A4?sv*sd*bc*sc*i* fancy
alias usb:v046Dp* hid_logitech
alias acpi*:PNP0A08:* pci_root
`);
  it('matches vendor aliases and wildcards', () => {
    expect(aliases.match('pci:v000010DEd00002206sv00001458sd0000403Bbc03sc00i00')).toEqual(['nouveau', 'nvidia']);
    expect(aliases.match('pci:v00001912d00000014sv00000000sd00000000bc0Csc03i30')).toEqual(['xhci_pci']);
    expect(aliases.match('pci:v00008086d00009A49sv00000000sd00000000bc03sc00i00')).toEqual(['fancy']);
    expect(aliases.match('pci:v00001002d000073BFsv00000000sd00000000bc03sc00i00')).toEqual([]);
  });
  it('builds the modalias the kernel prints', () => {
    expect(buildModalias({ vendorId: '10de', deviceId: '2206', subsystemVendorId: '1458', subsystemDeviceId: '403b', class: '0x030000' })).toBe(
      'pci:v000010DEd00002206sv00001458sd0000403Bbc03sc00i00',
    );
  });
});

describe('parseCmdline', () => {
  it('splits on spaces, keeps quoted values, stops at --', () => {
    expect(parseCmdline('BOOT_IMAGE=/vmlinuz root=UUID=ab ro quiet "acpi_osi=Windows 2020" intel_iommu=on -- init-arg')).toEqual([
      { name: 'BOOT_IMAGE', value: '/vmlinuz' },
      { name: 'root', value: 'UUID=ab' },
      { name: 'ro', value: null },
      { name: 'quiet', value: null },
      { name: 'acpi_osi', value: 'Windows 2020' },
      { name: 'intel_iommu', value: 'on' },
    ]);
  });
  it('treats - and _ alike in names, last value wins', () => {
    const params = parseCmdline('vfio-pci.ids=10de:2206 iommu=soft iommu=pt kvm.ignore_msrs=1 splash');
    expect(paramValue(params, 'vfio_pci.ids')).toBe('10de:2206');
    expect(paramValue(params, 'iommu')).toBe('pt');
    expect(paramValue(params, 'amd_iommu')).toBeUndefined();
    expect(relevantParams(params).map((p) => p.name)).toEqual(['vfio-pci.ids', 'iommu', 'iommu', 'kvm.ignore_msrs']);
    expect(normaliseParamName('vfio-pci.disable-vga')).toBe('vfio_pci.disable_vga');
  });
  it('handles an empty line', () => {
    expect(parseCmdline('  \n')).toEqual([]);
  });
});

describe('parseCpuinfo', () => {
  it('reads vendor, model, flags and a hypervisor underneath', () => {
    expect(parseCpuinfo('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu hypervisor lm\n\nprocessor\t: 1\n')).toEqual({
      vendor: 'amd',
      vendorId: 'AuthenticAMD',
      model: 'AMD EPYC',
      virtualization: false,
      inVirtualMachine: true,
      gigaPages: false,
    });
    expect(parseCpuinfo('vendor_id : GenuineIntel\nflags : vmx sse pdpe1gb\n')).toMatchObject({ vendor: 'intel', virtualization: true, gigaPages: true });
    expect(parseCpuinfo('')).toMatchObject({ vendor: 'other', model: null, virtualization: false });
  });
});

describe('environment helpers', () => {
  it('finds the distribution family', () => {
    expect(osFamily('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toEqual({ family: 'debian', name: 'Debian GNU/Linux 12 (bookworm)' });
    expect(osFamily('ID=pop\nID_LIKE="ubuntu debian"\n').family).toBe('debian');
    expect(osFamily('ID=bazzite\nID_LIKE="fedora"\n').family).toBe('fedora');
    expect(osFamily('ID=endeavouros\nID_LIKE=arch\n').family).toBe('arch');
    expect(osFamily('').family).toBe('other');
  });
  it('reads configured and session groups', () => {
    const file = 'root:x:0:\nkvm:x:993:alice\nlibvirt:x:994:bob,alice\nalice:x:1000:\n';
    expect(groupsOf(file, 'alice', [1000, 993])).toEqual({ configured: ['kvm', 'libvirt'], session: ['alice', 'kvm'] });
  });
});
