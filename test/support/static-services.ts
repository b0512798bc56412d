import type { DomainsSnapshot, DomainSummary } from '../../shared/api';
import { VitrineError } from '../../main/common/errors';
import type { Services } from '../../main/services/index';
import { Lifecycle } from '../../main/libvirt/lifecycle';
import { Virsh } from '../../main/libvirt/virsh';
import { VmService } from '../../main/libvirt/vm-service';
import { DiagnoseService } from '../../main/diagnose/service';
import { DEFAULT_ROOTS } from '../../main/host/roots';
import { SetupService } from '../../main/setup/service';
import { scratchRootElevation } from '../../main/setup/elevation';
import { LookingGlassService } from '../../main/lookingglass/service';
import { SettingsStore } from '../../main/state/settings';
import { TaskTracker } from '../../main/state/tasks';
import { WizardStore } from '../../main/state/wizard';
import { hostPreparation } from '../../main/services/host-preparation';
import { createVmTask } from '../../main/libvirt/create-task';
import { listFolder } from '../../main/common/files';

/**
 * Services over fixed data, for tests of the transport layers (registry,
 * serve) that must not depend on libvirt. Each call answers from the data.
 */
export function staticServices(domains: DomainSummary[] | VitrineError): Services {
  const virsh = new Virsh({ uri: 'test:///static', binary: '/nonexistent/virsh' });
  const lifecycle = new Lifecycle({ virsh, dataDir: '/nonexistent' });
  const snapshot: DomainsSnapshot =
    domains instanceof VitrineError ? { domains: [], error: domains.toInfo() } : { domains, error: null };
  const vm = new VmService(virsh, lifecycle);
  const settings = new SettingsStore('/nonexistent/config');
  const tasks = new TaskTracker();
  const domainEvents = (listener: (s: DomainsSnapshot) => void): (() => void) => {
    listener(snapshot);
    return () => undefined;
  };
  const setup = new SetupService('/nonexistent', DEFAULT_ROOTS, scratchRootElevation('/nonexistent'));
  const lookingGlass = new LookingGlassService({ virsh, vm, settings, tasks, monitors: async () => [], domains: domainEvents, dataDir: '/nonexistent', user: 'tester' });
  return {
    notices: () => [],
    info: () => ({ version: '0.0.0-test', libvirtUri: 'test:///static', mode: 'serve', user: 'tester', home: '/home/tester' }),
    listDomains: async () => {
      if (domains instanceof VitrineError) throw domains;
      return domains;
    },
    // Only the pure parts are reached from these tests (search, diagnosing given texts).
    vm,
    lookingGlass,
    settings,
    tasks,
    monitors: async () => [],
    updateSettings: (patch) => settings.set(patch),
    wizard: new WizardStore('/nonexistent', '/nonexistent/boot_id'),
    vmDefaults: async () => {
      throw new VitrineError({ kind: 'not-available', message: 'No host in these tests.', hint: 'Use a fixture host.' });
    },
    navigate: () => undefined,
    diagnose: new DiagnoseService('test:///static', lifecycle, DEFAULT_ROOTS),
    setup,
    hostPreparation: hostPreparation(setup, tasks),
    createVm: (spec) => createVmTask(vm, tasks, spec),
    openConsole: async () => {
      throw new VitrineError({ kind: 'not-available', message: 'No display in these tests.', hint: 'Use a session libvirt.' });
    },
    listFolder: (dir, extension) => listFolder(dir, extension),
    hostCheck: async () => {
      throw new VitrineError({ kind: 'not-available', message: 'No host in these tests.', hint: 'Use a fixture host.' });
    },
    hostHandover: async () => {
      throw new VitrineError({ kind: 'not-available', message: 'No host in these tests.', hint: 'Use a fixture host.' });
    },
    events: {
      'domains.changed': domainEvents,
      'lg.status': (listener) => lookingGlass.subscribe(listener),
      'task.progress': (listener) => tasks.subscribe(listener),
      'app.navigate': () => () => undefined,
    },
    close: async () => undefined,
  };
}

export const SAMPLE_DOMAIN: DomainSummary = {
  name: 'win11',
  uuid: '11111111-2222-3333-4444-555555555555',
  state: 'shut-off',
  id: null,
  persistent: true,
  autostart: false,
};
