import { app, Menu, nativeImage, Notification, Tray, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { DomainsSnapshot, LgSnapshot, TasksSnapshot } from '../../shared/api';
import { buildTrayMenu, notificationsBetween, trayIconState, trayTooltip, type TrayAction, type TrayItem, type TrayState } from '../desktop/tray-menu';
import { systemLanguage, translator } from '../desktop/texts';
import type { Services } from '../services/index';

/**
 * The tray icon and menu: drawn from buildTrayMenu (main/desktop/tray-menu.ts)
 * whenever domains.changed, lg.status or task.progress fire — never polled.
 */
export function createTray(services: Services, iconDir: string, showWindow: (path?: string) => void): Tray {
  let state: TrayState = { domains: null, lg: { clients: [] }, tasks: { tasks: [] }, startAtLogin: false };
  const icon = (name: string) => nativeImage.createFromPath(join(iconDir, `tray-${name}.png`));
  const tray = new Tray(icon('idle'));
  let language: 'en' | 'fr' = systemLanguage(null);

  const run = (action: TrayAction): void => {
    switch (action.type) {
      case 'play':
        void services.lookingGlass.play(action.vm);
        break;
      case 'stop':
        void services.lookingGlass.stop(action.vm);
        break;
      case 'force-off':
        void services.vm.forceOff(action.vm).catch(() => undefined);
        break;
      case 'open-lg':
        void services.lookingGlass.open(action.vm).catch(() => showWindow(`/machines/${encodeURIComponent(action.vm)}`));
        break;
      case 'open-vm':
        showWindow(`/machines/${encodeURIComponent(action.vm)}`);
        break;
      case 'troubleshoot':
        showWindow(`/troubleshoot?vm=${encodeURIComponent(action.vm)}`);
        break;
      case 'open-app':
        showWindow();
        break;
      case 'toggle-start-at-login':
        void services.updateSettings({ startAtLogin: !state.startAtLogin }).then((s) => update({ startAtLogin: s.startAtLogin }));
        break;
      case 'quit':
        app.quit();
        break;
    }
  };

  const toElectron = (items: TrayItem[]): MenuItemConstructorOptions[] =>
    items.map((item): MenuItemConstructorOptions => {
      switch (item.kind) {
        case 'separator':
          return { type: 'separator' };
        case 'checkbox':
          return { type: 'checkbox', label: item.label, checked: item.checked, click: () => run(item.action) };
        case 'submenu':
          return { label: item.label, submenu: toElectron(item.items) };
        case 'item':
          return { label: item.label, enabled: item.enabled, ...(item.action ? { click: () => run(item.action!) } : {}) };
      }
    });

  const update = (patch: Partial<TrayState>): void => {
    const before = state;
    state = { ...state, ...patch };
    const t = translator(language);
    tray.setImage(icon(trayIconState(state)));
    tray.setToolTip(trayTooltip(state, t));
    tray.setContextMenu(Menu.buildFromTemplate(toElectron(buildTrayMenu(state, t))));
    if (Notification.isSupported()) {
      for (const n of notificationsBetween(before, state, t)) {
        const note = new Notification({ title: n.title, body: n.body, urgency: n.urgent ? 'critical' : 'normal' });
        note.on('click', () => run(n.action));
        note.show();
      }
    }
  };

  void services.settings.get().then((s) => {
    language = systemLanguage(s.language);
    update({ startAtLogin: s.startAtLogin });
  });
  services.events['domains.changed']((domains: DomainsSnapshot) => update({ domains }));
  services.events['lg.status']((lg: LgSnapshot) => update({ lg }));
  services.events['task.progress']((tasks: TasksSnapshot) => update({ tasks }));
  tray.on('click', () => showWindow());
  return tray;
}

/** Closing the window keeps Vitrine in the tray; the first time, say so. */
export function keepInTrayOnClose(window: BrowserWindow, services: Services, isQuitting: () => boolean): void {
  window.on('close', (event) => {
    if (isQuitting()) return;
    event.preventDefault();
    window.hide();
    void services.settings.get().then((s) => {
      if (s.trayHintShown || !Notification.isSupported()) return;
      const t = translator(systemLanguage(s.language));
      new Notification({ title: t('tray.keptInTray'), body: t('tray.keptInTrayBody') }).show();
      void services.settings.set({ trayHintShown: true });
    });
  });
}
