import type { Transport, VitrineApi } from './api';

/**
 * Build the named-method API over a transport. Written out method by method so
 * that nothing generic (no `invoke(channel)`) ever reaches the page.
 */
export function makeApi(transport: Transport): VitrineApi {
  return {
    app: {
      info: () => transport.request('app.info', undefined),
      onNavigate: (listener) => transport.subscribe('app.navigate', listener),
    },
    domains: {
      list: () => transport.request('domains.list', undefined),
      onChanged: (listener) => transport.subscribe('domains.changed', listener),
    },
    host: {
      check: () => transport.request('host.check', undefined),
    },
    vm: {
      details: (name) => transport.request('vm.details', { name }),
      start: (name) => transport.request('vm.start', { name }),
      shutdown: (name, timeoutSeconds) => transport.request('vm.shutdown', timeoutSeconds === undefined ? { name } : { name, timeoutSeconds }),
      forceOff: (name) => transport.request('vm.forceOff', { name }),
      previewEdits: (name, edits) => transport.request('vm.previewEdits', { name, edits }),
      applyEdits: (name, edits) => transport.request('vm.applyEdits', { name, edits }),
      history: (name) => transport.request('vm.history', { name }),
      restore: (name, id) => transport.request('vm.restore', { name, id }),
    },
    diagnose: {
      run: (name, texts) => transport.request('diagnose.run', name === null ? { texts } : { name, texts }),
      search: (query) => transport.request('diagnose.search', { query }),
    },
    setup: {
      plan: (request) => transport.request('setup.plan', request),
      apply: () => transport.request('setup.apply', undefined),
      changes: () => transport.request('setup.changes', undefined),
      rollback: (id) => transport.request('setup.rollback', { id }),
    },
    lg: {
      launchInfo: (name) => transport.request('lg.launchInfo', { name }),
      open: (name) => transport.request('lg.open', { name }),
      close: (name) => transport.request('lg.close', { name }),
      onStatus: (listener) => transport.subscribe('lg.status', listener),
    },
    play: {
      start: (name) => transport.request('vm.play', { name }),
      stop: (name) => transport.request('vm.stop', { name }),
      onProgress: (listener) => transport.subscribe('task.progress', listener),
    },
    wizard: {
      get: () => transport.request('wizard.get', undefined),
      set: (patch) => transport.request('wizard.set', patch),
      vmDefaults: () => transport.request('vm.defaults', undefined),
      createVm: (spec) => transport.request('vm.create', spec),
      openConsole: (name) => transport.request('vm.console', { name }),
      listFiles: (dir, extension) => transport.request('files.list', extension === undefined ? { dir } : { dir, extension }),
      cancelTask: (id) => transport.request('task.cancel', { id }),
    },
    settings: {
      get: () => transport.request('settings.get', undefined),
      set: (patch) => transport.request('settings.set', patch),
      monitors: () => transport.request('monitors.list', undefined),
    },
  };
}
