import type { Bootloader } from '../../shared/api';

/** GRUB runs the scripts of /etc/grub.d in name order: after 10_linux and 30_os-prober, before 40_custom. */
export const WITHOUT_ENTRY = '/etc/grub.d/35_vitrine_without_passthrough';

/** The recovery note the apply leaves for whoever is at the machine when it does not start. */
export const RECOVERY_NOTE = '/var/lib/vitrine/RECOVERY.txt';

/** The helper as the deb installs it: the way to undo without the app. */
const INSTALLED_HELPER = '/usr/lib/vitrine/vitrine-helper.mjs';

/** The title the extra boot entry gets (GRUB puts the distribution's name before it). */
export const WITHOUT_TITLE = 'without GPU passthrough';

/** A word for a POSIX shell in single quotes ('it'\''s'). */
const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The tokens of the line without what binds a card to vfio-pci at boot. */
export function withoutPassthrough(tokens: string[]): string[] {
  return tokens.filter((t) => !/^vfio[-_]pci\.ids=/.test(t) && t !== 'rd.driver.pre=vfio-pci');
}

/**
 * A /etc/grub.d script that adds GRUB entries booting with the kernel line as
 * it was, without vfio-pci ids: it runs GRUB's own 10_linux again with the
 * old GRUB_CMDLINE_LINUX_DEFAULT and another title, and renames the entries'
 * ids so the default entry stays the normal one. Removed by undo.
 */
export function withoutEntryScript(originalDefault: string[]): string {
  return [
    '#!/bin/sh',
    '# Written by Vitrine (GPU passthrough): boot entries without the GPU bound to vfio-pci,',
    '# with the kernel parameters from before Vitrine’s change. Undo in Vitrine to remove it.',
    'set -e',
    'linux_script="$(dirname "$0")/10_linux"',
    '[ -x "$linux_script" ] || exit 0',
    `GRUB_CMDLINE_LINUX_DEFAULT=${shellQuote(originalDefault.join(' '))}`,
    `GRUB_DISTRIBUTOR="\${GRUB_DISTRIBUTOR:-Linux} (${WITHOUT_TITLE})"`,
    'GRUB_DISABLE_RECOVERY=true',
    'export GRUB_CMDLINE_LINUX_DEFAULT GRUB_DISTRIBUTOR GRUB_DISABLE_RECOVERY',
    `"$linux_script" | sed -e "s/\\(menuentry_id_option\\) '/\\1 'vitrine-without-/"`,
    '',
  ].join('\n');
}

/** The note RECOVERY.txt holds: how to start without the change, and how to undo it without the app. */
export function recoveryNote(bootloader: Bootloader, added: string[], withoutEntry: boolean): string {
  const menu: Record<Bootloader, string> = {
    grub: withoutEntry
      ? `In the boot menu, choose the entry whose name contains "(${WITHOUT_TITLE})". If the menu does not show, hold Shift (BIOS) or press Esc (UEFI) right after the firmware logo.`
      : 'In the GRUB menu (hold Shift or press Esc at start), press e on the first entry, remove the parameters below from the line that starts with "linux", then press Ctrl+X.',
    'systemd-boot': 'In the systemd-boot menu (press Space at start), press e on the entry, remove the parameters below, then press Enter.',
    kernelstub: 'In the systemd-boot menu (press Space at start), press e on the entry, remove the parameters below, then press Enter.',
    grubby: 'In the GRUB menu (press Esc at start), press e on the first entry, remove the parameters below from the line that starts with "linux", then press Ctrl+X.',
    'rpm-ostree': 'In the GRUB menu (press Esc at start), choose the previous deployment (ostree:1): it has neither the parameters nor the initramfs change.',
    'proxmox-boot-tool': withoutEntry
      ? `In the boot menu, choose the entry whose name contains "(${WITHOUT_TITLE})". If the menu does not show, hold Shift (BIOS) or press Esc (UEFI) right after the firmware logo.`
      : 'Proxmox VE boots through proxmox-boot-tool: in the systemd-boot menu (UEFI; press Space at start) press e on the entry, remove the parameters below, then press Enter; in the GRUB menu (legacy BIOS or Secure Boot) press e on the first entry, remove them from the line that starts with "linux", then press Ctrl+X.',
  };
  return [
    'Vitrine changed how this computer starts, to give a graphics card to a virtual machine (GPU passthrough).',
    '',
    'If the computer does not start properly afterwards:',
    '',
    `1. Start without the change. ${menu[bootloader]}`,
    `   Parameters Vitrine added: ${added.join(' ')}`,
    '',
    '2. Undo the change from a text console (Ctrl+Alt+F3, log in):',
    '     vitrine setup rollback',
    '   or, if the app does not start, with its root helper alone:',
    `     sudo node ${INSTALLED_HELPER} rollback`,
    '   Both put every file back byte for byte and regenerate the boot files.',
    '',
    '3. Restart the computer.',
    '',
    'Every file as it was before is kept under /var/lib/vitrine/backups/ (original/ holds the very first copies).',
    '',
  ].join('\n');
}
