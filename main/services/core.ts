import type { Monitor } from '../../shared/api';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { cacheDir, dataDir } from '../common/xdg';
import { DEFAULT_ROOTS, type HostRoots } from '../host/roots';
import { xrandrMonitors } from '../host/monitors';
import { DomainWatcher } from '../libvirt/domain-watcher';
import { Lifecycle } from '../libvirt/lifecycle';
import { Virsh } from '../libvirt/virsh';
import { hostFacts, VmService } from '../libvirt/vm-service';
import { LookingGlassService } from '../lookingglass/service';
import { SettingsStore } from '../state/settings';
import { TaskTracker } from '../state/tasks';

/** What the core needs of ServicesOptions (services/index.ts). */
export interface CoreOptions {
  libvirtUri: string;
  hostRoots?: HostRoots;
  monitors?: () => Promise<Monitor[]>;
  clientPath?: string | null;
  configDir?: string;
  /** Keep a virsh started and connected for the next read (the app: `vitrine serve`, Electron), not for one CLI command. */
  keepVirshReady?: boolean;
}

/**
 * The services Play runs on: libvirt (virsh, the domain watcher, the
 * lifecycle, the VMs), the settings, the tasks, the monitors and Looking
 * Glass. createServices builds everything else over this very core; `vitrine
 * play` builds only this, so that it does not load host preparation, the
 * host scan or the troubleshooter to start a VM.
 */
export function createCore(options: CoreOptions) {
  const virsh = new Virsh({ uri: options.libvirtUri, keepReady: options.keepVirshReady ?? false });
  const watcher = new DomainWatcher(virsh);
  const lifecycle = new Lifecycle({ virsh, dataDir: dataDir() });
  const hostDevices = join((options.hostRoots ?? DEFAULT_ROOTS).sys, 'bus', 'pci', 'devices');
  const vm = new VmService(virsh, lifecycle, (address) => access(join(hostDevices, address)).then(() => true, () => false), hostFacts(options.hostRoots ?? DEFAULT_ROOTS));
  const settings = new SettingsStore(options.configDir);
  const tasks = new TaskTracker();
  const monitors = options.monitors ?? (() => xrandrMonitors());
  const lookingGlass = new LookingGlassService({
    ...(options.hostRoots ? { hostRoots: options.hostRoots } : {}),
    virsh,
    vm,
    settings,
    tasks,
    monitors,
    domains: (listener) => watcher.subscribe(listener),
    dataDir: dataDir(),
    cacheDir: cacheDir(),
    user: userInfo().username,
    ...(options.clientPath !== undefined ? { clientPath: options.clientPath } : {}),
  });
  return {
    virsh,
    watcher,
    lifecycle,
    vm,
    settings,
    tasks,
    monitors,
    lookingGlass,
    /** Stop the event stream, end the ready virsh and close the Looking Glass clients. */
    close: async (): Promise<void> => {
      await lookingGlass.closeAll();
      watcher.close();
      virsh.close();
    },
  };
}

export type Core = ReturnType<typeof createCore>;
