import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PlanRequest } from '../../shared/api';
import { writeHostTree, type HostSpec } from './host-tree';
import { FIXTURE_HOSTS } from './hosts';

/** A distribution's files as the planner sees them, a host to bind a GPU of, and what the user asks. */
export interface HostFamily {
  name: string;
  host: HostSpec;
  files: Record<string, string>;
  /** Tools and markers: paths ending in / are folders, others empty executables. */
  markers: string[];
  request: PlanRequest;
}

const DEBIAN_GRUB = `# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""

# Uncomment to enable BadRAM filtering, modify to suit your needs
#GRUB_BADRAM="0x01234567,0xfefefefe,0x89abcdef,0xefefefef"

# Uncomment to disable graphical terminal (grub-pc only)
#GRUB_TERMINAL=console
`;

const INITRAMFS_MODULES = `# List of modules that you want to include in your initramfs.
# They will be loaded at boot time in the order below.
#
# Syntax:  module_name [args ...]
#
# You must run update-initramfs(8) to effect this change.
#
# Examples:
#
# raid1
# sd_mod
`;

const QEMU_CONF = `# Master configuration file for the QEMU driver.
# All settings described here are optional - if omitted, sensible
# defaults are used.

# This is the basic set of devices allowed / required by
# all virtual machines.
#
#cgroup_device_acl = [
#    "/dev/null", "/dev/full", "/dev/zero",
#    "/dev/random", "/dev/urandom",
#    "/dev/ptmx", "/dev/kvm",
#    "/dev/userfaultfd"
#]
`;

const FEDORA_GRUB = `GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_DISABLE_SUBMENU=true
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX="rhgb quiet"
GRUB_DISABLE_RECOVERY="true"
GRUB_ENABLE_BLSCFG=true
`;

const MKINITCPIO = `# vim:set ft=sh
# MODULES
# The following modules are loaded before any boot hooks are
# run.  Advanced users may wish to specify all system modules
# in this array.  For instance:
#     MODULES=(usbhid xhci_hcd)
MODULES=()

# BINARIES
BINARIES=()

# FILES
FILES=()

# HOOKS
HOOKS=(base systemd autodetect microcode modconf kms keyboard sd-vconsole block filesystems fsck)
`;

/** Debian's /etc/modules as Proxmox VE ships it. */
const ETC_MODULES = `# /etc/modules: kernel modules to load at boot time.
#
# This file contains the names of kernel modules that should be loaded
# at boot time, one per line. Lines beginning with "#" are ignored.
# Parameters can be specified after the module name.

`;

/** Seed 001: iommu=pt written into /etc/default/grub, vfio in /etc/modules, but update-grub never run. */
const PROXMOX_GRUB_SEED001 = DEBIAN_GRUB.replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"');

export const FAMILIES: HostFamily[] = [
  {
    name: 'debian-grub-initramfs-tools',
    host: { ...FIXTURE_HOSTS.seed003Xeon, cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=2f7c3c1e ro quiet' },
    files: { '/etc/default/grub': DEBIAN_GRUB, '/etc/initramfs-tools/modules': INITRAMFS_MODULES, '/etc/libvirt/qemu.conf': QEMU_CONF, '/etc/apparmor.d/local/abstractions/libvirt-qemu': '' },
    markers: ['/usr/sbin/update-grub', '/usr/sbin/update-initramfs', '/etc/initramfs-tools/', '/etc/apparmor.d/'],
    request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: { mode: 'shm', sizeMiB: 32 }, user: 'alice' },
  },
  {
    name: 'fedora-grubby-dracut',
    host: { ...FIXTURE_HOSTS.seed001Ryzen, cmdline: 'BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.11.4-301.fc41.x86_64 root=UUID=9a1b ro rootflags=subvol=root rhgb quiet' },
    files: { '/etc/default/grub': FEDORA_GRUB, '/etc/libvirt/qemu.conf': QEMU_CONF },
    markers: ['/usr/sbin/grubby', '/usr/bin/dracut', '/etc/dracut.conf.d/', '/usr/sbin/grub2-mkconfig'],
    request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: { mode: 'kvmfr', sizeMiB: 64 }, user: 'bob' },
  },
  {
    name: 'arch-systemd-boot-mkinitcpio',
    host: { ...FIXTURE_HOSTS.seed000Z490, cmdline: 'initrd=\\intel-ucode.img initrd=\\initramfs-linux.img root=UUID=5c1d rw quiet loglevel=3' },
    files: { '/etc/kernel/cmdline': 'root=UUID=5c1d rw quiet loglevel=3\n', '/etc/mkinitcpio.conf': MKINITCPIO, '/etc/libvirt/qemu.conf': QEMU_CONF },
    markers: ['/usr/bin/bootctl', '/usr/bin/kernel-install', '/usr/bin/mkinitcpio'],
    request: { gpu: ['0000:07:00.0', '0000:07:00.1', '0000:07:00.2', '0000:07:00.3'], lookingGlass: { mode: 'shm', sizeMiB: 32 }, user: 'carol', ignoreMsrs: true },
  },
  {
    name: 'popos-kernelstub-initramfs-tools',
    host: { ...FIXTURE_HOSTS.seed003Xeon, cmdline: 'initrd=\\EFI\\Pop_OS-0b1c\\initrd.img root=UUID=0b1c ro quiet loglevel=0 systemd.show_status=false splash' },
    files: { '/etc/initramfs-tools/modules': INITRAMFS_MODULES, '/etc/kernelstub/configuration': '{"default": {"kernel_options": ["quiet", "splash"]}, "user": {"kernel_options": ["quiet", "loglevel=0", "systemd.show_status=false", "splash"]}}\n' },
    markers: ['/usr/sbin/update-initramfs', '/etc/initramfs-tools/', '/etc/apparmor.d/'],
    request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: { mode: 'shm', sizeMiB: 32 }, user: 'dave' },
  },
  {
    name: 'bazzite-rpm-ostree-dracut',
    host: { ...FIXTURE_HOSTS.seed001Ryzen, cmdline: 'BOOT_IMAGE=(hd0,gpt3)/ostree/default-7c1e/vmlinuz-6.11.5 rhgb quiet root=UUID=77ee rootflags=subvol=root rw ostree=/ostree/boot.1/default/7c1e/0 iommu=soft' },
    files: { '/etc/libvirt/qemu.conf': QEMU_CONF },
    markers: ['/run/ostree-booted', '/usr/bin/rpm-ostree', '/usr/bin/dracut', '/etc/dracut.conf.d/'],
    request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: { mode: 'shm', sizeMiB: 32 }, user: 'erin', allowUnsafeInterrupts: true },
  },
  {
    // Proxmox VE on ZFS (seed 000's host), booted by systemd-boot from ESPs that proxmox-boot-tool keeps.
    name: 'proxmox-boot-tool-etc-modules',
    host: { ...FIXTURE_HOSTS.seed000Z490, cmdline: 'initrd=\\EFI\\proxmox\\5.4.78-2-pve\\initrd.img-5.4.78-2-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs', mounts: [['rpool/ROOT/pve-1', '/']] },
    files: {
      '/etc/kernel/cmdline': 'root=ZFS=rpool/ROOT/pve-1 boot=zfs\n',
      '/etc/kernel/proxmox-boot-uuids': '2B6F-4F8C\n',
      '/etc/default/grub': DEBIAN_GRUB,
      '/etc/modules': ETC_MODULES,
      '/etc/initramfs-tools/modules': INITRAMFS_MODULES,
    },
    markers: ['/etc/pve/', '/usr/sbin/proxmox-boot-tool', '/usr/sbin/update-grub', '/usr/sbin/update-initramfs', '/etc/initramfs-tools/', '/etc/apparmor.d/'],
    request: { gpu: ['0000:07:00.0', '0000:07:00.1', '0000:07:00.2', '0000:07:00.3'], lookingGlass: null, user: 'root' },
  },
  {
    // Seed 001: Proxmox VE on LVM, GRUB; iommu=pt is in /etc/default/grub but the boot never got it.
    name: 'proxmox-grub-seed001',
    host: { ...FIXTURE_HOSTS.seed001Ryzen, cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.5.11-8-pve root=/dev/mapper/pve-root ro quiet' },
    files: {
      '/etc/default/grub': PROXMOX_GRUB_SEED001,
      '/etc/modules': `${ETC_MODULES}vfio\nvfio_iommu_type1\nvfio_pci\n`,
      '/etc/initramfs-tools/modules': INITRAMFS_MODULES,
      '/etc/modprobe.d/blacklist.conf': 'blacklist nouveau\nblacklist nvidia*\n',
    },
    markers: ['/etc/pve/', '/usr/sbin/update-grub', '/usr/sbin/update-initramfs', '/etc/initramfs-tools/', '/etc/apparmor.d/'],
    request: { gpu: ['0000:01:00.0', '0000:01:00.1'], lookingGlass: null, user: 'root' },
  },
];

/** Write a family's scratch root: its etc files and markers, and the host's sys/proc/dev trees. */
export function writeFamilyRoot(family: HostFamily, dir: string): string {
  writeHostTree(family.host, dir);
  for (const [path, content] of Object.entries(family.files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const marker of family.markers) {
    if (marker.endsWith('/')) mkdirSync(join(dir, marker), { recursive: true });
    else {
      mkdirSync(join(dir, dirname(marker)), { recursive: true });
      writeFileSync(join(dir, marker), '');
      chmodSync(join(dir, marker), 0o755);
    }
  }
  return dir;
}

export function tempFamilyRoot(family: HostFamily): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `vitrine-${family.name}-`));
  writeFamilyRoot(family, dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
