import type { KernelParam } from '../../shared/api';
import { normaliseParamName, paramValue, parseCmdline, relevantParams } from './cmdline';
import { fileExists, readText } from './fs-read';
import { hostPath, type HostRoots } from './roots';

/** The files a kernel command line is configured in, and what tells how this host regenerates its boot from them. */
export interface BootConfigFacts {
  /** /etc/default/grub's text, or null. */
  grubDefault: string | null;
  /** /etc/kernel/cmdline's text, or null. */
  kernelCmdline: string | null;
  /** /etc/kernel/proxmox-boot-uuids exists: proxmox-boot-tool keeps the ESPs. */
  proxmoxBootTool: boolean;
  /** Which GRUB regenerator is installed (Proxmox VE, a Debian, always has update-grub). */
  grubTool: 'update-grub' | 'grub2-mkconfig' | 'grub-mkconfig';
  /** The generated GRUB menu (/boot/grub/grub.cfg or /boot/grub2/grub.cfg) when readable. */
  grubCfg: string | null;
}

export async function readBootConfig(roots: HostRoots): Promise<BootConfigFacts> {
  const at = (path: string): string => hostPath(roots, path);
  const [grubDefault, kernelCmdline, proxmoxBootTool, updateGrub, grub2, grubCfg, grub2Cfg, pve] = await Promise.all([
    readText(at('/etc/default/grub')),
    readText(at('/etc/kernel/cmdline')),
    fileExists(at('/etc/kernel/proxmox-boot-uuids')),
    fileExists(at('/usr/sbin/update-grub')),
    Promise.all([fileExists(at('/usr/sbin/grub2-mkconfig')), fileExists(at('/usr/bin/grub2-mkconfig'))]).then((a) => a.some(Boolean)),
    readText(at('/boot/grub/grub.cfg')),
    readText(at('/boot/grub2/grub.cfg')),
    fileExists(at('/etc/pve')),
  ]);
  return { grubDefault, kernelCmdline, proxmoxBootTool, grubTool: updateGrub || pve ? 'update-grub' : grub2 ? 'grub2-mkconfig' : 'grub-mkconfig', grubCfg: grubCfg ?? grub2Cfg };
}

/** GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT as the shell would see them (last assignment wins, quotes removed, $VAR references left out). */
export function grubCmdline(text: string): string {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(?:export\s+)?(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)=(.*)$/);
    if (!m) continue;
    const raw = m[2]!.trim().replace(/\s+#.*$/, '');
    const unquoted = /^"(.*)"$/.test(raw) ? raw.slice(1, -1) : /^'(.*)'$/.test(raw) ? raw.slice(1, -1) : raw;
    values[m[1]!] = unquoted.replace(/\$\{?\w+\}?/g, ' ');
  }
  return `${values['GRUB_CMDLINE_LINUX'] ?? ''} ${values['GRUB_CMDLINE_LINUX_DEFAULT'] ?? ''}`.trim();
}

/** What a configured kernel command line has that the running kernel did not boot with. */
export interface PendingBootConfig {
  /** The file the parameters are in. */
  file: '/etc/default/grub' | '/etc/kernel/cmdline';
  /** The parameters (as written) the running kernel does not have. */
  missing: string[];
  /** The command that copies the file into the boot (the one that was not run). */
  command: string;
  /** True when the generated GRUB menu already has them: only the reboot is missing. */
  regenerated: boolean;
}

const spell = (p: KernelParam): string => (p.value === null ? p.name : `${p.name}=${p.value}`);

/**
 * Compare the passthrough parameters (IOMMU, vfio, blacklists…) configured
 * for the boot with the running kernel's: a parameter in /etc/default/grub or
 * /etc/kernel/cmdline that /proc/cmdline lacks means the boot was never
 * regenerated (seed 001: `update-initramfs` run instead of `update-grub`),
 * or the host was not rebooted since. Null when nothing is pending or no
 * such file is used. Which file counts: GRUB puts BOOT_IMAGE= on the running
 * command line, systemd-boot (and proxmox-boot-tool's UEFI ESPs) does not.
 */
export function pendingBootConfig(boot: BootConfigFacts, runningCmdline: string): PendingBootConfig | null {
  const running = parseCmdline(runningCmdline);
  const grubBooted = running.some((p) => p.name === 'BOOT_IMAGE');
  const useGrub = boot.grubDefault !== null && (grubBooted || boot.kernelCmdline === null);
  const file = useGrub ? '/etc/default/grub' : boot.kernelCmdline !== null ? '/etc/kernel/cmdline' : null;
  if (file === null) return null;
  const configured = relevantParams(parseCmdline(useGrub ? grubCmdline(boot.grubDefault!) : boot.kernelCmdline!));
  const missing = configured.filter((p) => {
    const now = paramValue(running, p.name);
    return now === undefined || (now ?? null) !== p.value;
  });
  if (missing.length === 0) return null;
  const command = boot.proxmoxBootTool
    ? 'proxmox-boot-tool refresh'
    : useGrub
      ? boot.grubTool === 'update-grub'
        ? 'update-grub'
        : boot.grubTool === 'grub2-mkconfig'
          ? 'grub2-mkconfig -o /boot/grub2/grub.cfg'
          : 'grub-mkconfig -o /boot/grub/grub.cfg'
      : 'kernel-install add-all';
  const linuxLines = (boot.grubCfg ?? '').split('\n').filter((l) => /^\s*linux(efi)?\s/.test(l));
  const regenerated =
    useGrub && !boot.proxmoxBootTool && linuxLines.length > 0 && missing.every((p) => linuxLines.every((l) => parseCmdline(l).some((q) => normaliseParamName(q.name) === normaliseParamName(p.name) && q.value === p.value)));
  return { file, missing: [...new Set(missing.map(spell))], command, regenerated };
}
