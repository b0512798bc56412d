import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EditRequest, VmSpec } from '../../shared/api';
import { buildGameVm } from '../../main/libvirt/builder';
import { applyEdits } from '../../main/libvirt/edits';
import { parseDomainXml, serializeXml } from '../../main/libvirt/xml/document';
import { expectGolden } from '../support/golden';

// Golden files: *-in.xml -> *-out.xml. Regenerate with VITRINE_UPDATE_GOLDEN=1 (then read the diff).
const dir = join(import.meta.dirname, '..', 'fixtures', 'xml');
const golden = (file: string, actual: string): void => expectGolden(join(dir, file), actual);

export const FIRMWARE = {
  win10: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd', source: 'test' },
  win11: { code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', source: 'test' },
};

describe('game-VM builder', () => {
  for (const os of ['win10', 'win11'] as const) {
    it(`builds ${os}`, () => {
      const spec = JSON.parse(readFileSync(join(dir, 'builder', `${os}-spec.json`), 'utf8')) as VmSpec;
      golden(`builder/${os}-out.xml`, buildGameVm(spec, { firmware: FIRMWARE[os] }));
    });
  }
});

/** Each edit case: an input document, the request, the expected output. */
export const EDIT_CASES: { name: string; input: string; request: EditRequest }[] = [
  { name: 'attach-gpu', input: 'win11-defined', request: { attachPci: { addresses: ['0000:01:00.0', '0000:01:00.1'] } } },
  { name: 'attach-gpu-rom', input: 'win11-defined', request: { attachPci: { addresses: ['0000:01:00.0', '0000:01:00.1'], rom: '/var/lib/vitrine/roms/10de-2206.rom' } } },
  { name: 'attach-gpu-i440fx', input: 'i440fx-commented', request: { attachPci: { addresses: ['0000:07:00.0', '0000:07:00.1', '0000:07:00.2', '0000:07:00.3'] } } },
  { name: 'detach-gpu', input: 'win11-gpu', request: { detachPci: { addresses: ['0000:01:00.0', '0000:01:00.1'] } } },
  { name: 'shmem', input: 'win11-defined', request: { shmemMiB: 64 } },
  { name: 'shmem-resize', input: 'win11-gpu', request: { shmemMiB: 128 } },
  { name: 'kvmfr', input: 'win11-gpu', request: { kvmfrMiB: 64 } },
  { name: 'kvmfr-ns0', input: 'qemu-ns0', request: { kvmfrMiB: 32 } },
  { name: 'hide-a', input: 'win11-defined', request: { hideHypervisor: { method: 'a' } } },
  { name: 'hide-b', input: 'win11-defined', request: { hideHypervisor: { method: 'b', vendorId: 'vitrine1234' } } },
  { name: 'hide-b-bare', input: 'i440fx-commented', request: { hideHypervisor: { method: 'b' } } },
  { name: 'video-none', input: 'win11-defined', request: { videoNone: true } },
  { name: 'no-tablet', input: 'win11-defined', request: { removeTablet: true } },
  { name: 'usb', input: 'win11-defined', request: { usb: ['046d:c52b', '04D9:0169'] } },
  { name: 'memballoon-none', input: 'win11-defined', request: { memballoonNone: true } },
  {
    name: 'looking-glass-switch',
    input: 'win11-defined',
    request: {
      attachPci: { addresses: ['0000:01:00.0', '0000:01:00.1'], rom: '/var/lib/vitrine/roms/10de-2206.rom' },
      shmemMiB: 64,
      hideHypervisor: { method: 'b' },
      videoNone: true,
      removeTablet: true,
      memballoonNone: true,
    },
  },
];

describe('passthrough edits', () => {
  for (const c of EDIT_CASES) {
    it(`${c.name} (${c.input})`, () => {
      const input = parseDomainXml(readFileSync(join(dir, 'edits', `${c.input}-in.xml`), 'utf8'));
      const before = serializeXml(input);
      const once = applyEdits(input, c.request);
      golden(`edits/${c.name}-out.xml`, serializeXml(once));
      // Idempotent: a second application changes nothing.
      expect(serializeXml(applyEdits(once, c.request))).toBe(serializeXml(once));
      // Pure: the input document is untouched.
      expect(serializeXml(input)).toBe(before);
    });
  }
});

describe('edits that cannot be made are refused with a way out', () => {
  it('method B on Hyper-V passthrough mode', () => {
    const doc = parseDomainXml("<domain type='kvm'><name>x</name><features><hyperv mode='passthrough'/></features></domain>");
    expect(() => applyEdits(doc, { hideHypervisor: { method: 'b' } })).toThrow(/mode='passthrough'/);
    expect(serializeXml(applyEdits(doc, { hideHypervisor: { method: 'a' } }))).toContain("<feature policy='disable' name='hypervisor'/>");
  });

  it('a PCI device on an i440fx VM whose bus 0 is full', () => {
    const addresses = Array.from({ length: 31 }, (_, k) => `<disk type='file' device='disk'><address type='pci' domain='0x0000' bus='0x00' slot='0x${(k + 1).toString(16).padStart(2, '0')}' function='0x0'/></disk>`).join('');
    const doc = parseDomainXml(`<domain type='kvm'><name>x</name><os><type machine='pc'>hvm</type></os><devices>${addresses}</devices></domain>`);
    expect(() => applyEdits(doc, { attachPci: { addresses: ['0000:01:00.0'] } })).toThrow(/no free PCI slot/);
  });

  it('sizes that are not a power of two, and bad ids', () => {
    const doc = parseDomainXml("<domain type='kvm'><name>x</name></domain>");
    expect(() => applyEdits(doc, { shmemMiB: 48 })).toThrow(/not a valid Looking Glass memory size/);
    expect(() => applyEdits(doc, { usb: ['logitech'] })).toThrow(/vendor:product/);
    expect(() => applyEdits(doc, { hideHypervisor: { method: 'b', vendorId: 'much-too-long-id' } })).toThrow(/vendor_id/);
    expect(() => applyEdits(doc, { attachPci: { addresses: ['1:0.0'] } })).toThrow(/is not a PCI address/);
  });
});
