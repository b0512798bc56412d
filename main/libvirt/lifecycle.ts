import { access, appendFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import type { DomainSummary, VmSpec } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { isVirtioLabel, readIsoInfo } from './iso';
import { runFile, type RunError } from '../common/process';
import { buildGameVm, type BuildEnvironment } from './builder';
import { getDomain } from './domains';
import { DefinitionHistory, unifiedDiff, type HistoryEntry } from './history';
import type { BatchResult, Virsh } from './virsh';
import { classifyVirshFailure } from './virsh-errors';
import { batch, dumpXmlArgs, liveXmlArgs, parseInfoAndXml, runInfoAndXml, splitStartAndRead } from './batch';
import { parseDomainXml, rootElement, serializeXml, type XmlNode } from './xml/document';
import { attr, child, find, findAll, removeChild, setAttr, setText, textOf } from './xml/nodes';

export interface DefineResult {
  name: string;
  /** The diff from the previous definition (empty for a new domain). */
  diff: string;
  /** Where the previous definition was kept, if there was one. */
  previous: HistoryEntry | null;
}

export interface CreateOptions {
  dryRun?: boolean;
  /** Called as each part begins: checking the inputs, creating the disk, defining the domain. */
  progress?: (step: 'check' | 'disk' | 'define') => void;
  /** Last chance to stop (throwing removes the new disk again). */
  beforeDefine?: () => void;
}

export interface LifecycleOptions {
  virsh: Virsh;
  /** Vitrine's data folder (history, change log). */
  dataDir: string;
  qemuImg?: string;
}

const START_TIMEOUT_MS = 120_000;

/** Name and UUID of a domain document (the UUID may be missing in new XML). */
function identity(xmlText: string): { name: string; uuid: string | null } {
  const root = rootElement(parseDomainXml(xmlText))!;
  const name = textOf(child(root, 'name') ?? {});
  if (!name) throw VitrineError.of('xml-no-name', msg('error.xml.noName'), msg('error.xml.noNameHint'));
  const uuid = child(root, 'uuid');
  return { name, uuid: uuid ? textOf(uuid) : null };
}

/**
 * Create, define, start, stop and remove VMs. Every definition goes through
 * `define`: fresh `dumpxml --inactive --security-info`, the previous XML kept
 * in the history, the unified diff logged, then `virsh define --validate`.
 */
export class Lifecycle {
  readonly history: DefinitionHistory;
  private readonly virsh: Virsh;
  private readonly dataDir: string;
  private readonly qemuImg: string;

  constructor(options: LifecycleOptions) {
    this.virsh = options.virsh;
    this.dataDir = options.dataDir;
    this.qemuImg = options.qemuImg ?? 'qemu-img';
    this.history = new DefinitionHistory(options.dataDir);
  }

  /** The persistent definition, with secrets (graphics passwords) kept so a redefine loses nothing. */
  dumpXml(name: string): Promise<string> {
    return this.virsh.run(dumpXmlArgs(name), { reads: true });
  }

  /**
   * dominfo and the persistent definition from ONE virsh process; null when
   * that run did not give both cleanly (any error, unreadable output, a name
   * virsh's command line cannot carry): the caller then asks as before, one
   * command each, and meets the very same errors. `started` is that run when
   * the caller began it already (runInfoAndXml, on this connection; null:
   * it could not, and this run is made here).
   */
  async infoAndXml(name: string, started?: Promise<BatchResult | null>): Promise<{ summary: DomainSummary; xml: string } | null> {
    const ran = (started ? await started : null) ?? (await runInfoAndXml(this.virsh, name));
    return ran ? parseInfoAndXml(ran) : null;
  }

  /** Define (or redefine) a domain from XML, keeping the previous definition. */
  async define(xmlText: string, reason: string): Promise<DefineResult> {
    const { name } = identity(xmlText);
    let current: string | null = null;
    try {
      current = await this.dumpXml(name);
    } catch (error) {
      if (!(error instanceof VitrineError && error.kind === 'domain-not-found')) throw error;
    }
    let previous: HistoryEntry | null = null;
    let diff = '';
    if (current !== null) {
      const uuid = identity(current).uuid!;
      const incoming = identity(xmlText).uuid;
      if (incoming && incoming.toLowerCase() !== uuid.toLowerCase()) {
        throw VitrineError.of('uuid-mismatch', msg('error.vm.uuidMismatch', { name, uuid }), msg('error.vm.uuidMismatchHint'));
      }
      previous = await this.history.save(uuid, current, reason);
      diff = await unifiedDiff(current, xmlText, name);
    }
    const dir = await mkdtemp(join(tmpdir(), 'vitrine-define-'));
    try {
      const file = join(dir, 'domain.xml');
      await writeFile(file, xmlText, { mode: 0o600 });
      await this.virsh.run(['define', '--validate', '--file', file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await this.log(`define ${name}: ${reason}\n${diff || '(new domain)\n'}`);
    return { name, diff, previous };
  }

  /**
   * Create a game VM: check the inputs, create the qcow2 disk (never over an
   * existing file), then define the domain. A failure after the disk was made
   * removes that disk again.
   */
  async create(spec: VmSpec, env: BuildEnvironment, options: CreateOptions = {}): Promise<{ xml: string; disk: string }> {
    const xmlText = buildGameVm(spec, env);
    if (options.dryRun) return { xml: xmlText, disk: spec.disk.path };
    options.progress?.('check');
    if (await getDomain(this.virsh, spec.name)) {
      throw VitrineError.of('exists', msg('error.vm.exists', { name: spec.name }), msg('error.vm.existsHint'));
    }
    for (const [label, path] of [
      ['Windows ISO', spec.windowsIso],
      ['virtio-win ISO', spec.virtioIso],
    ] as const) {
      const windows = label === 'Windows ISO';
      const which = msg(windows ? 'error.vm.windowsIso' : 'error.vm.virtioIso');
      const download = msg(windows ? 'error.vm.downloadWindows' : 'error.vm.downloadVirtio');
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) {
        throw VitrineError.of('missing-file', msg('error.vm.isoMissing', { which, path }), download);
      }
      // Any readable file would do as a CD-ROM: make sure it is an installation image, and the right one.
      const iso = await readIsoInfo(path).catch(() => null);
      if (!iso) {
        throw VitrineError.of('not-an-iso', msg('error.vm.notAnIso', { which, path }), download);
      }
      if (label === 'Windows ISO' && isVirtioLabel(iso.label)) {
        throw VitrineError.of('iso-swapped', msg('error.vm.isoSwapped', { path, label: iso.label ?? '' }), msg('error.vm.isoSwappedHint'));
      }
      if (label === 'virtio-win ISO' && iso.label !== null && !isVirtioLabel(iso.label)) {
        const looksWindows = iso.label.startsWith('CCCOMA') || iso.label.startsWith('CPBA') || iso.label.startsWith('CENA');
        throw VitrineError.of('not-virtio-iso', msg('error.vm.notVirtio', { path, label: iso.label }), looksWindows ? msg('error.vm.notVirtioSwapHint', { download }) : download);
      }
    }
    if (await stat(spec.disk.path).catch(() => null)) {
      throw VitrineError.of('exists', msg('error.vm.diskExists', { path: spec.disk.path }), msg('error.vm.diskExistsHint'));
    }
    const folder = dirname(spec.disk.path);
    // A folder of a libvirt storage pool (e.g. /var/lib/libvirt/images): the daemon creates the
    // volume, with the ownership QEMU needs, even where this user may not write.
    const pool = await this.poolFor(folder);
    if (!pool) {
      await mkdir(folder, { recursive: true }).catch(() => undefined);
      try {
        await access(folder, constants.W_OK);
      } catch {
        throw VitrineError.of('permission', msg('error.vm.diskFolderDenied', { folder }), msg('error.vm.diskFolderDeniedHint'));
      }
    }
    options.progress?.('disk');
    const removeDisk = async (): Promise<void> => {
      if (pool) await this.virsh.run(['vol-delete', '--pool', pool, '--vol', basename(spec.disk.path)]).catch(() => undefined);
      else await rm(spec.disk.path, { force: true });
    };
    if (pool) {
      await this.virsh.run(['vol-create-as', '--pool', pool, '--name', basename(spec.disk.path), '--capacity', `${spec.disk.sizeGiB}G`, '--format', 'qcow2'], { timeoutMs: 120_000 });
    } else {
      try {
        await runFile(this.qemuImg, ['create', '-q', '-f', 'qcow2', spec.disk.path, `${spec.disk.sizeGiB}G`]);
      } catch (error) {
        const err = error as RunError;
        throw err.code === 'ENOENT'
          ? VitrineError.of('qemu-img-missing', msg('error.vm.qemuImgMissing'), msg('error.vm.qemuImgMissingHint'))
          : VitrineError.of('disk', msg('error.vm.diskCreateFailed', { said: (err.stderr ?? err.message).trim() }), msg('error.vm.diskCreateFailedHint'));
      }
    }
    try {
      options.beforeDefine?.();
      options.progress?.('define');
      await this.define(xmlText, 'create');
    } catch (error) {
      await removeDisk();
      throw error;
    }
    return { xml: xmlText, disk: spec.disk.path };
  }

  /**
   * A test copy of a shut-off VM: a new name, a new UUID and new MAC
   * addresses (libvirt makes them), its own UEFI variables and TPM state, and
   * a full copy of every disk next to the original (`NEW.qcow2`, never over an
   * existing file). Installation ISOs stay shared (read-only). The copy is
   * independent: starting, changing or deleting either leaves the other alone.
   * A failure removes the copies made so far.
   */
  async clone(name: string, newName: string, options: { timeoutMs?: number } = {}): Promise<{ name: string; disks: string[] }> {
    const summary = await getDomain(this.virsh, name);
    if (!summary) throw VitrineError.of('domain-not-found', msg('error.vm.noSuchVm', { name }), msg('error.vm.noSuchVmHint'));
    if (summary.state !== 'shut-off') {
      throw VitrineError.of('domain-running', msg('error.vm.cloneRunning', { name, state: msg(`error.vm.state.${summary.state}`) }), msg('error.vm.cloneRunningHint'));
    }
    if (await getDomain(this.virsh, newName)) throw VitrineError.of('exists', msg('error.vm.exists', { name: newName }), msg('error.vm.cloneExistsHint'));
    const doc = parseDomainXml(await this.dumpXml(name));
    const root = rootElement(doc)!;
    setText(child(root, 'name')!, newName);
    const uuid = child(root, 'uuid');
    if (uuid) removeChild(root, uuid);
    for (const iface of findAll(root, 'devices/interface')) {
      const mac = child(iface, 'mac');
      if (mac) removeChild(iface, mac);
    }
    // Its own UEFI variables: libvirt makes NEW_VARS.fd from the template.
    const nvram = find(root, 'os/nvram');
    if (nvram) setText(nvram, '');
    const plans: { from: string; to: string; format: string; node: XmlNode }[] = [];
    for (const disk of findAll(root, 'devices/disk')) {
      if (attr(disk, 'device') !== 'disk') continue;
      const source = child(disk, 'source');
      const from = source ? attr(source, 'file') : null;
      if (!source || !from) continue;
      const ext = from.match(/\.(qcow2|img|raw)$/)?.[1] ?? 'qcow2';
      const to = join(dirname(from), `${newName}${plans.length ? `-${plans.length + 1}` : ''}.${ext}`);
      if (await access(to).then(() => true, () => false)) {
        throw VitrineError.of('exists', msg('error.vm.diskExists', { path: to }), msg('error.vm.cloneDiskExistsHint'));
      }
      plans.push({ from, to, format: attr(child(disk, 'driver') ?? {}, 'type') ?? 'qcow2', node: source });
    }
    const made: { path: string; pool: string | null }[] = [];
    const removeCopies = async (): Promise<void> => {
      for (const m of made) {
        if (m.pool) await this.virsh.run(['vol-delete', '--pool', m.pool, '--vol', basename(m.path)]).catch(() => undefined);
        else await rm(m.path, { force: true });
      }
    };
    try {
      for (const plan of plans) {
        // In a storage pool's folder the daemon copies (it owns the files there).
        const pool = await this.poolFor(dirname(plan.from));
        if (pool) {
          await this.virsh.run(['vol-clone', '--pool', pool, '--vol', basename(plan.from), '--newname', basename(plan.to)], { timeoutMs: options.timeoutMs ?? 6 * 3600_000 });
        } else {
          try {
            await runFile(this.qemuImg, ['convert', '-q', '-f', plan.format, '-O', plan.format, plan.from, plan.to], options.timeoutMs ?? 6 * 3600_000);
          } catch (error) {
            const err = error as RunError;
            throw err.code === 'ENOENT'
              ? VitrineError.of('qemu-img-missing', msg('error.vm.qemuImgMissing'), msg('error.vm.qemuImgMissingHint'))
              : VitrineError.of('disk', msg('error.vm.diskCopyFailed', { path: plan.from, said: (err.stderr ?? err.message).trim() }), msg('error.vm.diskCopyFailedHint'));
          }
        }
        made.push({ path: plan.to, pool });
        setAttr(plan.node, 'file', plan.to);
      }
      await this.define(serializeXml(doc), `clone of ${name}`);
    } catch (error) {
      await removeCopies();
      throw error;
    }
    await this.log(`clone ${name} -> ${newName}: ${plans.map((p) => p.to).join(', ') || 'no disk'}`);
    return { name: newName, disks: plans.map((p) => p.to) };
  }

  /** Remove a disk image: through its storage pool when it is in one (the daemon owns it), else the file. */
  async deleteDisk(path: string): Promise<void> {
    const pool = await this.poolFor(dirname(path));
    if (pool) await this.virsh.run(['vol-delete', '--pool', pool, '--vol', basename(path)]);
    else await rm(path);
    await this.log(`delete disk ${path}`);
  }

  /** The active libvirt storage pool whose target folder is `folder`, if there is one. */
  async poolFor(folder: string): Promise<string | null> {
    const names = (await this.virsh.run(['pool-list', '--name'], { reads: true }).catch(() => ''))
      .split('\n')
      .map((n) => n.trim())
      .filter(Boolean);
    for (const name of names) {
      const xml = await this.virsh.run(['pool-dumpxml', '--pool', name], { reads: true }).catch(() => '');
      const path = xml.match(/<target>\s*<path>([^<]+)<\/path>/)?.[1];
      if (path && resolvePath(path) === resolvePath(folder)) return name;
    }
    return null;
  }

  /** Start a VM. A failure's verbatim text is kept for the troubleshooter (`lastStartError`). */
  async start(name: string): Promise<void> {
    try {
      await this.virsh.run(['start', '--domain', name], { timeoutMs: START_TIMEOUT_MS });
    } catch (error) {
      await this.startFailed(name, error);
    }
  }

  /**
   * Start a domain and read its live XML (what libvirt picked as it started:
   * the SPICE port) in ONE virsh process. A failed start throws what start()
   * throws; `readError` is a dumpxml that failed after a good start (Play
   * reports it where it read the live XML before).
   */
  async startAndRead(name: string): Promise<{ liveXml: string } | { readError: VitrineError }> {
    if (/[\n\r\0]/.test(name)) {
      await this.start(name);
      return this.virsh.run(liveXmlArgs(name), { reads: true }).then((liveXml) => ({ liveXml }), (readError: VitrineError) => ({ readError }));
    }
    const startArgs = ['start', '--domain', name];
    const readArgs = liveXmlArgs(name);
    const ran = await this.virsh.runBatch(batch(startArgs, readArgs), 'start', { timeoutMs: START_TIMEOUT_MS, quiet: false }).catch((error: unknown) => this.startFailed(name, error));
    const outcome = splitStartAndRead(ran);
    if ('startFailed' in outcome) return this.startFailed(name, classifyVirshFailure(this.virsh.uri, startArgs, outcome.startFailed.stderr, outcome.startFailed.code));
    if ('readFailed' in outcome) return { readError: classifyVirshFailure(this.virsh.uri, readArgs, outcome.readFailed.stderr, outcome.readFailed.code) };
    return outcome;
  }

  /** Keep a failed start's text for the troubleshooter, then throw it. */
  private async startFailed(name: string, error: unknown): Promise<never> {
    if (error instanceof VitrineError && error.detail) {
      await mkdir(join(this.dataDir, 'failures'), { recursive: true, mode: 0o700 }).catch(() => undefined);
      await writeFile(this.lastStartErrorFile(name), `${new Date().toISOString()} virsh start ${name}\n${error.detail}\n`, { mode: 0o600 }).catch(() => undefined);
    }
    throw error;
  }

  /** Where the last failed start of a VM is kept. */
  lastStartErrorFile(name: string): string {
    return join(this.dataDir, 'failures', `${encodeURIComponent(name)}.txt`);
  }

  /** Force off (`virsh destroy`): like pulling the plug. */
  async forceOff(name: string): Promise<void> {
    await this.virsh.run(['destroy', '--domain', name]);
  }

  /**
   * Ask the guest to shut down (ACPI) and wait for it to stop, up to
   * `timeoutMs`; `stopped: false` means it did not, and the UI offers force off.
   * Waits on libvirt's lifecycle events, not by polling.
   */
  async shutdown(name: string, timeoutMs = 120_000): Promise<{ stopped: boolean }> {
    const before = await getDomain(this.virsh, name);
    if (!before) throw VitrineError.of('domain-not-found', msg('error.vm.noSuchVm', { name }), msg('error.vm.noSuchVmHint'));
    if (before.state === 'shut-off') return { stopped: true };
    let resolveStopped: (stopped: boolean) => void = () => undefined;
    const stopped = new Promise<boolean>((resolve) => (resolveStopped = resolve));
    const events = this.virsh.stream(['event', '--domain', name, '--event', 'lifecycle', '--loop', '--timeout', String(Math.max(1, Math.ceil(timeoutMs / 1000)))], {
      onLine: (line, stream) => {
        if (stream === 'stdout' && /: Stopped\b/.test(line)) {
          resolveStopped(true);
          events.kill('SIGTERM');
        }
      },
    });
    void events.exited.then(() => resolveStopped(false));
    try {
      await this.virsh.run(['shutdown', '--domain', name]);
    } catch (error) {
      events.kill('SIGTERM');
      throw error;
    }
    const result = await stopped;
    return { stopped: result || (await getDomain(this.virsh, name))?.state === 'shut-off' };
  }

  /**
   * Remove a VM's definition (its disk stays). UEFI variables and TPM state go
   * with it (`--nvram`, `--tpm`); the definition is kept in the history first.
   */
  async undefine(name: string): Promise<void> {
    const current = await this.dumpXml(name);
    const root = rootElement(parseDomainXml(current))!;
    const uuid = identity(current).uuid;
    if (uuid) await this.history.save(uuid, current, 'undefine');
    const os = child(root, 'os');
    const args = ['undefine', '--domain', name];
    if (os && (child(os, 'nvram') || attr(child(os, 'loader') ?? {}, 'type') === 'pflash' || attr(os, 'firmware') === 'efi')) args.push('--nvram');
    if (findAll(root, 'devices/tpm').some((t) => attr(child(t, 'backend') ?? {}, 'type') === 'emulator')) args.push('--tpm');
    await this.virsh.run(args);
    await this.log(`undefine ${name}`);
  }

  async historyOf(name: string): Promise<HistoryEntry[]> {
    const { uuid } = identity(await this.dumpXml(name));
    return uuid ? this.history.list(uuid) : [];
  }

  /** Define a previous version again (the current one goes to the history). */
  async restore(name: string, id: string): Promise<DefineResult> {
    const { uuid } = identity(await this.dumpXml(name));
    const saved = uuid ? await this.history.read(uuid, id) : null;
    if (!saved) throw VitrineError.of('not-found', msg('error.vm.noSavedDefinition', { id, name }), msg('error.vm.noSavedDefinitionHint', { name }));
    return this.define(saved, `restore ${id}`);
  }

  private async log(text: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await appendFile(join(this.dataDir, 'changes.log'), `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
  }
}
