import type { VmSpec } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import type { FirmwarePair } from '../host/firmware';
import { xml } from './xml/nodes';
import { setCpuPinning } from './edits';
import type { PinningPlan } from './pinning';
import { parseDomainXml, serializeXml } from './xml/document';

/** The namespace of Vitrine's own settings in a domain's <metadata>. */
export const VITRINE_NS = 'urn:vitrine:vm:1';

export interface BuildEnvironment {
  /** OVMF for this OS: with Secure Boot keys for Windows 11. */
  firmware: FirmwarePair;
  /** CPU pinning planned from the host's topology (main/libvirt/pinning.ts). */
  pinning?: PinningPlan | undefined;
  /** The answer-file ISO of an unattended install: a third CD-ROM. */
  unattendIso?: string | undefined;
  /** The hugepage size to back memory with, when not the kernel's default (KiB). */
  hugepageSizeKiB?: number | undefined;
}

/**
 * Build a Windows game VM domain from a spec (pure): q35, OVMF (Secure Boot
 * and a TPM 2.0 for Windows 11), host-passthrough CPU with Hyper-V
 * enlightenments, virtio disk (`cache='writeback' io='threads'`, seed 002) and
 * network, the Windows and virtio-win ISOs as SATA CD-ROMs (boot from the
 * first), SPICE for input (Looking Glass uses it), sound, and the shared
 * memory device when a size is given. Under TCG (`virtType: 'qemu'`) the CPU is
 * `maximum` and the KVM-only enlightenments are left out.
 */
export function buildGameVm(spec: VmSpec, env: BuildEnvironment): string {
  const kvm = spec.virtType === 'kvm';
  const win11 = spec.os === 'win11';
  if (spec.vcpus % spec.threads !== 0) {
    throw VitrineError.of('invalid-spec', msg('error.vm.vcpuSplit', { vcpus: String(spec.vcpus), threads: String(spec.threads) }), msg('error.vm.vcpuSplitHint', { threads: String(spec.threads) }));
  }
  const cores = spec.vcpus / spec.threads;
  const hyperv = kvm
    ? xml`
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <vapic state='on'/>
      <spinlocks state='on' retries='8191'/>
      <vpindex state='on'/>
      <synic state='on'/>
      <stimer state='on'/>
      <reset state='on'/>
      <frequencies state='on'/>
      <tlbflush state='on'/>
      <ipi state='on'/>
    </hyperv>`
    : '';
  const cpu = kvm
    ? xml`
  <cpu mode='host-passthrough' check='none' migratable='on'>
    <topology sockets='1' dies='1' cores='${cores}' threads='${spec.threads}'/>
  </cpu>`
    : xml`
  <cpu mode='maximum' check='none'>
    <topology sockets='1' dies='1' cores='${cores}' threads='${spec.threads}'/>
  </cpu>`;
  const hypervclock = kvm ? "\n    <timer name='hypervclock' present='yes'/>" : '';
  const network =
    spec.network.type === 'user'
      ? `
    <interface type='user'>
      <model type='virtio'/>
    </interface>`
      : spec.network.type === 'bridge'
        ? xml`
    <interface type='bridge'>
      <source bridge='${spec.network.name}'/>
      <model type='virtio'/>
    </interface>`
        : xml`
    <interface type='network'>
      <source network='${spec.network.name}'/>
      <model type='virtio'/>
    </interface>`;
  const tpm = win11
    ? `
    <tpm model='tpm-crb'>
      <backend type='emulator' version='2.0'/>
    </tpm>`
    : '';
  const shmem =
    spec.lookingGlassMiB !== null
      ? xml`
    <shmem name='looking-glass'>
      <model type='ivshmem-plain'/>
      <size unit='M'>${spec.lookingGlassMiB}</size>
    </shmem>`
      : '';
  const page = env.hugepageSizeKiB ? xml`\n      <page size='${env.hugepageSizeKiB}' unit='KiB'/>\n    ` : '';
  const hugepages = spec.hugepages ? `\n  <memoryBacking>\n    <hugepages${page ? `>${page}</hugepages>` : '/>'}\n  </memoryBacking>` : '';
  const unattend = env.unattendIso
    ? xml`
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${env.unattendIso}'/>
      <target dev='sdc' bus='sata'/>
      <readonly/>
    </disk>`
    : '';
  // The guest agent's channel: when it answers, the unattended install is over (vm-service finishInstall).
  const agent = env.unattendIso
    ? `
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>`
    : '';
  // Looking Glass: no balloon (the guest's memory is pinned by the passed GPU anyway, and ballooning stutters).
  const balloon = spec.lookingGlassMiB !== null ? 'none' : 'virtio';
  const secure = win11 ? " secure='yes'" : '';
  const smm = win11 ? "\n    <smm state='on'/>" : '';
  const built =
    xml`<domain type='${spec.virtType}'>
  <name>${spec.name}</name>
  <title>${spec.name} (Windows ${win11 ? '11' : '10'})</title>
  <metadata>
    <vitrine:vm xmlns:vitrine='${VITRINE_NS}'>
      <vitrine:os>${spec.os}</vitrine:os>
      <vitrine:resolution width='${spec.resolution.width}' height='${spec.resolution.height}'/>
    </vitrine:vm>
  </metadata>
  <memory unit='MiB'>${spec.memoryMiB}</memory>
  <currentMemory unit='MiB'>${spec.memoryMiB}</currentMemory>` +
    hugepages +
    xml`
  <vcpu placement='static'>${spec.vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes'` +
    secure +
    xml` type='pflash'>${env.firmware.code}</loader>
    <nvram template='${env.firmware.vars}'/>
  </os>
  <features>
    <acpi/>
    <apic/>` +
    hyperv +
    `
    <vmport state='off'/>` +
    smm +
    `
  </features>` +
    cpu +
    `
  <clock offset='localtime'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>` +
    hypervclock +
    xml`
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='writeback' io='threads' discard='unmap'/>
      <source file='${spec.disk.path}'/>
      <target dev='vda' bus='virtio'/>
      <boot order='2'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${spec.windowsIso}'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
      <boot order='1'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='${spec.virtioIso}'/>
      <target dev='sdb' bus='sata'/>
      <readonly/>
    </disk>` +
    unattend +
    `
    <controller type='usb' model='qemu-xhci' ports='15'/>` +
    network +
    `
    <input type='tablet' bus='usb'/>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <graphics type='spice' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
      <image compression='off'/>
    </graphics>
    <sound model='ich9'>
      <audio id='1'/>
    </sound>
    <audio id='1' type='spice'/>
    <video>
      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>
    </video>
    <channel type='spicevmc'>
      <target type='virtio' name='com.redhat.spice.0'/>
    </channel>` +
    agent +
    tpm +
    shmem +
    `
    <memballoon model='${balloon}'/>
  </devices>
</domain>
`;
  return env.pinning ? serializeXml(setCpuPinning(parseDomainXml(built), env.pinning)) : built;
}
