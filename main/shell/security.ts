import { app, session, type WebContents, type WebFrameMain } from 'electron';
import { APP_ORIGIN, APP_SCHEME } from './protocol';

/** True for a URL of the app's own origin (app://vitrine/…). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * IPC sender check: only the top frame of our own page may call the API.
 * https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isTrustedSender(frame: WebFrameMain | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/**
 * App-wide hardening, from Electron's security checklist:
 * - no navigation away from app:// and no new windows (#13, #14);
 * - no <webview> (#12);
 * - every permission request denied (#5);
 * - nothing loaded from anywhere but app:// (and devtools) (#1).
 */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const scheme = details.url.split(':', 1)[0];
    callback({ cancel: !(scheme === APP_SCHEME || scheme === 'devtools') });
  });
}
