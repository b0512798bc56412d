import type { AppInfo, AppSettings, Notice, DomainSummary, EventName, Events, FolderListing, HandoverView, HostCheck, Monitor, Task, VmDefaults, VmSpec } from '../../shared/api';
import { vmDefaults } from '../libvirt/vm-defaults';
import { WizardStore } from '../state/wizard';
import { join, resolve } from 'node:path';
import { launchCommand, setStartAtLogin } from '../desktop/autostart';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { DEFAULT_ROOTS, type HostRoots } from '../host/roots';
import { scanHost } from '../host/scan';
import { findGpuHolders, handoverSteps, sshServerRuns } from '../host/gpu-holders';
import { slotOf } from '../host/verdicts';
import { cacheDir, dataDir } from '../common/xdg';
import { DiagnoseService } from '../diagnose/service';
import type { VmService } from '../libvirt/vm-service';
import { SetupService } from '../setup/service';
import { elevationFor } from '../setup/elevation';
import { homedir, userInfo } from 'node:os';
import { listDomains } from '../libvirt/domains';
import { VERSION } from '../common/version';
import { LookingGlassService } from '../lookingglass/service';
import { savedLibvirtUri, SettingsStore } from '../state/settings';
import { TaskTracker } from '../state/tasks';
import { takeNotices } from '../state/notices';
import { checkedLibvirtUri as checkedUri, resolveLibvirtUri as resolveUri } from './libvirt-uri';
import { listFolder } from '../common/files';
import { openConsole } from '../libvirt/console';
import { createVmTask } from '../libvirt/create-task';
import { hostPreparation, type HostPreparation } from './host-preparation';
import { createCore } from './core';
import { hostCheck } from './host-check';

export { DEFAULT_LIBVIRT_URI } from './libvirt-uri';

/** For each event of the contract: subscribe a listener, get an unsubscribe back. */
export type EventSources = { [E in EventName]: (listener: (payload: Events[E]) => void) => () => void };

export interface Services {
  info(): AppInfo;
  /** What to tell the user once (a settings or wizard file kept aside), handed out once. */
  notices(): Notice[];
  listDomains(): Promise<DomainSummary[]>;
  /** Scan the host and build the readiness checklist. */
  hostCheck(): Promise<HostCheck>;
  /** What holds a GPU (its whole card) and what the handover hook will do for it. */
  hostHandover(gpu: string): Promise<HandoverView>;
  vm: VmService;
  diagnose: DiagnoseService;
  setup: SetupService;
  lookingGlass: LookingGlassService;
  settings: SettingsStore;
  tasks: TaskTracker;
  monitors(): Promise<Monitor[]>;
  /** Change settings; `startAtLogin` also writes or removes the autostart entry. */
  updateSettings(patch: Partial<AppSettings>): Promise<AppSettings>;
  /** Ask the window to show a page (the tray's "Details…"). */
  navigate(path: string): void;
  wizard: WizardStore;
  vmDefaults(): Promise<VmDefaults>;
  /** Create a game VM as a task (check, disk, define), cancellable until it is defined. */
  createVm(spec: VmSpec): Promise<Task>;
  /** Open the VM's display in virt-viewer. */
  openConsole(name: string): Promise<{ viewer: string }>;
  /** A folder for the file picker, as this user sees it. */
  listFolder(dir: string, extension?: string): Promise<FolderListing>;
  /** Host preparation (on `setup.root`): plan with diffs, apply as a task, change sets, undo. */
  hostPreparation: HostPreparation;
  events: EventSources;
  /** Stop the event stream, end the ready virsh and close the Looking Glass clients. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  libvirtUri: string;
  mode: AppInfo['mode'];
  /** Where the host scanner reads (fixture trees in tests). */
  hostRoots?: HostRoots;
  /** Apply host changes under this folder instead of / (tests, dry runs). */
  setupRoot?: string;
  /** The desktop's monitors: Electron's screen API in the shell; xrandr otherwise. */
  monitors?: () => Promise<Monitor[]>;
  /** Use this looking-glass-client instead of the setting (the CLI's --client). */
  clientPath?: string | null;
  /** Where settings.json lives (tests); default $XDG_CONFIG_HOME/vitrine. */
  configDir?: string;
  /** Keep a virsh started and connected for the next read: the app (`vitrine serve`, Electron), which lives long; not one CLI command. */
  keepVirshReady?: boolean;
}

/** Pick the libvirt URI: the --connect flag, then VITRINE_LIBVIRT_URI, then the Settings choice, then qemu:///system. */
export function resolveLibvirtUri(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, saved: () => string | null = savedLibvirtUri): string {
  return resolveUri(flag, env, saved);
}

/** The URI to use, checked: a typo or a transport Vitrine does not use is refused before anything connects. */
export function checkedLibvirtUri(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, saved: () => string | null = savedLibvirtUri): string {
  return checkedUri(flag, env, saved);
}

/** Wire the services once per process; the CLI, `vitrine serve` and Electron all use this. */
export function createServices(options: ServicesOptions): Services {
  const { virsh, watcher, lifecycle, vm, settings, tasks, monitors, lookingGlass, close } = createCore(options);
  const navigation = new Set<(request: { path: string; at: number }) => void>();
  const roots = options.hostRoots ?? DEFAULT_ROOTS;
  // A scratch root's plan reads its own etc/, never this machine's /etc (as `vitrine setup … --root` does).
  const scratch = options.setupRoot !== undefined && resolve(options.setupRoot) !== '/' ? resolve(options.setupRoot) : null;
  const setup = new SetupService(dataDir(), scratch && roots.etc === DEFAULT_ROOTS.etc ? { ...roots, etc: join(scratch, 'etc') } : roots, elevationFor(options.setupRoot));
  return {
    wizard: new WizardStore(dataDir(), join(roots.proc, 'sys', 'kernel', 'random', 'boot_id')),
    vmDefaults: async () => {
      const [domains, screens, s] = await Promise.all([listDomains(virsh).catch(() => []), monitors().catch(() => []), settings.get()]);
      return vmDefaults(options.libvirtUri, screens, new Set(domains.map((d) => d.name)), s.fallbackResolution);
    },
    lookingGlass,
    settings,
    tasks,
    monitors,
    updateSettings: async (patch) => {
      if (patch.startAtLogin !== undefined) {
        const command = launchCommand();
        if (patch.startAtLogin && options.mode !== 'electron' && command[0] === process.execPath) {
          throw VitrineError.of('not-installed', msg('error.app.notInstalled'), msg('error.app.notInstalledHint'));
        }
        await setStartAtLogin(patch.startAtLogin, command);
      }
      return settings.set(patch);
    },
    navigate: (path) => {
      for (const listener of [...navigation]) listener({ path, at: Date.now() });
    },
    createVm: (spec) => createVmTask(vm, tasks, spec),
    openConsole: (name) => openConsole(virsh, name),
    listFolder: (dir, extension) => listFolder(dir, extension),
    hostPreparation: hostPreparation(setup, tasks),
    vm,
    diagnose: new DiagnoseService(options.libvirtUri, lifecycle, options.hostRoots ?? DEFAULT_ROOTS, (name) => lookingGlass.clientLog(name)),
    setup,
    notices: () => takeNotices(),
    info: () => ({ version: VERSION, libvirtUri: options.libvirtUri, mode: options.mode, user: userInfo().username, home: homedir() }),
    listDomains: () => listDomains(virsh),
    hostCheck: () => hostCheck(options.libvirtUri, options.hostRoots ?? DEFAULT_ROOTS, cacheDir()),
    hostHandover: async (gpu) => {
      const roots = options.hostRoots ?? DEFAULT_ROOTS;
      const report = await scanHost(roots);
      const device = report.devices.find((d) => d.address === gpu);
      if (!device) throw VitrineError.of('unknown-device', msg('error.app.unknownDevice', { address: gpu }), msg('error.app.unknownDeviceHint'));
      const functions = report.devices.filter((d) => slotOf(d.address) === slotOf(gpu)).map((d) => d.address);
      const holders = await findGpuHolders(roots, functions, device.bootVga === true);
      const { stop, blockers } = handoverSteps(holders);
      return { holders, steps: stop, blockers, sshServer: await sshServerRuns(roots) };
    },
    events: {
      'domains.changed': (listener) => watcher.subscribe(listener),
      'lg.status': (listener) => lookingGlass.subscribe(listener),
      'task.progress': (listener) => tasks.subscribe(listener),
      'app.navigate': (listener) => {
        navigation.add(listener);
        return () => navigation.delete(listener);
      },
    },
    close,
  };
}
