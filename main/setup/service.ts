import { createHash } from 'node:crypto';
import { readFile, readlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ChangeSet, HostPlan, HugepageCheck, HugepageReservation, PlanRequest, PlanView, UndoCheck, UndoPlan } from '../../shared/api';
import { readHugepages } from '../host/cpu-topology';
import { VitrineError } from '../common/errors';
import { msg, type Msg } from '../../shared/i18n/message';
import { english } from '../common/text';
import type { HostRoots } from '../host/roots';
import { pkexecElevation, type Elevation, type HelperRun } from './elevation';
import { listManifests, type Manifest } from './helper/backups';
import { EXIT } from './helper/codes';
import { planOnHost } from './host-plan';
import { writeFileAtomic } from '../common/atomic-write';
import { planUndo, type UndoTexts } from './undo';
import { planReasonMsg } from './plan-text';
import { reservationPages } from './hugepage-plan';

// Where the helper is and how it runs as root live in elevation.ts; these names stay here for their callers.
export { INSTALLED_HELPER, helperCommand, locateHelper, type HelperLocation, type HelperRun } from './elevation';

/** Explain a helper exit code (and pkexec's own). */
export function explainHelperExit(code: number, output: string): VitrineError {
  const last = output.trim().split('\n').at(-1) ?? '';
  // [kind, message, hint] as catalogue keys (error.helper.*). When the helper said why on its last line, that line is
  // the English message (the CLI shows it as it was) and the key's sentence is what the UI says; the output stays in detail.
  const table: Record<number, [string, string]> = {
    [EXIT.cancelled]: ['cancelled', 'cancelled'],
    [EXIT.notAuthorised]: /No authentication agent|no agent/i.test(output) ? ['no-polkit-agent', 'noAgent'] : ['not-authorised', 'notAuthorised'],
    [EXIT.changedSincePlanned]: ['changed', 'changed'],
    [EXIT.planMismatch]: ['plan-mismatch', 'planMismatch'],
    [EXIT.pathRefused]: ['refused', 'pathRefused'],
    [EXIT.invalidPlan]: ['invalid-request', 'invalidPlan'],
    [EXIT.rootRefused]: ['root-refused', 'rootRefused'],
    [EXIT.commandFailed]: ['command-failed', 'commandFailed'],
    [EXIT.ioFailure]: ['io-failure', 'ioFailure'],
    [EXIT.halfApplied]: ['half-applied', 'halfApplied'],
    [EXIT.noBackup]: ['no-backup', 'noBackup'],
    [EXIT.noSpace]: ['disk-full', 'noSpace'],
    [EXIT.notRoot]: ['not-root', 'notRoot'],
    [EXIT.romInvalid]: ['rom-invalid', 'romInvalid'],
    [EXIT.usage]: ['usage', 'usage'],
  };
  // Each message key has its hint beside it: `<key>Hint`.
  const [kind, messageKey] = table[code] ?? ['helper', 'failed'];
  const message: Msg = msg(`error.helper.${messageKey}`, { code: String(code), said: last });
  const hint: Msg = msg(`error.helper.${messageKey}Hint`);
  // The helper's own line is the English message where it gives one (its words, not ours).
  const own = !['cancelled', 'no-polkit-agent', 'not-authorised'].includes(kind) && last !== '';
  return new VitrineError({ kind, message: own ? last : english(message), hint: english(hint), detail: output.trim(), msg: { message, hint } });
}

/** The last plan's record in the user's data folder. The helper does not trust it: it plans again and compares ids. */
export interface LastPlan {
  root: string;
  request: PlanRequest;
  plan: HostPlan;
}

/** What this account undid, to check after the reboot that the boot is back as before. */
interface UndoneRecord {
  changeSet: string;
  bootId: string | null;
  /** The PCI functions the change bound to vfio-pci. */
  gpu: string[];
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Host preparation: plan as data, apply through the one root helper, undo. */
export class SetupService {
  /**
   * `elevation` is chosen once at start-up (elevationFor): pkexec on this
   * host, or a scratch root for tests and `--root DIR`.
   */
  constructor(
    private readonly dataDir: string,
    private readonly defaultRoots: HostRoots,
    private readonly elevation: Elevation = pkexecElevation(),
  ) {}

  /** The host this service changes: '/' for this one, else the scratch folder. */
  get root(): string {
    return this.elevation.root;
  }

  /** What the password prompt will show when the plan is applied (null for a scratch root), for the UI to say beforehand. */
  prompt(): PlanView['prompt'] {
    return this.elevation.prompt();
  }

  private planFile(): string {
    return join(this.dataDir, 'plans', 'last-plan.json');
  }

  /**
   * Plan the changes for the elevation's root (nothing is written but the
   * last plan's record in the user's data folder: the request, the root and
   * the plan, whose id the helper checks its own plan against).
   */
  async plan(request: PlanRequest): Promise<HostPlan> {
    const target = this.elevation.root;
    const plan = await planOnHost(request, target, this.elevation.hostRoots(this.defaultRoots));
    const record: LastPlan = { root: target, request, plan };
    await writeFileAtomic(this.planFile(), JSON.stringify(record, null, 2), { mode: 0o600, dirMode: 0o700 });
    return plan;
  }

  /** The last plan made, with the root it was made for and the request it came from. */
  async lastPlan(): Promise<LastPlan> {
    const text = await readFile(this.planFile(), 'utf8').catch(() => null);
    const record = text ? (JSON.parse(text) as Partial<LastPlan>) : null;
    if (!record?.plan || typeof record.root !== 'string') throw VitrineError.of('no-plan', msg('error.setup.noPlan'), msg('error.setup.noPlanHint'));
    if (!record.request) throw VitrineError.of('no-plan', msg('error.setup.oldPlan'), msg('error.setup.oldPlanHint'));
    return record as LastPlan;
  }

  /** Run the helper with a verb and its arguments (through pkexec on this host, directly on a scratch root). */
  async runHelper(args: string[], onOutput?: (chunk: string) => void): Promise<HelperRun> {
    return this.elevation.runHelper(args, onOutput);
  }

  /**
   * Apply the last plan with one authorisation: the helper gets the request
   * and the plan's id (never the plan), plans again for itself from the host,
   * and applies only if its plan has that id. A plan made for another root is
   * refused here.
   */
  async apply(onOutput?: (chunk: string) => void): Promise<{ backup: string | null; output: string; plan: HostPlan }> {
    const { root, request, plan } = await this.lastPlan();
    if (resolve(root) !== this.elevation.root) {
      throw VitrineError.of('setup-root', msg('error.setup.otherRoot', { planned: root, root: this.elevation.root }), msg('error.setup.otherRootHint'));
    }
    if (plan.steps.length === 0) return { backup: null, output: 'Nothing to change.\n', plan };
    // Kept so the undo can show each file's bytes (the helper's copies are root-only); nothing trusts it.
    // With the boot id, so a reservation made at boot (1 GiB hugepages) is checked after the restart.
    await writeFileAtomic(this.appliedFile(plan.id), JSON.stringify({ request, plan, bootId: await this.bootId() }), { mode: 0o600, dirMode: 0o700 });
    const run = await this.runHelper(['apply', plan.id, JSON.stringify(request)], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    return { backup: run.output.match(/^backup (\S+)$/m)?.[1] ?? null, output: run.output, plan };
  }

  private appliedFile(planId: string): string {
    return join(this.dataDir, 'plans', 'applied', `${planId}.json`);
  }

  private undoneFile(): string {
    return join(this.dataDir, 'plans', 'undone.json');
  }

  /** The change set an undo is about: the given one, else the last one not undone. */
  private async changeSetFor(id: string | undefined): Promise<Manifest> {
    const all = await listManifests(this.elevation.root);
    const manifest = id === undefined ? [...all].reverse().find((m) => m.state !== 'rolled-back' && m.state !== 'failed') : all.find((m) => m.id === id);
    if (!manifest) {
      throw id === undefined
        ? VitrineError.of('no-backup', msg('error.setup.nothingToUndo'), msg('error.setup.nothingToUndoHint'))
        : VitrineError.of('no-backup', msg('error.setup.noChangeSet', { id }), msg('error.setup.noChangeSetHint'));
    }
    if (manifest.state === 'rolled-back') throw VitrineError.of('no-backup', msg('error.setup.alreadyUndone', { id: manifest.id }), msg('error.setup.alreadyUndoneHint'));
    if (manifest.state === 'failed') throw VitrineError.of('no-backup', msg('error.setup.failedUndone', { id: manifest.id }), msg('error.setup.nothingToDo'));
    return manifest;
  }

  /**
   * What undoing a change set does, as a plan (changes nothing): the files
   * put back, the inverse boot commands, its id. The bytes come from the
   * record of the plan this account applied, used only when they match the
   * helper's checksums; the id does not depend on them.
   */
  async undoPlan(id?: string): Promise<UndoPlan> {
    const manifest = await this.changeSetFor(id);
    const texts: UndoTexts = {};
    const record = await readFile(this.appliedFile(manifest.planId), 'utf8').then((t) => JSON.parse(t) as { plan?: HostPlan }, () => null);
    for (const step of record?.plan?.steps ?? []) {
      if (step.kind !== 'write') continue;
      const backed = manifest.files.find((f) => f.path === step.path);
      const beforeOk = backed ? step.before !== null && sha256(step.before) === backed.sha256 : manifest.created.includes(step.path) && step.before === null;
      const afterOk = (manifest.planned[step.path] ?? null) === (step.after === null ? null : sha256(step.after));
      if (beforeOk && afterOk) texts[step.path] = { current: step.after, restored: step.before };
    }
    return planUndo(manifest, texts);
  }

  /**
   * Undo a change set as reviewed: the helper computes the undo from its own
   * record and refuses unless it has the id shown (`undoId`). Without an id
   * (the CLI's --yes from a text console), the helper's own undo of the
   * record runs. Remembered so the next boot can be checked.
   */
  async rollback(id?: string, onOutput?: (chunk: string) => void, undoId?: string): Promise<string> {
    const manifest = id === undefined ? await this.changeSetFor(undefined).catch(() => null) : null;
    const target = id ?? manifest?.id;
    const run = await this.runHelper(['rollback', ...(target ? [target] : []), ...(undoId ? ['--expect', undoId] : [])], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    const undone = run.output.match(/^rolled back (\S+)$/m)?.[1];
    if (undone) await this.remember(undone);
    return run.output;
  }

  private async bootId(): Promise<string | null> {
    return (await readFile(join(this.defaultRoots.proc, 'sys', 'kernel', 'random', 'boot_id'), 'utf8').catch(() => '')).trim() || null;
  }

  private async undone(): Promise<UndoneRecord[]> {
    const text = await readFile(this.undoneFile(), 'utf8').catch(() => null);
    try {
      const list = text ? (JSON.parse(text) as unknown) : [];
      return Array.isArray(list) ? (list as UndoneRecord[]).filter((r) => typeof r?.changeSet === 'string' && Array.isArray(r.gpu)) : [];
    } catch {
      return [];
    }
  }

  private async remember(changeSet: string): Promise<void> {
    const manifest = (await listManifests(this.elevation.root)).find((m) => m.id === changeSet);
    const record = manifest ? await readFile(this.appliedFile(manifest.planId), 'utf8').then((t) => JSON.parse(t) as { request?: PlanRequest }, () => null) : null;
    const gpu = Array.isArray(record?.request?.gpu) ? record.request.gpu.filter((a): a is string => typeof a === 'string') : [];
    const list = (await this.undone()).filter((r) => r.changeSet !== changeSet);
    list.push({ changeSet, bootId: await this.bootId(), gpu });
    await writeFileAtomic(this.undoneFile(), JSON.stringify(list.slice(-20), null, 2), { mode: 0o600, dirMode: 0o700 });
  }

  /**
   * After an undo and a reboot: is the boot back as before? Each GPU
   * function on its own driver again, and the running kernel line without
   * vfio-pci ids.
   */
  private async verifyUndo(record: UndoneRecord): Promise<UndoCheck> {
    const now = await this.bootId();
    if (now === null || now === record.bootId) return { state: 'reboot', devices: [], leftArgs: [] };
    const devices = await Promise.all(
      record.gpu.map(async (address) => ({ address, driver: await readlink(join(this.defaultRoots.sys, 'bus', 'pci', 'devices', address, 'driver')).then((l) => basename(l), () => null) })),
    );
    const leftArgs = (await readFile(join(this.defaultRoots.proc, 'cmdline'), 'utf8').catch(() => '')).split(/\s+/).filter((t) => /^vfio[-_]pci\.ids=/.test(t));
    const bound = leftArgs.length > 0 || devices.some((d) => d.driver === 'vfio-pci');
    return { state: bound ? 'still-bound' : 'verified', devices, leftArgs };
  }

  /**
   * A hugepage reservation this account applied: does the pool have the
   * pages? Reserved at boot (1 GiB pages, or 2 MiB pages whose memory was not
   * free at apply): `reboot` until the host restarted. Null when the change
   * reserved none (or its record is not this account's).
   */
  private async verifyHugepages(planId: string): Promise<HugepageCheck | null> {
    const record = await readFile(this.appliedFile(planId), 'utf8').then((t) => JSON.parse(t) as { request?: PlanRequest; plan?: HostPlan; bootId?: string | null }, () => null);
    const asked = record?.request?.hugepages as Partial<HugepageReservation> | undefined;
    // The record is the user's own file: read only a reservation of the request's shape.
    const count = (n: unknown): boolean => n === undefined || (Number.isInteger(n) && (n as number) > 0);
    if (!record || !asked || (asked.size !== '2M' && asked.size !== '1G') || !count(asked.pages) || !count(asked.memoryMiB) || (asked.pages === undefined) === (asked.memoryMiB === undefined)) return null;
    const sizeKiB = asked.size === '1G' ? 1024 * 1024 : 2048;
    const wanted = reservationPages(asked as HugepageReservation);
    const steps = record.plan?.steps ?? [];
    const atBoot = asked.size === '1G' || (steps.some((s) => s.kind === 'write') && !steps.some((s) => s.kind === 'run' && s.argv[0] === 'sysctl'));
    const now = await this.bootId();
    if (atBoot && (now === null || now === (record.bootId ?? null))) return { state: 'reboot', sizeKiB, wanted, total: 0 };
    const info = await readHugepages(this.elevation.hostRoots(this.defaultRoots));
    const total = info?.pools.find((p) => p.sizeKiB === sizeKiB)?.total ?? 0;
    return { state: total >= wanted ? 'verified' : 'short', sizeKiB, wanted, total };
  }

  /** The change sets, oldest first, with the check after an undo this account made, and of the hugepages an applied one reserved. */
  async changeSets(): Promise<ChangeSet[]> {
    const [all, undone] = await Promise.all([listManifests(this.elevation.root), this.undone()]);
    return Promise.all(
      all.map(async (m) => {
        const record = m.state === 'rolled-back' ? undone.find((r) => r.changeSet === m.id) : undefined;
        const hugepages = m.state === 'applied' ? await this.verifyHugepages(m.planId) : null;
        const reasonMsg = planReasonMsg(m.reason);
        return { id: m.id, planId: m.planId, reason: m.reason, ...(reasonMsg ? { reasonMsg } : {}), createdAt: m.createdAt, state: m.state, files: m.files.map((f) => ({ path: f.path })), created: m.created, undo: record ? await this.verifyUndo(record) : null, hugepages };
      }),
    );
  }

  /** The change sets, oldest first (their manifests are world-readable; the copies are not). */
  async backups(): Promise<Manifest[]> {
    return listManifests(this.elevation.root);
  }
}
