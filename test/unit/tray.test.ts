import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DomainSummary, LgStatus, Task } from '../../shared/api';
import { autostartEntry, autostartFile, launchCommand, quoteExecArg, setStartAtLogin } from '../../main/desktop/autostart';
import { systemLanguage, translator } from '../../main/desktop/texts';
import { buildTrayMenu, notificationsBetween, trayIconState, trayTooltip, type TrayItem, type TrayState } from '../../main/desktop/tray-menu';

const t = translator('en');
const vm = (name: string, state: DomainSummary['state']): DomainSummary => ({ name, uuid: `uuid-${name}`, state, id: state === 'running' ? 1 : null, persistent: true, autostart: false });
const lg = (name: string, state: LgStatus['state']): LgStatus => ({ vm: name, state, release: 'B7', message: 'msg', problem: null, ask: false, restarts: 0, pid: 1 });
const task = (name: string, kind: Task['kind'], state: Task['state'], id = `${name}-${kind}`): Task => ({
  id,
  kind,
  cancellable: false,
  subject: name,
  title: `${kind} ${name}`,
  steps: [{ id: 'start', label: 'Start the VM', state: state === 'failed' ? 'failed' : 'done', detail: state === 'failed' ? 'boom' : 'Running.' }],
  state,
  error: state === 'failed' ? { kind: 'x', message: 'It broke.', hint: 'Fix it.' } : null,
  startedAt: '2026-11-21T00:00:00Z',
});
const state = (over: Partial<TrayState> = {}): TrayState => ({ domains: { domains: [], error: null }, lg: { clients: [] }, tasks: { tasks: [] }, startAtLogin: false, ...over });

/** The menu as text lines, `[x]` for disabled, to compare whole menus at once. */
function render(items: TrayItem[], indent = ''): string[] {
  return items.flatMap((item) => {
    switch (item.kind) {
      case 'separator':
        return [`${indent}---`];
      case 'checkbox':
        return [`${indent}${item.checked ? '☑' : '☐'} ${item.label}`];
      case 'submenu':
        return [`${indent}${item.label} >`, ...render(item.items, `${indent}  `)];
      case 'item':
        return [`${indent}${item.enabled ? '' : '[x] '}${item.label}`];
    }
  });
}

describe('the tray menu and icon', () => {
  it('no VMs: idle, and the menu leads to creating one', () => {
    const s = state();
    expect(trayIconState(s)).toBe('idle');
    expect(trayTooltip(s, t)).toBe('Vitrine: no VM running');
    expect(render(buildTrayMenu(s, t))).toEqual(['No VM yet — set one up…', '---', 'Open Vitrine', '☐ Start at login', '---', 'Quit Vitrine']);
  });

  it('one running: running icon, Stop and Open Looking Glass offered, Play not', () => {
    const s = state({ domains: { domains: [vm('win11', 'running'), vm('work', 'shut-off')], error: null }, startAtLogin: true });
    expect(trayIconState(s)).toBe('running');
    expect(trayTooltip(s, t)).toBe('Vitrine: win11 running');
    expect(render(buildTrayMenu(s, t))).toEqual([
      '● win11 — Running >',
      '  [x] Play',
      '  Stop',
      '  Force off',
      '  Open Looking Glass',
      '  ---',
      '  Details…',
      'work — Shut off >',
      '  Play',
      '  [x] Stop',
      '  [x] Force off',
      '  [x] Open Looking Glass',
      '  ---',
      '  Details…',
      '---',
      'Open Vitrine',
      '☑ Start at login',
      '---',
      'Quit Vitrine',
    ]);
  });

  it('one failed: attention icon, and a way into the troubleshooter', () => {
    const s = state({ domains: { domains: [vm('win11', 'shut-off')], error: null }, tasks: { tasks: [task('win11', 'play', 'failed')] } });
    expect(trayIconState(s)).toBe('attention');
    expect(trayTooltip(s, t)).toBe('Vitrine: win11 needs attention');
    const [first] = buildTrayMenu(s, t);
    expect(render([first!])).toEqual(['⚠ win11 — Shut off >', '  Play', '  [x] Stop', '  [x] Force off', '  [x] Open Looking Glass', '  ---', '  Details…', '  What went wrong?']);
    expect(first!.kind === 'submenu' && first!.items.at(-1)).toMatchObject({ action: { type: 'troubleshoot', vm: 'win11' } });
    // A crashed VM and a failed Looking Glass count too; libvirt unreachable as well.
    expect(trayIconState(state({ domains: { domains: [vm('a', 'crashed')], error: null } }))).toBe('attention');
    expect(trayIconState(state({ domains: { domains: [vm('a', 'running')], error: null }, lg: { clients: [lg('a', 'failed')] } }))).toBe('attention');
    const down = state({ domains: { domains: [], error: { kind: 'connect', message: 'x', hint: 'y' } } });
    expect(trayIconState(down)).toBe('attention');
    expect(render(buildTrayMenu(down, t))[0]).toBe('libvirt cannot be reached — open Vitrine');
  });

  it('Looking Glass open: its state in the label, no second Open; a task in progress disables Play and Stop', () => {
    const open = state({ domains: { domains: [vm('win11', 'running')], error: null }, lg: { clients: [lg('win11', 'waiting-for-guest')] } });
    expect(trayIconState(open)).toBe('running');
    expect(render(buildTrayMenu(open, t)).slice(0, 5)).toEqual(['● win11 — Waiting for Windows >', '  [x] Play', '  Stop', '  Force off', '  [x] Open Looking Glass']);
    const busy = state({ domains: { domains: [vm('win11', 'shut-off')], error: null }, tasks: { tasks: [task('win11', 'play', 'running')] } });
    expect(render(buildTrayMenu(busy, t)).slice(0, 3)).toEqual(['win11 — starting… >', '  [x] Play', '  [x] Stop']);
  });

  it('before the first listing it says it is asking', () => {
    expect(render(buildTrayMenu(state({ domains: null }), t))[0]).toBe('[x] Asking libvirt…');
  });

  it('is translated', () => {
    const fr = translator('fr');
    expect(render(buildTrayMenu(state(), fr))).toEqual(['Pas encore de VM — en créer une…', '---', 'Ouvrir Vitrine', '☐ Lancer à l’ouverture de session', '---', 'Quitter Vitrine']);
    expect(systemLanguage(null, { LANG: 'fr_FR.UTF-8' })).toBe('fr');
    expect(systemLanguage('en', { LANG: 'fr_FR.UTF-8' })).toBe('en');
  });
});

describe('notifications', () => {
  it('for a task that finished or failed, once, and a failed Looking Glass', () => {
    const before = state({ tasks: { tasks: [task('win11', 'play', 'running')] } });
    const done = state({ tasks: { tasks: [task('win11', 'play', 'done')] } });
    expect(notificationsBetween(before, done, t)).toEqual([{ title: 'win11 is ready', body: 'Running.', action: { type: 'open-vm', vm: 'win11' }, urgent: false }]);
    expect(notificationsBetween(done, done, t)).toEqual([]);
    const failed = state({ tasks: { tasks: [task('win11', 'play', 'failed')] } });
    expect(notificationsBetween(before, failed, t)[0]).toMatchObject({ title: 'win11 could not start', body: 'It broke. Click to see why and how to fix it.', action: { type: 'troubleshoot', vm: 'win11' }, urgent: true });
    const lgFailed = notificationsBetween(state({ lg: { clients: [lg('win11', 'running')] } }), state({ lg: { clients: [lg('win11', 'failed')] } }), t);
    expect(lgFailed).toEqual([expect.objectContaining({ title: 'Looking Glass failed for win11', action: { type: 'troubleshoot', vm: 'win11' } })]);
  });
});

describe('start at login (XDG autostart)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-autostart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in $XDG_CONFIG_HOME/autostart', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/home/u/.cfg' })).toBe('/home/u/.cfg/autostart/io.github.vitrine.Vitrine.desktop');
    expect(autostartFile({ HOME: '/home/u' })).toBe('/home/u/.config/autostart/io.github.vitrine.Vitrine.desktop');
  });

  it('starts the AppImage, else the installed command, hidden in the tray', () => {
    expect(launchCommand({ APPIMAGE: '/home/u/Apps/Vitrine 1.AppImage' })).toEqual(['/home/u/Apps/Vitrine 1.AppImage']);
    expect(launchCommand({}, '/opt/Vitrine/vitrine', '/nonexistent')).toEqual(['/opt/Vitrine/vitrine']);
    expect(autostartEntry(['/home/u/Apps/Vitrine 1.AppImage'])).toContain('Exec="/home/u/Apps/Vitrine 1.AppImage" --hidden\n');
    expect(quoteExecArg('a"b$c%d')).toBe('"a\\"b\\$c%%d"');
  });

  it('writes the entry and removes it', async () => {
    const file = join(dir, 'autostart', 'io.github.vitrine.Vitrine.desktop');
    await setStartAtLogin(true, ['/usr/bin/vitrine'], file);
    expect(readFileSync(file, 'utf8')).toBe(autostartEntry(['/usr/bin/vitrine']));
    expect(readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    await setStartAtLogin(false, ['/usr/bin/vitrine'], file);
    expect(existsSync(file)).toBe(false);
  });
});
