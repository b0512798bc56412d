import { app, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../api/registry';
import { electronMonitors } from './screen';
import { createServices, resolveLibvirtUri } from '../services';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { hardenApp } from './security';
import { createMainWindow } from './window';
import { registerIpc } from './ipc';

/** The Electron entry point (out/main/index.js). */
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadPath = join(here, '..', 'preload', 'index.cjs');

// One Vitrine per session: a second launch focuses the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  registerAppScheme();
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  void app.whenReady().then(() => {
    hardenApp();
    handleAppProtocol(rendererDir);
    const services = createServices({ libvirtUri: resolveLibvirtUri(undefined), mode: 'electron', monitors: electronMonitors });
    registerIpc(createRegistry(services), services.events, () => mainWindow);
    mainWindow = createMainWindow(preloadPath);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    app.on('before-quit', () => void services.close());
    app.on('window-all-closed', () => app.quit());
  });
}
