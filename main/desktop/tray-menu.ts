import type { DomainsSnapshot, DomainSummary, LgSnapshot, LgStatus, Task, TasksSnapshot } from '../../shared/api';
import type { Translate } from './texts';

/**
 * The tray as data: its icon state and its menu, a pure function of the live
 * state (domains, Looking Glass, tasks), so it is tested without Electron.
 * main/shell/tray.ts draws it and runs the actions.
 */

export type TrayAction =
  | { type: 'play' | 'stop' | 'force-off' | 'open-lg' | 'open-vm' | 'troubleshoot'; vm: string }
  | { type: 'open-app' }
  | { type: 'toggle-start-at-login' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'item'; label: string; enabled: boolean; action: TrayAction | null }
  | { kind: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { kind: 'submenu'; label: string; items: TrayItem[] }
  | { kind: 'separator' };

export type TrayIconState = 'idle' | 'running' | 'attention';

export interface TrayState {
  domains: DomainsSnapshot | null;
  lg: LgSnapshot;
  tasks: TasksSnapshot;
  startAtLogin: boolean;
}

const ON = new Set(['running', 'paused', 'in-shutdown', 'idle', 'pmsuspended']);
const LG_OPEN = new Set(['starting', 'waiting-for-guest', 'running', 'restarting']);

const latestTask = (tasks: TasksSnapshot, vm: string): Task | null => tasks.tasks.find((t) => t.subject === vm) ?? null;

/** What needs the user: a crashed VM, a failed task, a failed Looking Glass, libvirt unreachable. */
export function attentionOf(state: TrayState, vm: DomainSummary): string | null {
  if (vm.state === 'crashed') return 'crashed';
  const task = latestTask(state.tasks, vm.name);
  if (task?.state === 'failed') return 'task-failed';
  const lg = state.lg.clients.find((c) => c.vm === vm.name);
  if (lg?.state === 'failed' && ON.has(vm.state)) return 'lg-failed';
  return null;
}

/** The icon at a glance: attention beats running beats idle. */
export function trayIconState(state: TrayState): TrayIconState {
  if (state.domains?.error) return 'attention';
  const domains = state.domains?.domains ?? [];
  if (domains.some((d) => attentionOf(state, d))) return 'attention';
  if (domains.some((d) => ON.has(d.state))) return 'running';
  return 'idle';
}

/** The tooltip: what runs, or what needs attention. */
export function trayTooltip(state: TrayState, t: Translate): string {
  const domains = state.domains?.domains ?? [];
  if (state.domains?.error) return t('tray.tooltipError');
  const attention = domains.filter((d) => attentionOf(state, d)).map((d) => d.name);
  if (attention.length) return t('tray.tooltipAttention', { names: attention.join(', ') });
  const running = domains.filter((d) => ON.has(d.state)).map((d) => d.name);
  return running.length ? t('tray.tooltipRunning', { names: running.join(', ') }) : t('tray.tooltipIdle');
}

function vmMenu(state: TrayState, vm: DomainSummary, t: Translate): TrayItem {
  const on = ON.has(vm.state);
  const task = latestTask(state.tasks, vm.name);
  const busy = task?.state === 'running';
  const lg: LgStatus | undefined = state.lg.clients.find((c) => c.vm === vm.name);
  const lgOpen = lg ? LG_OPEN.has(lg.state) : false;
  const attention = attentionOf(state, vm);
  const stateText = busy ? t(`tray.busy.${task!.kind}`) : lgOpen ? t(`lg.${lg!.state}`) : t(`state.${vm.state}`);
  const items: TrayItem[] = [
    { kind: 'item', label: t('tray.play'), enabled: !on && !busy, action: { type: 'play', vm: vm.name } },
    { kind: 'item', label: t('tray.stop'), enabled: on && !busy, action: { type: 'stop', vm: vm.name } },
    { kind: 'item', label: t('tray.forceOff'), enabled: on, action: { type: 'force-off', vm: vm.name } },
    { kind: 'item', label: t('tray.openLg'), enabled: vm.state === 'running' && !lgOpen && !busy, action: { type: 'open-lg', vm: vm.name } },
    { kind: 'separator' },
    { kind: 'item', label: t('tray.details'), enabled: true, action: { type: 'open-vm', vm: vm.name } },
  ];
  if (attention) items.push({ kind: 'item', label: t('tray.troubleshoot'), enabled: true, action: { type: 'troubleshoot', vm: vm.name } });
  return { kind: 'submenu', label: `${attention ? '⚠ ' : on ? '● ' : ''}${vm.name} — ${stateText}`, items };
}

/** The whole menu: per VM its state and actions, then Open Vitrine, Start at login, Quit. */
export function buildTrayMenu(state: TrayState, t: Translate): TrayItem[] {
  const items: TrayItem[] = [];
  if (state.domains === null) items.push({ kind: 'item', label: t('tray.loading'), enabled: false, action: null });
  else if (state.domains.error) items.push({ kind: 'item', label: t('tray.libvirtError'), enabled: true, action: { type: 'open-app' } });
  if (state.domains && state.domains.domains.length === 0 && !state.domains.error) items.push({ kind: 'item', label: t('tray.noVms'), enabled: true, action: { type: 'open-app' } });
  for (const vm of state.domains?.domains ?? []) items.push(vmMenu(state, vm, t));
  items.push(
    { kind: 'separator' },
    { kind: 'item', label: t('tray.openApp'), enabled: true, action: { type: 'open-app' } },
    { kind: 'checkbox', label: t('tray.startAtLogin'), checked: state.startAtLogin, action: { type: 'toggle-start-at-login' } },
    { kind: 'separator' },
    { kind: 'item', label: t('tray.quit'), enabled: true, action: { type: 'quit' } },
  );
  return items;
}

export interface TrayNotification {
  title: string;
  body: string;
  /** Where clicking it leads. */
  action: TrayAction;
  urgent: boolean;
}

/** Notifications for tasks that just finished or failed, and Looking Glass failures, between two states. */
export function notificationsBetween(before: TrayState, after: TrayState, t: Translate): TrayNotification[] {
  const out: TrayNotification[] = [];
  for (const task of after.tasks.tasks) {
    const was = before.tasks.tasks.find((x) => x.id === task.id);
    if (task.state === 'running' || was?.state === task.state) continue;
    if (task.state === 'done') out.push({ title: t(`tray.done.${task.kind}`, { name: task.subject }), body: task.steps.at(-1)?.detail ?? '', action: { type: 'open-vm', vm: task.subject }, urgent: false });
    else out.push({ title: t(`tray.failed.${task.kind}`, { name: task.subject }), body: `${task.error?.message ?? ''} ${t('tray.clickToTroubleshoot')}`.trim(), action: { type: 'troubleshoot', vm: task.subject }, urgent: true });
  }
  for (const lg of after.lg.clients) {
    const was = before.lg.clients.find((c) => c.vm === lg.vm);
    if (lg.state === 'failed' && was?.state !== 'failed') out.push({ title: t('tray.lgFailed', { name: lg.vm }), body: `${lg.message} ${t('tray.clickToTroubleshoot')}`, action: { type: 'troubleshoot', vm: lg.vm }, urgent: true });
  }
  return out;
}
