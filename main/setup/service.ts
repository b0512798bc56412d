import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HostPlan, PlanRequest, PlanView } from '../../shared/api';
import { VitrineError } from '../common/errors';
import type { HostRoots } from '../host/roots';
import { pkexecElevation, type Elevation, type HelperRun } from './elevation';
import { listManifests, type Manifest } from './helper/backups';
import { EXIT } from './helper/codes';
import { planOnHost } from './host-plan';
import { writeFileAtomic } from '../common/atomic-write';

// Where the helper is and how it runs as root live in elevation.ts; these names stay here for their callers.
export { INSTALLED_HELPER, helperCommand, locateHelper, type HelperLocation, type HelperRun } from './elevation';

/** Explain a helper exit code (and pkexec's own). */
export function explainHelperExit(code: number, output: string): VitrineError {
  const last = output.trim().split('\n').at(-1) ?? '';
  const table: Record<number, [string, string, string]> = {
    [EXIT.cancelled]: ['cancelled', 'The password prompt was dismissed: nothing was changed.', 'Apply again when you are ready.'],
    [EXIT.notAuthorised]: /No authentication agent|no agent/i.test(output)
      ? ['no-polkit-agent', 'No polkit authentication agent is running, so the password prompt cannot appear: nothing was changed.', 'Start one (your desktop normally does; e.g. lxpolkit or polkit-gnome), then apply again.']
      : ['not-authorised', 'You are not allowed to change the host (polkit said no): nothing was changed.', 'Use an administrator account.'],
    [EXIT.changedSincePlanned]: ['changed', last, 'Make a new plan: a file changed after this one was made.'],
    [EXIT.planMismatch]: ['plan-mismatch', last, 'Make a new plan and review it: the host changed since the plan you reviewed, or the plan was replaced. Nothing was changed.'],
    [EXIT.pathRefused]: ['refused', last, 'The helper never writes through links or over folders, pipes or devices; fix the path it names, then make a new plan.'],
    [EXIT.invalidPlan]: ['invalid-request', last, 'Make a new plan with Vitrine.'],
    [EXIT.rootRefused]: ['root-refused', last, 'Give a scratch folder as a plain absolute path (no links), without pkexec; leave --root out to change this host.'],
    [EXIT.commandFailed]: ['command-failed', last, 'Read the output above; the files were changed and can be undone with vitrine setup rollback.'],
    [EXIT.ioFailure]: ['io-failure', last, 'What was written is undone; check free space and the file system, then apply again.'],
    [EXIT.halfApplied]: ['half-applied', last, 'The host is half-applied: run the command in the message (from a text console if need be) to finish the undo.'],
    [EXIT.noBackup]: ['no-backup', last, 'List the changes with vitrine setup backups.'],
    [EXIT.notRoot]: ['not-root', last, 'The helper runs through pkexec; install polkit (policykit-1 on Debian).'],
    [EXIT.romInvalid]: ['rom-invalid', last, 'Read the ROM while the card is bound to vfio-pci and no VM uses it; some cards only give a valid image from a second slot.'],
    [EXIT.usage]: ['usage', last, 'This is a bug in Vitrine: please report it.'],
  };
  const [kind, message, hint] = table[code] ?? ['helper', last || `The helper failed (exit ${code}).`, 'Read the output; vitrine setup rollback undoes the last change.'];
  return new VitrineError({ kind, message, hint, detail: output.trim() });
}

/** The last plan's record in the user's data folder. The helper does not trust it: it plans again and compares ids. */
export interface LastPlan {
  root: string;
  request: PlanRequest;
  plan: HostPlan;
}

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
    if (!record?.plan || typeof record.root !== 'string') throw new VitrineError({ kind: 'no-plan', message: 'There is no plan to apply.', hint: 'Make one first: vitrine setup plan --gpu ADDRESS' });
    if (!record.request) throw new VitrineError({ kind: 'no-plan', message: 'The last plan was made by an older Vitrine and cannot be applied.', hint: 'Make a new plan (vitrine setup plan, or Plan on the Host page), review it, then apply.' });
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
      throw new VitrineError({
        kind: 'setup-root',
        message: `The last plan was made for ${root}, and this Vitrine changes ${this.elevation.root}.`,
        hint: 'Make a new plan here, then apply it.',
      });
    }
    if (plan.steps.length === 0) return { backup: null, output: 'Nothing to change.\n', plan };
    const run = await this.runHelper(['apply', plan.id, JSON.stringify(request)], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    return { backup: run.output.match(/^backup (\S+)$/m)?.[1] ?? null, output: run.output, plan };
  }

  /** Undo a change set (the last one by default). */
  async rollback(id?: string, onOutput?: (chunk: string) => void): Promise<string> {
    const run = await this.runHelper(id ? ['rollback', id] : ['rollback'], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    return run.output;
  }

  /** The change sets, oldest first (their manifests are world-readable; the copies are not). */
  async backups(): Promise<Manifest[]> {
    return listManifests(this.elevation.root);
  }
}
