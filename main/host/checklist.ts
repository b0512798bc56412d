import type { CheckItem, HostReport } from '../../shared/api';
import { pendingBootConfig } from './boot-config';
import { LG_CLIENT_INSTALL } from '../../shared/lg-install';
import { paramValue } from './cmdline';
import type { EnvironmentFacts, OsFamily } from './environment';

const INSTALL: Record<OsFamily, string> = {
  debian: 'sudo apt install',
  fedora: 'sudo dnf install',
  arch: 'sudo pacman -S',
  suse: 'sudo zypper install',
  other: 'install with your package manager:',
};

const PACKAGES: Record<'virsh' | 'libvirtd' | 'qemuImg' | 'swtpm' | 'ovmf', Record<OsFamily, string>> = {
  virsh: { debian: 'libvirt-clients', fedora: 'libvirt-client', arch: 'libvirt', suse: 'libvirt-client', other: 'the libvirt client (virsh)' },
  libvirtd: { debian: 'libvirt-daemon-system', fedora: 'libvirt-daemon-kvm', arch: 'libvirt', suse: 'libvirt-daemon', other: 'the libvirt daemon' },
  qemuImg: { debian: 'qemu-utils', fedora: 'qemu-img', arch: 'qemu-img', suse: 'qemu-tools', other: 'qemu-img' },
  swtpm: { debian: 'swtpm swtpm-tools', fedora: 'swtpm swtpm-tools', arch: 'swtpm', suse: 'swtpm', other: 'swtpm' },
  ovmf: { debian: 'ovmf', fedora: 'edk2-ovmf', arch: 'edk2-ovmf', suse: 'qemu-ovmf-x86_64', other: 'OVMF (edk2) for x86_64' },
};

const install = (family: OsFamily, what: keyof typeof PACKAGES): string => `${INSTALL[family]} ${PACKAGES[what][family]}`;

function item(id: string, status: CheckItem['status'], title: string, detail: string, fix: string | null = null): CheckItem {
  return { id, status, title, detail, fix: status === 'ok' ? null : fix };
}

/** Where the firmware switch lives, by CPU vendor (seeds 001, 002, 003). */
function firmwareIommuHint(vendor: HostReport['cpu']['vendor']): string {
  if (vendor === 'amd') {
    return 'Enable the IOMMU in the firmware setup (e.g. Settings > AMD CBS > NBIO > IOMMU = Enabled; some boards also have Settings > Miscellaneous > IOMMU, seed 001). AMD kernels turn the IOMMU on by default once the firmware does.';
  }
  if (vendor === 'intel') {
    return 'Enable "VT-d" (Intel Virtualization Technology for Directed I/O) in the firmware setup, then add intel_iommu=on to the kernel command line (host preparation adds it).';
  }
  return 'Enable the IOMMU (VT-d or AMD-Vi) in the firmware setup.';
}

/**
 * The readiness checklist: one item per thing a passthrough host needs, each
 * with a specific fix. Pure: from the host report and the environment facts.
 */
export function buildChecklist(report: HostReport, env: EnvironmentFacts): CheckItem[] {
  const { cpu, kvm, iommu, kernel, modules } = report;
  const family = env.os.family;
  const checks: CheckItem[] = [];
  const virtName = cpu.vendor === 'amd' ? 'AMD-V (SVM)' : cpu.vendor === 'intel' ? 'Intel VT-x' : 'hardware virtualisation';
  const pve = env.proxmox ?? null;

  if (pve) {
    checks.push(
      item(
        'proxmox',
        'ok',
        `Proxmox VE${pve.version ? ` ${pve.version}` : ''}`,
        'This is a Proxmox VE host: its VMs live in /etc/pve/qemu-server/ID.conf and are changed with qm or the web UI (port 8006), not through libvirt. ' +
          'Vitrine prepares the host as on any Debian (the kernel parameters through update-grub or proxmox-boot-tool, vfio in /etc/modules), and for a VM it previews the passthrough lines and applies them with qm set (vitrine proxmox vms, vitrine proxmox preview ID).',
      ),
    );
  }

  const nested = cpu.inVirtualMachine ? ' This host is itself a virtual machine: its hypervisor must offer nested virtualisation.' : '';
  checks.push(
    item(
      'cpu-virtualization',
      cpu.virtualization ? 'ok' : 'fail',
      `CPU virtualisation (${virtName})`,
      cpu.virtualization ? `${cpu.model ?? 'The CPU'} offers ${virtName}.` : `${cpu.model ?? 'The CPU'} does not report ${virtName} (no ${cpu.vendor === 'amd' ? 'svm' : 'vmx'} flag).`,
      cpu.vendor === 'amd'
        ? `Enable "SVM Mode" in the firmware setup (often Advanced > CPU Configuration).${nested}`
        : `Enable "Intel Virtualization Technology" (VT-x) in the firmware setup (often Advanced > CPU Configuration).${nested}`,
    ),
  );

  const kvmModule = cpu.vendor === 'amd' ? 'kvm_amd' : 'kvm_intel';
  if (!kvm.present) {
    checks.push(item('kvm', 'fail', 'KVM (/dev/kvm)', '/dev/kvm does not exist.', `Turn on ${virtName} in the firmware, then load KVM: sudo modprobe ${kvmModule}.`));
  } else if (!cpu.virtualization) {
    checks.push(item('kvm', 'warn', 'KVM (/dev/kvm)', `/dev/kvm exists, but the CPU reports no ${virtName}: KVM cannot run guests here.`, `Turn on ${virtName} first (see above).`));
  } else if (!kvm.accessible) {
    checks.push(item('kvm', 'warn', 'KVM (/dev/kvm)', `/dev/kvm exists but ${env.user.name} cannot open it.`, `Add yourself to the kvm group: sudo usermod -aG kvm ${env.user.name}, then log out and back in.`));
  } else {
    checks.push(item('kvm', 'ok', 'KVM (/dev/kvm)', `/dev/kvm is there and ${env.user.name} can use it.`));
  }

  const iommuParam = cpu.vendor === 'intel' ? paramValue(kernel.params, 'intel_iommu') : paramValue(kernel.params, 'amd_iommu');
  checks.push(
    item(
      'iommu',
      iommu.active ? 'ok' : 'fail',
      'IOMMU',
      iommu.active
        ? `The IOMMU is on: ${iommu.groupCount} IOMMU groups${iommu.units.length ? ` (${iommu.units.join(', ')})` : ''}.`
        : `No IOMMU groups: the IOMMU is off${iommuParam === 'off' ? ' (the kernel command line says so)' : cpu.vendor === 'intel' && iommuParam === undefined ? ' (intel_iommu=on is not on the kernel command line)' : ''}. Without it no device can be passed.`,
      iommuParam === 'off' ? `Remove ${cpu.vendor === 'intel' ? 'intel_iommu' : 'amd_iommu'}=off from the kernel command line. ${firmwareIommuHint(cpu.vendor)}` : firmwareIommuHint(cpu.vendor),
    ),
  );

  const pt = paramValue(kernel.params, 'iommu');
  checks.push(
    item(
      'iommu-passthrough-mode',
      pt === 'pt' ? 'ok' : 'warn',
      'IOMMU passthrough mode (iommu=pt)',
      pt === 'pt' ? 'iommu=pt is on the kernel command line.' : 'iommu=pt is not on the kernel command line: host devices pay for IOMMU translation they do not need.',
      'Add iommu=pt to the kernel command line (host preparation adds it).',
    ),
  );

  const pending = env.boot ? pendingBootConfig(env.boot, kernel.cmdline) : null;
  if (env.boot && (env.boot.grubDefault !== null || env.boot.kernelCmdline !== null)) {
    const regenerateOnly = pending?.regenerated === true;
    checks.push(
      item(
        'boot-config-applied',
        pending ? 'warn' : 'ok',
        'Kernel parameters reach the boot',
        !pending
          ? 'The passthrough parameters in the boot configuration are all on the running kernel’s command line.'
          : regenerateOnly
            ? `${pending.missing.join(' ')} ${pending.missing.length > 1 ? 'are' : 'is'} in ${pending.file} and in GRUB’s menu, but not on the running kernel’s command line: the host was not rebooted since.`
            : `${pending.missing.join(' ')} ${pending.missing.length > 1 ? 'are' : 'is'} in ${pending.file} but not on the running kernel’s command line: ${pending.command} was not run after the edit (or the host was not rebooted since).${pending.file === '/etc/default/grub' ? ' update-initramfs does not carry kernel parameters to the boot.' : ''}`,
        !pending ? null : regenerateOnly ? 'Reboot the host.' : `Run: sudo ${pending.command}, then reboot.`,
      ),
    );
  }

  if (!iommu.active) {
    checks.push(item('interrupt-remapping', 'unknown', 'Interrupt remapping', 'Unknown until the IOMMU is on.', 'Turn the IOMMU on first.'));
  } else if (iommu.interruptRemapping === 'enabled') {
    checks.push(item('interrupt-remapping', 'ok', 'Interrupt remapping', 'Interrupt remapping is on: a passed device cannot forge interrupts into the host.'));
  } else if (iommu.interruptRemapping === 'unsupported') {
    checks.push(
      item(
        'interrupt-remapping',
        iommu.allowUnsafeInterrupts ? 'warn' : 'fail',
        'Interrupt remapping',
        iommu.allowUnsafeInterrupts
          ? 'The platform has no interrupt remapping; vfio allows unsafe interrupts, so passthrough works without that protection.'
          : 'The platform has no interrupt remapping: vfio will refuse to attach devices ("No interrupt remapping support").',
        'Check the firmware for an interrupt remapping / x2APIC option; otherwise set "options vfio_iommu_type1 allow_unsafe_interrupts=1" (offered by the troubleshooter). Security cost: a passed device could then inject interrupts into the host.',
      ),
    );
  } else {
    checks.push(
      item('interrupt-remapping', 'unknown', 'Interrupt remapping', 'The kernel did not show whether interrupt remapping is on.', 'Check: sudo dmesg | grep -i -e "DMAR-IR" -e "AMD-Vi: Interrupt remapping"'),
    );
  }

  checks.push(
    item(
      'vfio-modules',
      modules.vfioPci ? 'ok' : 'warn',
      'vfio-pci driver',
      modules.vfioPci ? 'The vfio-pci module is loaded.' : 'The vfio-pci module is not loaded yet.',
      pve ? 'Host preparation lists vfio, vfio_iommu_type1 and vfio_pci in /etc/modules (Proxmox’s way) so that vfio-pci binds the GPU at boot.' : 'Host preparation adds vfio-pci to the initramfs so that it binds the GPU at boot.',
    ),
  );

  const usable = report.gpus.filter((g) => g.verdict === 'ready' || g.verdict === 'passable');
  if (report.gpus.length === 0) {
    checks.push(item('gpu', 'fail', 'A GPU for the VM', 'No graphics card was found on the PCI bus.', 'Fit a second graphics card for the VM; the host keeps its own (or the iGPU).'));
  } else if (usable.length > 0) {
    checks.push(item('gpu', 'ok', 'A GPU for the VM', usable.map((g) => g.sentence).join(' ')));
  } else {
    const onlyNoIommu = report.gpus.every((g) => g.verdict === 'no-iommu');
    checks.push(
      item(
        'gpu',
        onlyNoIommu ? 'fail' : report.gpus.some((g) => g.verdict === 'shares-group' || g.verdict === 'boot-gpu') ? 'warn' : 'fail',
        'A GPU for the VM',
        report.gpus.map((g) => g.sentence).join(' '),
        onlyNoIommu ? firmwareIommuHint(cpu.vendor) : 'See each GPU above: another slot, another GPU for the host, or single-GPU mode.',
      ),
    );
  }

  if (pve) {
    checks.push(
      item(
        'qm',
        pve.qm ? 'ok' : 'fail',
        'Proxmox VM tool (qm)',
        pve.qm ? `qm is at ${pve.qm}: Vitrine lists and changes this host’s VMs with it (libvirt is not used on Proxmox).` : 'qm was not found on PATH, though /etc/pve exists.',
        'qm comes with the qemu-server package of Proxmox VE: apt install qemu-server (or run Vitrine with /usr/sbin on PATH).',
      ),
    );
  } else checks.push(
    item(
      'virsh',
      env.tools.virsh ? 'ok' : 'fail',
      'libvirt client (virsh)',
      env.tools.virsh ? `virsh is at ${env.tools.virsh}.` : 'virsh was not found on PATH.',
      `${install(family, 'virsh')} ${PACKAGES.libvirtd[family]}`,
    ),
  );
  if (env.tools.virsh && !pve) {
    checks.push(
      item(
        'libvirt',
        env.libvirt.reachable ? 'ok' : 'fail',
        `libvirt (${env.libvirt.uri})`,
        env.libvirt.reachable ? `libvirt answers at ${env.libvirt.uri}${env.libvirt.hypervisor ? ` (${env.libvirt.hypervisor})` : ''}.` : (env.libvirt.error?.message ?? `libvirt does not answer at ${env.libvirt.uri}.`),
        env.libvirt.error?.hint ?? 'Start the libvirt daemon: sudo systemctl enable --now libvirtd.',
      ),
    );
  }

  if (pve) {
    checks.push(
      item(
        'user-groups',
        env.user.name === 'root' ? 'ok' : 'warn',
        `User ${env.user.name}`,
        env.user.name === 'root' ? 'Running as root, as Proxmox’s own tools (qm, pvesh) need.' : `${env.user.name} is not root: qm and pvesh only answer root on Proxmox.`,
        'Run the VM commands as root (sudo vitrine proxmox …), or use the web UI.',
      ),
    );
  } else if (env.user.name === 'root') {
    checks.push(
      item(
        'user-groups',
        'warn',
        'Desktop user',
        'Vitrine is running as root.',
        'Run Vitrine as your desktop user: the Looking Glass client refuses to run as root, and only host preparation needs root (it asks once).',
      ),
    );
  } else {
    const wanted = env.libvirt.uri.startsWith('qemu:///system') ? ['kvm', 'libvirt'] : ['kvm'];
    const missing = wanted.filter((g) => !env.user.configuredGroups.includes(g) && !env.user.sessionGroups.includes(g));
    const notYet = wanted.filter((g) => env.user.configuredGroups.includes(g) && !env.user.sessionGroups.includes(g));
    checks.push(
      item(
        'user-groups',
        missing.length === 0 && notYet.length === 0 ? 'ok' : 'warn',
        `Groups of ${env.user.name}`,
        missing.length > 0
          ? `${env.user.name} is not in ${missing.join(' and ')}.`
          : notYet.length > 0
            ? `${env.user.name} was added to ${notYet.join(' and ')}, but this session started before that.`
            : `${env.user.name} is in ${wanted.join(' and ')}.`,
        missing.length > 0 ? `sudo usermod -aG ${missing.join(',')} ${env.user.name}, then log out and back in.` : 'Log out and back in so the new groups apply.',
      ),
    );
  }

  const fw = env.firmware;
  if (pve) {
    checks.push(
      item(
        'firmware',
        pve.ovmf || fw.plain || fw.secureBoot ? 'ok' : 'fail',
        'UEFI firmware (OVMF)',
        pve.ovmf ? 'Proxmox’s OVMF (pve-edk2-firmware) is installed: set the VM’s BIOS to OVMF (bios: ovmf).' : fw.secureBoot || fw.plain ? `OVMF is at ${(fw.secureBoot ?? fw.plain)!.code}.` : 'No OVMF firmware was found.',
        'apt install pve-edk2-firmware',
      ),
    );
  } else checks.push(
    item(
      'firmware',
      fw.secureBoot ? 'ok' : fw.plain ? 'warn' : 'fail',
      'UEFI firmware (OVMF)',
      fw.secureBoot
        ? `OVMF with Secure Boot: ${fw.secureBoot.code}.`
        : fw.plain
          ? `OVMF without Secure Boot keys (${fw.plain.code}): enough for Windows 10, not for Windows 11.`
          : 'No OVMF firmware was found.',
      install(family, 'ovmf'),
    ),
  );
  checks.push(
    item(
      'swtpm',
      env.tools.swtpm ? 'ok' : 'warn',
      'TPM emulator (swtpm)',
      env.tools.swtpm ? `swtpm is at ${env.tools.swtpm}.` : 'swtpm was not found: Windows 11 needs a TPM 2.0.',
      install(family, 'swtpm'),
    ),
  );
  checks.push(
    item(
      'qemu-img',
      env.tools.qemuImg ? 'ok' : 'fail',
      'Disk image tool (qemu-img)',
      env.tools.qemuImg ? `qemu-img is at ${env.tools.qemuImg}.` : 'qemu-img was not found: Vitrine needs it to create the VM disk.',
      install(family, 'qemuImg'),
    ),
  );
  if (pve) {
    checks.push(
      item(
        'looking-glass-client',
        env.tools.lookingGlass ? 'ok' : 'unknown',
        'Looking Glass client',
        env.tools.lookingGlass
          ? `looking-glass-client is at ${env.tools.lookingGlass}: it works as on libvirt when it runs on this host’s own desktop (with ivshmem in the VM).`
          : 'On Proxmox the VM usually drives the card’s own outputs (a monitor on the passed GPU); Looking Glass only helps when this host has its own desktop.',
        'Plug a monitor into the passed GPU; install the Looking Glass client (release B7) only if this host has a desktop.',
      ),
    );
    return checks;
  }
  checks.push(
    item(
      'looking-glass-client',
      env.tools.lookingGlass ? 'ok' : 'warn',
      'Looking Glass client',
      env.tools.lookingGlass ? `looking-glass-client is at ${env.tools.lookingGlass}.` : 'looking-glass-client was not found on PATH.',
      `${LG_CLIENT_INSTALL[family].how} ${LG_CLIENT_INSTALL[family].commands.join('; ')}. Then set its path in Settings if it is not on PATH. Windows needs the guest side of the same release (B7: the host service and a dummy plug; B8: the display driver). ${LG_CLIENT_INSTALL[family].kvmfr} (only for kvmfr memory).`,
    ),
  );
  return checks;
}
