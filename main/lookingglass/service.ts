import { join } from 'node:path';
import { waitForFile } from '../common/wait-file';
import type { ClientInfo, ClientLaunch, ClientSetup, DomainsSnapshot, ErrorInfo, LgSnapshot, LgStatus, LookingGlassVmSettings, MemoryProblem, Monitor, Task, VmCard, VmDetails } from '../../shared/api';
import { errorInfo, toErrorInfo, VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { liveXmlArgs } from '../libvirt/batch';
import { getDomain } from '../libvirt/domains';
import type { BatchResult, Virsh } from '../libvirt/virsh';
import type { VmService } from '../libvirt/vm-service';
import { parseDomainXml } from '../libvirt/xml/document';
import type { SettingsStore } from '../state/settings';
import type { TaskTracker } from '../state/tasks';
import { buildClientArgv, checkArgv } from './argv';
import { describeClient, inspectClient } from './client';
import { checkMemory, currentUser, KVMFR_DEVICE, memoryTarget, neededMiB, SHM_DIR, type UserIdentity } from './memory';
import { defaultResolution, pickMonitor } from '../host/monitors';
import { osFamily } from '../host/environment';
import { readText } from '../host/fs-read';
import { DEFAULT_ROOTS, hostPath, type HostRoots } from '../host/roots';
import { LG_CLIENT_INSTALL } from '../../shared/lg-install';
import { spiceEndpoint } from './spice';
import { ClientSupervisor, said } from './supervisor';
import { STOP_TIMEOUT_SECONDS } from '../../shared/enums';

export interface LookingGlassServiceOptions {
  virsh: Virsh;
  vm: VmService;
  settings: SettingsStore;
  tasks: TaskTracker;
  /** The desktop's monitors (Electron's screen API, or xrandr). */
  monitors: () => Promise<Monitor[]>;
  /** The live domain list, to close a client when its VM stops. */
  domains: (listener: (snapshot: DomainsSnapshot) => void) => () => void;
  /** Where each client's output is kept for the troubleshooter: DIR/lg/NAME.log. */
  dataDir: string;
  /** Where the client's release, once read, is kept between runs (see probeRelease). */
  cacheDir?: string;
  user: string;
  /** Overrides the client setting (the CLI's --client). */
  clientPath?: string | null;
  /** Where /etc/os-release is read (the distribution family for the install advice). */
  hostRoots?: HostRoots;
  /** Test seams: where the memory lives, and who the client runs as. */
  shmDir?: string;
  kvmfrDevice?: string;
  kvmfrParams?: string;
  identity?: UserIdentity;
  /** Supervisor tuning (tests use short waits). */
  backoffMs?: number[];
  /** How long to wait for QEMU to create the memory file after a start. */
  memoryWaitMs?: number;
}

/** A VM's Looking Glass settings, the resolution defaulting to the monitor's. */
export function effectiveSettings(details: Pick<VmDetails, 'resolution' | 'lookingGlassSettings'>, monitors: Monitor[], fallback: { width: number; height: number } | null): LookingGlassVmSettings {
  return { resolution: details.resolution ?? defaultResolution(monitors, fallback), ...details.lookingGlassSettings };
}

/**
 * What a caller already read about a VM, handed down so that nothing is asked
 * of virsh twice (Play: one dominfo, one dumpxml, the start, one live dumpxml).
 */
export interface KnownVm {
  details?: VmDetails;
  /** The running domain's XML (libvirt's picks: the SPICE port), read after it started. */
  liveXml?: string;
  /** The installed client as Play's checks found it (its release probe is a process: not run twice in one Play). */
  client?: ClientInfo;
  /** The desktop's monitors as Play's checks read them. */
  monitors?: Monitor[];
}

/** Whether a domain's XML is the running domain's: libvirt gives it an id (`<domain type='kvm' id='3'>`). */
function isLiveXml(xml: string): boolean {
  const root = xml.match(/<domain\b[^>]*>/);
  return root !== null && /\sid=['"]\d+['"]/.test(root[0]);
}

/** A name vm.details would refuse (vm.cards checks each name itself; `issue`: what vmName says of it): that card's error, in the registry's words. */
function badName(issue: string): ErrorInfo {
  return errorInfo('invalid-argument', msg('error.invalid', { issues: [msg('error.issue', { field: msg('field.name'), problem: issue })] }), msg('error.invalidHint'));
}

/** Looking Glass for every VM: the launch command and its checks, the supervised clients, Play and Stop. */
/** A memory problem as the error Play and Open stop on: its message and fix, in both forms. */
function memoryError(problem: MemoryProblem): VitrineError {
  return new VitrineError({ kind: `lg-memory-${problem.kind}`, message: problem.message, hint: problem.fix, msg: { message: problem.msg.message, hint: problem.msg.fix } });
}

export class LookingGlassService {
  private readonly clients = new Map<string, { supervisor: ClientSupervisor; status: LgStatus }>();
  private readonly listeners = new Set<(snapshot: LgSnapshot) => void>();
  private unwatch: (() => void) | null = null;

  constructor(private readonly o: LookingGlassServiceOptions) {}

  private get identity(): UserIdentity {
    return this.o.identity ?? currentUser(this.o.user);
  }

  /** Where a VM's client output goes (its last run), for the troubleshooter. */
  clientLog(name: string): string {
    return join(this.o.dataDir, 'lg', `${encodeURIComponent(name)}.log`);
  }

  snapshot(): LgSnapshot {
    return { clients: [...this.clients.values()].map((c) => ({ ...c.status })) };
  }

  subscribe(listener: (snapshot: LgSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of [...this.listeners]) listener(snapshot);
  }

  /** The client Vitrine would run (the setting or PATH), its release's rules, and how to get it on this distribution. */
  async client(): Promise<ClientSetup> {
    const settings = await this.o.settings.get();
    const [info, osRelease] = await Promise.all([inspectClient(this.o.clientPath ?? settings.clientPath, this.identity.uid, this.o.cacheDir), readText(hostPath(this.o.hostRoots ?? DEFAULT_ROOTS, '/etc/os-release'))]);
    const os = osFamily(osRelease ?? '');
    return { ...info, install: { ...LG_CLIENT_INSTALL[os.family], family: os.family, distro: os.name } };
  }

  /**
   * The exact client command for a VM, with the memory and client checks,
   * following the installed client's release, or `release` when given (the
   * argv for a release without that client installed).
   */
  async launchInfo(name: string, release?: string, known: KnownVm = {}): Promise<ClientLaunch> {
    return (await this.prepare(name, release, known)).launch;
  }

  /**
   * The dashboard's cards: each VM's details and, for a VM with a PCI device,
   * its launchInfo, from one batched read (VmService.detailsMany) and one look
   * at the client and the monitors for all of them. Each card carries its own
   * error (the one vm.details or lg.launchInfo gives alone).
   */
  async cards(names: readonly string[]): Promise<VmCard[]> {
    // The request schemas load with the first cards, not with Play (which never shows them).
    const { vmName } = await import('../../shared/schemas');
    const valid = names.filter((name) => vmName.safeParse(name).success);
    const read = new Map((await this.o.vm.detailsMany(valid)).map((r) => [r.name, r]));
    const needed = [...read.values()].some((r) => r.details && r.details.pciDevices.length > 0);
    // Read once for every card (each launchInfo alone reads them again).
    const shared = needed ? Promise.all([this.installedClient(), this.o.monitors().catch(() => [] as Monitor[])]) : null;
    shared?.catch(() => undefined);
    return Promise.all(
      names.map(async (name): Promise<VmCard> => {
        const r = read.get(name);
        if (!r) return { name, details: { ok: false, error: badName(vmName.safeParse(name).error?.issues[0]?.message ?? '') }, launch: null };
        if (!r.details) return { name, details: { ok: false, error: toErrorInfo(r.error) }, launch: null };
        // The XML stays here: the card does not show it (fifty of them would weigh on the page).
        const details: Omit<VmDetails, 'xml'> & { xml?: string } = { ...r.details };
        delete details.xml;
        if (r.details.pciDevices.length === 0) return { name, details: { ok: true, value: details }, launch: null };
        try {
          const [client, monitors] = await shared!;
          const launch = await this.launchInfo(name, undefined, { details: r.details, client, monitors, ...(r.liveXml !== undefined ? { liveXml: r.liveXml } : {}) });
          return { name, details: { ok: true, value: details }, launch: { ok: true, value: launch } };
        } catch (error) {
          return { name, details: { ok: true, value: details }, launch: { ok: false, error: toErrorInfo(error) } };
        }
      }),
    );
  }

  /** The installed client, found through the settings (or --client). */
  private async installedClient(): Promise<ClientInfo> {
    const settings = await this.o.settings.get();
    return inspectClient(this.o.clientPath ?? settings.clientPath, this.identity.uid, this.o.cacheDir);
  }

  /** launchInfo, with the monitors it read (Play hands them to the open after the start). */
  private async prepare(name: string, release: string | undefined, known: KnownVm): Promise<{ launch: ClientLaunch; monitors: Monitor[] }> {
    const details = known.details ?? (await this.o.vm.details(name));
    const [settings, monitors] = await Promise.all([this.o.settings.get(), known.monitors ?? this.o.monitors().catch(() => [] as Monitor[])]);
    const lg = effectiveSettings(details, monitors, settings.fallbackResolution);
    const running = known.liveXml !== undefined || details.summary.state === 'running';
    const target = memoryTarget(details, this.o.shmDir ?? SHM_DIR, this.o.kvmfrDevice ?? KVMFR_DEVICE);
    const [installed, liveXml] = await Promise.all([
      known.client ?? inspectClient(this.o.clientPath ?? settings.clientPath, this.identity.uid, this.o.cacheDir),
      known.liveXml !== undefined ? Promise.resolve(known.liveXml) : running ? this.o.virsh.run(liveXmlArgs(name), { reads: true }) : Promise.resolve(details.xml),
    ]);
    const client = release === undefined ? installed : describeClient(installed.path, release, this.identity.uid, installed.problem);
    const memory = await checkMemory({ target, neededMiB: neededMiB(lg, client.rules), user: this.identity, phase: running ? 'running' : 'before-start', session: this.o.virsh.uri.includes('/session'), ...(this.o.kvmfrParams ? { kvmfrParams: this.o.kvmfrParams } : {}) });
    const spice = spiceEndpoint(parseDomainXml(liveXml));
    const monitor = pickMonitor(monitors, lg.resolution);
    const argv = buildClientArgv({ vm: name, shmFile: target?.path ?? join(this.o.shmDir ?? SHM_DIR, 'looking-glass'), settings: lg, monitor, spice, rules: client.rules });
    const bad = checkArgv(argv, client.rules);
    if (bad.length > 0) throw VitrineError.of('lg-argv', msg('lgError.badArgv', { argv: bad.join(' ') }), msg('lgError.badArgvHint'));
    const pending =
      spice.kind === 'pending'
        ? 'libvirt picks the SPICE port when the VM starts (autoport): spice:port=AUTO is replaced by it then.'
        : spice.kind === 'none'
          ? spice.reason
          : null;
    const pendingMsg = spice.kind === 'pending' ? msg('lgError.spiceAuto') : spice.kind === 'none' ? (spice.reasonMsg ?? null) : null;
    return { launch: { argv, settings: lg, monitor, memory, client, pending, pendingMsg }, monitors };
  }

  /** Open the Looking Glass window of a running VM and keep it open. */
  async open(name: string, known: KnownVm = {}): Promise<LgStatus> {
    const existing = this.clients.get(name);
    if (existing?.supervisor.active) return { ...existing.status };
    const info = await this.launchInfo(name, undefined, known);
    // The live XML read just now says whether it runs; else ask libvirt.
    const running = known.liveXml !== undefined ? isLiveXml(known.liveXml) : (await getDomain(this.o.virsh, name))?.state === 'running';
    if (!running) throw VitrineError.of('vm-not-running', msg('lgError.notRunning', { name }), msg('lgError.notRunningHint'));
    if (info.client.problem) throw new VitrineError(info.client.problem);
    const problem = info.memory.problems[0];
    if (problem) throw memoryError(problem);
    const supervisor = new ClientSupervisor({
      vm: name,
      command: info.client.path!,
      argv: info.argv,
      logFile: this.clientLog(name),
      ...(this.o.backoffMs ? { backoffMs: this.o.backoffMs } : {}),
      onStatus: (status) => {
        const entry = this.clients.get(name);
        if (entry?.supervisor === supervisor) {
          entry.status = { ...status, ask: entry.status.ask && status.state === 'closed' };
          this.emit();
        }
      },
      onUserClose: () => void this.userClosed(name),
    });
    this.clients.set(name, { supervisor, status: supervisor.status() });
    try {
      await supervisor.start();
    } finally {
      // The domain list is followed from now on (a VM that stops takes its client with it). Its virsh starts once the
      // client's start is reported (the next turn of the event loop: a process start blocks this thread for a while);
      // the watcher's first listing then sees a VM that stopped meanwhile.
      setImmediate(() => this.watch());
    }
    return { ...this.clients.get(name)!.status };
  }

  /** Close a VM's client (the VM keeps running). */
  async close(name: string): Promise<LgStatus | null> {
    const entry = this.clients.get(name);
    if (!entry) return null;
    await entry.supervisor.stop();
    entry.status = { ...entry.status, ask: false };
    this.emit();
    return { ...entry.status };
  }

  /** What closing the window while the VM runs does: the setting (ask, keep running, shut down). */
  private async userClosed(name: string): Promise<void> {
    const { onClientClose } = await this.o.settings.get();
    const entry = this.clients.get(name);
    if (!entry) return;
    if (onClientClose === 'shut-down') {
      entry.status = { ...entry.status, ...said(msg('lgStatus.closedShuttingDown')) };
      this.emit();
      await this.o.vm.shutdown(name).catch(() => undefined);
    } else if (onClientClose === 'ask') {
      entry.status = { ...entry.status, ask: true, ...said(msg('lgStatus.closedWhileRunning')) };
      this.emit();
    }
  }

  /** Follow the domain list while clients run: a VM that stops takes its client with it. */
  private watch(): void {
    // Nothing to follow once every client is closed (closeAll ran before this turn came, say).
    if (this.unwatch || ![...this.clients.values()].some((c) => c.supervisor.active)) return;
    this.unwatch = this.o.domains((snapshot) => void this.onDomains(snapshot));
  }

  private async onDomains(snapshot: DomainsSnapshot): Promise<void> {
    if (snapshot.error) return;
    for (const [name, entry] of this.clients) {
      if (!entry.supervisor.active && (entry.status.state === 'stopped' || entry.status.state === 'failed')) continue;
      const listed = snapshot.domains.find((d) => d.name === name);
      if (listed?.state === 'running') continue;
      // An older listing can arrive late: ask libvirt before closing anything.
      const now = await getDomain(this.o.virsh, name).catch(() => listed ?? null);
      if (now?.state === 'running') continue;
      if (entry.supervisor.active) await entry.supervisor.stop();
      entry.status = { ...entry.status, ask: false, state: 'stopped', pid: null, ...said(msg('lgStatus.vmStopped')) };
      this.emit();
    }
    if (![...this.clients.values()].some((c) => c.supervisor.active)) {
      this.unwatch?.();
      this.unwatch = null;
    }
  }

  /**
   * Preflight, start the VM, wait for it, open Looking Glass: each step
   * reported as progress. `read`: the VM's dominfo and definition being read
   * already in one virsh run (the CLI starts it while its code loads).
   */
  async play(name: string, read?: Promise<BatchResult | null>): Promise<Task> {
    if (this.o.tasks.running(name)) throw VitrineError.of('busy', msg('lgError.busy', { name }), msg('error.waitHint'));
    const task = this.o.tasks.begin('play', name, `Play ${name}`, [
      { id: 'vm', label: 'Check the VM' },
      { id: 'client', label: 'Find Looking Glass' },
      { id: 'memory', label: 'Check the shared memory' },
      { id: 'start', label: 'Start the VM' },
      { id: 'open', label: 'Open Looking Glass' },
    ], { cancellable: true });
    // What does not depend on the VM is read meanwhile: the client (its release probe may start it once) and the monitors.
    const early = Promise.all([this.installedClient(), this.o.monitors().catch(() => [] as Monitor[])]);
    early.catch(() => undefined);
    try {
      const details = await task.run('vm', () => this.o.vm.details(name, read), (d) =>
        d.pciDevices.length > 0
          ? msg('playStep.gpuAttached', { addresses: d.pciDevices.map((p) => p.address).join(', ') })
          : msg('playStep.noGpu'),
      );
      const [installed, monitors] = await early;
      const { launch: info } = await this.prepare(name, undefined, { details, client: installed, monitors });
      await task.run('client', async () => {
        if (info.client.problem) throw new VitrineError(info.client.problem);
        return info.client;
      }, (c) => {
        const found = c.release ? msg('playStep.clientRelease', { path: c.path ?? '', release: c.release }) : msg('playStep.client', { path: c.path ?? '' });
        return c.warning ? msg('playStep.clientWarning', { found, warning: c.warningMsg ?? c.warning }) : found;
      });
      await task.run('memory', async () => {
        const problem = info.memory.problems[0];
        if (problem) throw memoryError(problem);
      }, () =>
        msg(info.memory.mode === 'kvmfr' ? 'playStep.memoryKvmfr' : 'playStep.memoryShm', {
          size: String(info.memory.configuredMiB ?? 0),
          path: info.memory.path ?? '',
          resolution: `${info.settings.resolution.width}×${info.settings.resolution.height}`,
          needed: String(info.memory.neededMiB),
        }),
      );
      task.checkCancelled();
      task.setCancellable(false);
      // The start and the live XML (the SPICE port libvirt picked, and the proof that it runs) come from one virsh process.
      let started: { liveXml: string } | { readError: VitrineError } | null = null;
      if (details.summary.state === 'running') task.step('start', 'skipped', msg('playStep.alreadyRunning'));
      else started = await task.run('start', () => this.o.vm.lifecycle.startAndRead(name), () => msg('playStep.running'));
      await task.run('open', async () => {
        await this.waitForMemory(details);
        if (started && 'readError' in started) throw started.readError;
        const liveXml = started ? started.liveXml : await this.o.virsh.run(liveXmlArgs(name), { reads: true });
        return this.open(name, { details, liveXml, client: info.client, monitors });
      }, (s) => msg('playStep.started', { pid: s.pid === null ? '?' : String(s.pid) }));
      return task.finish();
    } catch (error) {
      return task.finish(error);
    }
  }

  /**
   * QEMU creates the shared memory file as the VM starts (it is there once
   * `virsh start` returns, or left from an earlier run); when it is not yet,
   * wait for its folder to change rather than polling, up to memoryWaitMs.
   * The client then reports a memory file still missing.
   */
  private async waitForMemory(details: VmDetails): Promise<void> {
    const target = memoryTarget(details, this.o.shmDir ?? SHM_DIR, this.o.kvmfrDevice ?? KVMFR_DEVICE);
    if (target) await waitForFile(target.path, (st) => st.isCharacterDevice() || st.size > 0, this.o.memoryWaitMs ?? 10_000);
  }

  /** Close Looking Glass, then shut the VM down (ACPI). */
  async stop(name: string, timeoutSeconds = STOP_TIMEOUT_SECONDS): Promise<Task> {
    if (this.o.tasks.running(name)) throw VitrineError.of('busy', msg('lgError.busy', { name }), msg('error.waitHint'));
    const task = this.o.tasks.begin('stop', name, `Stop ${name}`, [
      { id: 'close', label: 'Close Looking Glass' },
      { id: 'shutdown', label: 'Shut Windows down' },
    ]);
    try {
      await task.run('close', () => this.close(name), (s) => msg(s ? 'playStep.closed' : 'playStep.notOpen'));
      await task.run('shutdown', async () => {
        const { stopped } = await this.o.vm.shutdown(name, timeoutSeconds);
        if (!stopped) throw VitrineError.of('shutdown-timeout', msg('lgError.shutdownTimeout', { name, seconds: String(timeoutSeconds) }), msg('lgError.shutdownTimeoutHint'));
      }, () => msg('playStep.off'));
      return task.finish();
    } catch (error) {
      return task.finish(error);
    }
  }

  /** Close every client (app exit). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.supervisor.stop()));
    this.unwatch?.();
    this.unwatch = null;
  }
}
