import type { Transport, VitrineApi } from './api';

/**
 * Build the named-method API over a transport. Written out method by method so
 * that nothing generic (no `invoke(channel)`) ever reaches the page.
 */
export function makeApi(transport: Transport): VitrineApi {
  return {
    app: {
      info: () => transport.request('app.info', undefined),
    },
    domains: {
      list: () => transport.request('domains.list', undefined),
      onChanged: (listener) => transport.subscribe('domains.changed', listener),
    },
    host: {
      check: () => transport.request('host.check', undefined),
    },
  };
}
