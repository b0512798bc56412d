import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { hostRoots, type HostRoots } from '../host/roots';
import { scanHost } from '../host/scan';
import { listManifests, type Manifest } from './helper/backups';
import { EXIT } from './helper/codes';
import { gatherPlanFacts, underRoot } from './facts';
import { planHost } from './planner';

/** Where a package installs the helper (root-owned, named in the polkit policy). */
export const INSTALLED_HELPER = '/usr/lib/vitrine/vitrine-helper';

export interface HelperRun {
  code: number;
  output: string;
}

/** Where `node` is for running the AppImage's bundled helper as root (pkexec's PATH has only system folders). */
const SYSTEM_NODE = ['/usr/bin/node', '/usr/local/bin/node', '/usr/bin/nodejs'];

export interface HelperLocation {
  argv: string[];
  /** What the password prompt will show, for the UI to say beforehand. */
  prompt: 'policy' | 'generic-node' | 'dev';
}

/**
 * The helper to start. The deb installs it root-owned at INSTALLED_HELPER with
 * a polkit policy, so the prompt shows Vitrine's own message. An AppImage has
 * no root-owned path: its bundled copy runs through the system's node, and
 * polkit shows its generic prompt ("Authentication is needed to run
 * /usr/bin/node as the super user"). A checkout runs out/helper.
 */
export function locateHelper(resourcesPath: string | undefined = process.resourcesPath, exists: (p: string) => boolean = existsSync): HelperLocation {
  if (exists(INSTALLED_HELPER)) return { argv: [INSTALLED_HELPER], prompt: 'policy' };
  const bundled = resourcesPath ? join(resourcesPath, 'helper', 'vitrine-helper.mjs') : null;
  if (bundled && exists(bundled)) {
    const node = SYSTEM_NODE.find(exists);
    if (!node) {
      throw new VitrineError({
        kind: 'no-helper',
        message: 'This Vitrine (an AppImage) carries its root helper but no way to run it as root: Node.js is not installed.',
        hint: 'Install the deb package (it installs the helper root-owned with its own password prompt), or install Node.js 18 or later (apt install nodejs).',
      });
    }
    return { argv: [node, bundled], prompt: 'generic-node' };
  }
  // From wherever the bundler put this code (out/main, out/main/chunks, …), look upwards for out/helper.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'helper', 'vitrine-helper.mjs'), join(dir, 'out', 'helper', 'vitrine-helper.mjs')]) {
      if (exists(candidate)) return { argv: [process.execPath, candidate], prompt: 'dev' };
    }
  }
  throw new VitrineError({ kind: 'no-helper', message: 'The root helper is not built or installed.', hint: 'Run npm run build (from a checkout), or reinstall Vitrine.' });
}

/** The helper's argv (see locateHelper). */
export function helperCommand(): string[] {
  return locateHelper().argv;
}

/** Explain a helper exit code (and pkexec's own). */
export function explainHelperExit(code: number, output: string): VitrineError {
  const last = output.trim().split('\n').at(-1) ?? '';
  const table: Record<number, [string, string, string]> = {
    [EXIT.cancelled]: ['cancelled', 'The password prompt was dismissed: nothing was changed.', 'Apply again when you are ready.'],
    [EXIT.notAuthorised]: /No authentication agent|no agent/i.test(output)
      ? ['no-polkit-agent', 'No polkit authentication agent is running, so the password prompt cannot appear: nothing was changed.', 'Start one (your desktop normally does; e.g. lxpolkit or polkit-gnome), or run the helper from a terminal: sudo vitrine-helper apply PLAN.']
      : ['not-authorised', 'You are not allowed to change the host (polkit said no): nothing was changed.', 'Use an administrator account.'],
    [EXIT.changedSincePlanned]: ['changed', last, 'Make a new plan: a file changed after this one was made.'],
    [EXIT.pathRefused]: ['refused', last, 'The plan asked for something the helper never does; make a new plan with Vitrine.'],
    [EXIT.invalidPlan]: ['invalid-plan', last, 'Make a new plan with Vitrine.'],
    [EXIT.commandFailed]: ['command-failed', last, 'Read the output above; the files were changed and can be undone with vitrine setup rollback.'],
    [EXIT.ioFailure]: ['io-failure', last, 'Nothing was left half-written; check free space and the file system.'],
    [EXIT.noBackup]: ['no-backup', last, 'List the changes with vitrine setup backups.'],
    [EXIT.notRoot]: ['not-root', last, 'The helper runs through pkexec; install polkit (policykit-1 on Debian).'],
    [EXIT.romInvalid]: ['rom-invalid', last, 'Read the ROM while the card is bound to vfio-pci and no VM uses it; some cards only give a valid image from a second slot.'],
    [EXIT.usage]: ['usage', last, 'This is a bug in Vitrine: please report it.'],
  };
  const [kind, message, hint] = table[code] ?? ['helper', last || `The helper failed (exit ${code}).`, 'Read the output; vitrine setup rollback undoes the last change.'];
  return new VitrineError({ kind, message, hint, detail: output.trim() });
}

/** Host preparation: plan as data, apply through the one root helper, undo. */
export class SetupService {
  constructor(
    private readonly dataDir: string,
    private readonly defaultRoots: HostRoots,
  ) {}

  private planFile(): string {
    return join(this.dataDir, 'plans', 'last-plan.json');
  }

  /** Roots to scan for a scratch root: its own sys/ and proc/ when it has them. */
  private roots(root: string): HostRoots {
    if (root === '/') return this.defaultRoots;
    const sys = underRoot(root, '/sys');
    return existsSync(join(sys, 'bus', 'pci', 'devices'))
      ? hostRoots({ sys, proc: underRoot(root, '/proc'), dev: underRoot(root, '/dev'), modules: underRoot(root, '/lib/modules') })
      : this.defaultRoots;
  }

  /** Plan the changes (nothing is written but the plan file in the user's data folder). */
  async plan(request: PlanRequest, root = '/'): Promise<HostPlan> {
    const report = await scanHost(this.roots(root));
    const plan = planHost(request, await gatherPlanFacts(root, report));
    await mkdir(dirname(this.planFile()), { recursive: true, mode: 0o700 });
    await writeFile(this.planFile(), JSON.stringify({ root, plan }, null, 2), { mode: 0o600 });
    return plan;
  }

  /** The last plan made, with the root it was made for. */
  async lastPlan(): Promise<{ root: string; plan: HostPlan }> {
    const text = await readFile(this.planFile(), 'utf8').catch(() => null);
    if (!text) throw new VitrineError({ kind: 'no-plan', message: 'There is no plan to apply.', hint: 'Make one first: vitrine setup plan --gpu ADDRESS' });
    return JSON.parse(text) as { root: string; plan: HostPlan };
  }

  /** Run the helper: directly on a scratch root, through pkexec on the real one. */
  runHelper(root: string, args: string[], onOutput?: (chunk: string) => void): Promise<HelperRun> {
    const helper = helperCommand();
    const argv = root === '/' ? ['pkexec', ...helper, ...args] : [...helper, '--root', root, ...args];
    return new Promise((done, fail) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const take = (chunk: Buffer): void => {
        output += chunk.toString();
        onOutput?.(chunk.toString());
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', (error: NodeJS.ErrnoException) =>
        fail(
          error.code === 'ENOENT'
            ? new VitrineError({ kind: 'no-pkexec', message: 'pkexec was not found, so Vitrine cannot ask for the password.', hint: 'Install polkit: policykit-1 (Debian, Ubuntu), polkit (Fedora, Arch).' })
            : error,
        ),
      );
      child.on('close', (code) => done({ code: code ?? 1, output }));
    });
  }

  /** Apply the last plan with one authorisation. */
  async apply(onOutput?: (chunk: string) => void): Promise<{ backup: string | null; output: string; plan: HostPlan }> {
    const { root, plan } = await this.lastPlan();
    if (plan.steps.length === 0) return { backup: null, output: 'Nothing to change.\n', plan };
    const run = await this.runHelper(root, ['apply', await this.writeHelperPlan(plan)], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    return { backup: run.output.match(/^backup (\S+)$/m)?.[1] ?? null, output: run.output, plan };
  }

  /** The plan as the helper reads it (the plan alone, not the root). */
  private async writeHelperPlan(plan: HostPlan): Promise<string> {
    const file = join(this.dataDir, 'plans', `${plan.id}.json`);
    await writeFile(file, JSON.stringify(plan), { mode: 0o644 });
    return file;
  }

  async rollback(root: string, id?: string, onOutput?: (chunk: string) => void): Promise<string> {
    const run = await this.runHelper(root, id ? ['rollback', id] : ['rollback'], onOutput);
    if (run.code !== 0) throw explainHelperExit(run.code, run.output);
    return run.output;
  }

  /** The change sets, oldest first (their manifests are world-readable; the copies are not). */
  backups(root: string): Promise<Manifest[]> {
    return listManifests(root);
  }
}
