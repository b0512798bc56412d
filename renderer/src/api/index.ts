import type { VitrineApi } from '../../../shared/api';
import { makeApi } from '../../../shared/make-api';
import { createWebSocketTransport } from './ws-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser on `vitrine serve`. */
    vitrine?: VitrineApi;
  }
}

/** The API: Electron's preload bridge, or the same methods over vitrine serve's WebSocket. */
export const api: VitrineApi =
  window.vitrine ?? makeApi(createWebSocketTransport(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`));
