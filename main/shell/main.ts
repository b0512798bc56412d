import { app, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../api/registry';
import { electronMonitors } from './screen';
import { createServices, resolveLibvirtUri } from '../services/index';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { hardenApp } from './security';
import { createMainWindow } from './window';
import { registerIpc } from './ipc';
import { createTray, keepInTrayOnClose } from './tray';

/** The Electron entry point (out/main/index.js). */
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'index.cjs');
/** Tray icons: in the package's resources, or assets/tray in a checkout. */
const trayDir = [join(process.resourcesPath ?? '', 'tray'), join(here, '..', '..', 'assets', 'tray')].find((d) => existsSync(d)) ?? '';
/** Started at login: stay in the tray without a window. */
const hidden = process.argv.includes('--hidden');

// One Vitrine per session: a second launch shows the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let quitting = false;
  registerAppScheme();

  void app.whenReady().then(() => {
    hardenApp();
    handleAppProtocol(rendererDir);
    const services = createServices({ libvirtUri: resolveLibvirtUri(undefined), mode: 'electron', monitors: electronMonitors, keepVirshReady: true });
    registerIpc(createRegistry(services), services.events, () => mainWindow);
    const showWindow = (path?: string): void => {
      const fresh = !mainWindow;
      if (!mainWindow) {
        mainWindow = createMainWindow(preloadPath, path);
        keepInTrayOnClose(mainWindow, services, () => quitting);
        mainWindow.on('closed', () => {
          mainWindow = null;
        });
      }
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.show();
      mainWindow.focus();
      if (path && !fresh) services.navigate(path);
    };
    app.on('second-instance', () => showWindow());
    createTray(services, trayDir, showWindow);
    if (!hidden) showWindow();
    app.on('before-quit', () => {
      quitting = true;
      void services.close();
    });
    // The tray keeps the app alive when its window is closed.
    app.on('window-all-closed', () => undefined);
  });
}
