import { BrowserWindow } from 'electron';
import { APP_ORIGIN } from './protocol';

/**
 * The main window. Every webPreferences line is an item of Electron's
 * security checklist: https://www.electronjs.org/docs/latest/tutorial/security
 */
export function createMainWindow(preloadPath: string, initialPath = '/'): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'Vitrine',
    show: false,
    backgroundColor: '#15171c',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true, // #3
      sandbox: true, // #4
      nodeIntegration: false, // #2
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true, // #6
      allowRunningInsecureContent: false, // #8
      experimentalFeatures: false, // #9
      enableBlinkFeatures: '', // #10
      webviewTag: false, // #12
      spellcheck: false,
      devTools: !process.env['VITRINE_NO_DEVTOOLS'],
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html#${initialPath}`);
  return window;
}
