import type { PciDevice, PlanWrite } from '../../shared/api';
import HANDOVER_HOOK from './handover-hook.sh?raw';
import { msg } from '../../shared/i18n/message';
import { said, type Said, type Warnings } from './plan-text';

/** The hook libvirt runs for every QEMU domain, when no other program owns that name. */
export const HOOK_PATH = '/etc/libvirt/hooks/qemu';
/** The hook beside another one: libvirt (6.5 and later) runs every executable in qemu.d/ too. */
export const HOOK_D_PATH = '/etc/libvirt/hooks/qemu.d/vitrine-handover';
/** The hook's settings: the GPU functions it may hand over, whether the desktop stops. */
export const HOOK_CONF_PATH = '/etc/libvirt/hooks/vitrine-handover.conf';

/** Files the handover plan may write (part of the planner's allow-list). */
export const HANDOVER_FILES = [HOOK_PATH, HOOK_D_PATH, HOOK_CONF_PATH] as const;
/** The only files a plan may make executable (0755): the hook, in either place. */
export const EXECUTABLE_FILES: ReadonlySet<string> = new Set([HOOK_PATH, HOOK_D_PATH]);

/** The line that marks a hook as Vitrine's own (so Vitrine may update it). */
export const HOOK_MARK = '# vitrine-handover-hook 1';

/** The hook program, exactly as it is installed. */
export const HANDOVER_HOOK_TEXT: string = HANDOVER_HOOK;

/** Seconds the hook waits for the VM to reach "running" before it gives the card back. */
export const WATCHDOG_SECONDS = 120;

export interface HandoverFacts {
  files: Record<string, string | null>;
  symlinks: Set<string>;
}

/** Where the hook goes: libvirt's own hook name when it is free or already Vitrine's, else qemu.d/. */
export function hookPathFor(facts: HandoverFacts): typeof HOOK_PATH | typeof HOOK_D_PATH {
  const current = facts.files[HOOK_PATH] ?? null;
  if (facts.symlinks.has(HOOK_PATH)) return HOOK_D_PATH;
  if (current === null || current.split('\n').includes(HOOK_MARK)) return HOOK_PATH;
  return HOOK_D_PATH;
}

/** The hook's settings file for these GPU functions (full addresses, sorted). */
export function hookConfig(devices: PciDevice[]): string {
  const single = devices.some((d) => d.bootVga);
  return [
    '# Written by Vitrine (GPU passthrough). Undo in Vitrine (or vitrine setup rollback) to remove it.',
    '# The GPU functions the libvirt hook may hand over to a VM marked <vitrine:handover mode="vm-start"/>.',
    ...[...new Set(devices.map((d) => d.address))].sort().map((a) => `gpu=${a}`),
    `# ${single ? 'The boot display: the desktop stops while the VM runs (single-GPU mode).' : 'A second card: the desktop keeps running.'}`,
    `stop_display_manager=${single ? 'yes' : 'no'}`,
    `watchdog_seconds=${WATCHDOG_SECONDS}`,
    '',
  ].join('\n');
}

/**
 * The writes that install the handover hook (pure): the program (0755) at
 * libvirt's hook path, or in qemu.d/ when another program owns that path,
 * and its settings file. Warnings say what the plan cannot do itself.
 */
export function handoverWrites(devices: PciDevice[], facts: HandoverFacts, warnings: Warnings): ({ path: string; after: string; mode: number } & Said)[] {
  const path = hookPathFor(facts);
  if (path === HOOK_D_PATH) {
    warnings.add(msg('prepare.warn.hookElsewhere', { hook: HOOK_PATH, path: HOOK_D_PATH }));
  }
  const single = devices.some((d) => d.bootVga);
  warnings.add(msg('prepare.warn.restartLibvirt'));
  if (single) {
    warnings.add(msg('prepare.warn.singleGpu'));
  }
  return [
    { path, after: HANDOVER_HOOK_TEXT, mode: 0o755, ...said(msg('prepare.step.hook')) },
    { path: HOOK_CONF_PATH, after: hookConfig(devices), mode: 0o644, ...said(msg('prepare.step.hookConfig', { addresses: devices.map((d) => d.address).join(', ') })) },
  ];
}

/** Whether a plan step is one of the handover files (no reboot needed for those). */
export const isHandoverWrite = (step: Pick<PlanWrite, 'path'>): boolean => (HANDOVER_FILES as readonly string[]).includes(step.path);
