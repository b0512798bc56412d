import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookConfig, HANDOVER_HOOK_TEXT } from '../../main/setup/handover-plan';
import type { PciDevice } from '../../shared/api';
import { writeHostTree } from './host-tree';
import { FIXTURE_HOSTS } from './hosts';
import { writeHandoverParts, writeProcess, writeStandInSystemctl, type FixtureProcess } from './handover-tree';

/** The stand-in display manager: holds the boot card's DRM node while it runs. */
export const DISPLAY_MANAGER: FixtureProcess = { pid: 900, comm: 'gdm', holds: ['/dev/dri/card0'], unit: 'display-manager.service' };

export interface HandoverHost {
  dir: string;
  sys: string;
  proc: string;
  state: string;
  log: string;
  hooks: string;
  systemctl: { path: string; journal: string };
  remove(): void;
}

/**
 * The single-GPU fixture host with everything a handover touches, and the
 * settings a hook at `hooks/` reads (pointed at this tree; `hooks` may be a
 * folder the hook was installed into already). The stand-in display manager
 * runs (its process holds /dev/dri/card0).
 */
export function handoverHost(options: { hooks?: string; installHook?: boolean; watchdog?: number } = {}): HandoverHost {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-handover-'));
  chmodSync(dir, 0o755);
  const roots = writeHostTree(FIXTURE_HOSTS.singleGpu, dir);
  writeHandoverParts(roots.sys, { '0000:0c:00.0': 0 });
  writeProcess(roots.proc, DISPLAY_MANAGER);
  const systemctl = writeStandInSystemctl(dir, roots.proc, { 'display-manager.service': DISPLAY_MANAGER });
  const hooks = options.hooks ?? join(dir, 'hooks');
  mkdirSync(hooks, { recursive: true });
  if (options.installHook ?? true) {
    writeFileSync(join(hooks, 'qemu'), HANDOVER_HOOK_TEXT, { mode: 0o755 });
    const card = [{ address: '0000:0c:00.0', bootVga: true }, { address: '0000:0c:00.1', bootVga: false }] as PciDevice[];
    writeFileSync(join(hooks, 'vitrine-handover.conf'), hookConfig(card), { mode: 0o644 });
  }
  const state = join(dir, 'run');
  const log = join(dir, 'log');
  writeFileSync(
    join(hooks, 'vitrine-handover.conf'),
    `sysfs_root=${roots.sys}\nproc_root=${roots.proc}\nstate_dir=${state}\nlog_dir=${log}\nsystemctl=${systemctl.path}\nsettle_seconds=0\nwatchdog_seconds=${options.watchdog ?? 0}\n`,
    { flag: 'a' },
  );
  return { dir, sys: roots.sys, proc: roots.proc, state, log, hooks, systemctl, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A domain's XML with Vitrine's handover mark, as libvirt formats it (or without the mark). */
export function handoverDomainXml(name: string, mark: 'vm-start' | 'boot' | null = 'vm-start'): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <metadata>
    <vitrine:vm xmlns:vitrine="urn:vitrine:vm:1">
      <vitrine:os>win11</vitrine:os>${mark ? `\n      <vitrine:handover mode="${mark}"/>` : ''}
    </vitrine:vm>
  </metadata>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
`;
}
