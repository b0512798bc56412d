import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Channel, Transport } from '../shared/api';
import { EVENT_NAMES, EventFanout } from '../shared/event-fanout';
import { makeApi } from '../shared/make-api';

const fanout = new EventFanout();
for (const name of EVENT_NAMES) {
  ipcRenderer.on(name, (_event: IpcRendererEvent, payload: unknown) => fanout.emit(name, payload as never));
}

/** Electron IPC as a transport; only the named methods of makeApi reach the page. */
const ipcTransport: Transport = {
  request: (channel: Channel, args: unknown) => ipcRenderer.invoke(channel, args),
  subscribe: (event, listener) => fanout.subscribe(event, listener),
};

contextBridge.exposeInMainWorld('vitrine', makeApi(ipcTransport));

// Main starts pushing events to this page once its listeners are in place.
ipcRenderer.send('events.ready');
