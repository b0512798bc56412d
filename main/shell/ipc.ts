import { ipcMain, type BrowserWindow } from 'electron';
import type { Channel, EventName } from '../../shared/api';
import { EVENT_NAMES } from '../../shared/event-fanout';
import { msg } from '../../shared/i18n/message';
import { errorInfo } from '../common/errors';
import type { Registry } from '../api/registry';
import type { EventSources } from '../services/index';
import { isTrustedSender } from './security';

/**
 * Register one ipcMain handler per request of the contract. Each checks the
 * sender frame before the registry validates the arguments.
 */
export function registerIpc(registry: Registry, events: EventSources, window: () => BrowserWindow | null): void {
  for (const channel of registry.channels() as Channel[]) {
    ipcMain.handle(channel, (event, args: unknown) => {
      if (!isTrustedSender(event.senderFrame)) {
        return { ok: false, error: errorInfo('forbidden', msg('error.forbidden'), msg('error.forbiddenHint')) };
      }
      return registry.dispatch(channel, args);
    });
  }

  // Once the page's preload is listening, push every event to it. A reload
  // sends 'events.ready' again: the old subscriptions are dropped first.
  let unsubscribes: (() => void)[] = [];
  const unsubscribeAll = (): void => {
    unsubscribes.forEach((unsubscribe) => unsubscribe());
    unsubscribes = [];
  };
  ipcMain.on('events.ready', (event) => {
    const win = window();
    if (!win || event.sender !== win.webContents || !isTrustedSender(event.senderFrame)) return;
    unsubscribeAll();
    if (!closeHooked.has(win)) {
      closeHooked.add(win);
      win.once('closed', unsubscribeAll);
    }
    unsubscribes = EVENT_NAMES.map((name: EventName) =>
      events[name]((payload) => {
        if (!win.isDestroyed()) win.webContents.send(name, payload);
      }),
    );
  });
}

const closeHooked = new WeakSet<BrowserWindow>();
