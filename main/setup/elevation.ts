import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanView } from '../../shared/api';
import { toErrorInfo, VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { spawnStreaming } from '../common/process';
import { DEFAULT_ROOTS, type HostRoots } from '../host/roots';
import { scratchHostRoots } from './host-plan';

/** Where a package installs the helper (root-owned, named in the polkit policy). */
export const INSTALLED_HELPER = '/usr/lib/vitrine/vitrine-helper.mjs';

/** Where `node` is for running the AppImage's bundled helper as root (pkexec's PATH has only system folders). */
const SYSTEM_NODE = ['/usr/bin/node', '/usr/local/bin/node', '/usr/bin/nodejs'];

export interface HelperLocation {
  argv: string[];
  /** What the password prompt will show, for the UI to say beforehand. */
  prompt: 'policy' | 'generic-node' | 'dev';
}

/** One run of the root helper: its exit code and its output (stdout and stderr, as they came). */
export interface HelperRun {
  code: number;
  output: string;
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
      throw VitrineError.of('no-helper', msg('error.setup.noNode'), msg('error.setup.noNodeHint'));
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
  throw VitrineError.of('no-helper', msg('error.setup.noHelper'), msg('error.setup.noHelperHint'));
}

/** The helper's argv (see locateHelper). */
export function helperCommand(): string[] {
  return locateHelper().argv;
}

/**
 * How host changes get made, and on which host: through pkexec on this one,
 * or directly on a scratch folder (tests, `--root DIR`). Chosen once at
 * start-up (elevationFor), so nothing else asks whether the root is '/'.
 */
export interface Elevation {
  /** The host the helper changes: '/' for this one, else the scratch folder (absolute). */
  readonly root: string;
  /** Run the helper with a verb and its arguments; its output is streamed to onOutput as it comes. */
  runHelper(args: readonly string[], onOutput?: (chunk: string) => void): Promise<HelperRun>;
  /** What the password prompt will show, for the UI to say beforehand; null when there is none. */
  prompt(): PlanView['prompt'];
  /** Where to scan the host that will be changed, given the app's own roots. */
  hostRoots(defaults: HostRoots): HostRoots;
}

/** Run an argv, collecting its output; a spawn failure becomes `missing(error)`. */
async function runCollecting(argv: readonly string[], onOutput: ((chunk: string) => void) | undefined, missing: (error: NodeJS.ErrnoException) => Error): Promise<HelperRun> {
  let output = '';
  const child = spawnStreaming(argv[0]!, argv.slice(1), {
    onOutput: (chunk) => {
      output += chunk;
      onOutput?.(chunk);
    },
  });
  const { code, error } = await child.exited;
  if (error) throw missing(error);
  return { code: code ?? 1, output };
}

/** This host: the helper runs as root through pkexec, after polkit's password prompt. */
export function pkexecElevation(locate: () => HelperLocation = () => locateHelper()): Elevation {
  return {
    root: '/',
    runHelper: (args, onOutput) =>
      runCollecting(['pkexec', ...locate().argv, ...args], onOutput, (error) =>
        error.code === 'ENOENT'
          ? VitrineError.of('no-pkexec', msg('error.setup.noPkexec'), msg('error.setup.noPkexecHint'))
          : error,
      ),
    prompt: () => {
      try {
        const helper = locate();
        return { kind: helper.prompt, program: helper.argv[0]! };
      } catch (error) {
        const info = toErrorInfo(error);
        return { kind: 'unavailable', reason: info.message, ...(info.msg ? { reasonMsg: info.msg.message } : {}) };
      }
    },
    // The helper scans the real host for its own plan, so the plan shown must come from it too.
    hostRoots: () => DEFAULT_ROOTS,
  };
}

/**
 * A scratch copy of a host (tests, `vitrine setup … --root DIR`): the helper
 * runs as this user with `--root DIR`, with no password prompt. Its host is
 * scanned from its own sys/, proc/, dev/ and lib/modules/ when it has a
 * sysfs tree, else from the app's roots.
 */
export function scratchRootElevation(dir: string, locate: () => HelperLocation = () => locateHelper()): Elevation {
  const root = resolve(dir);
  if (root === '/') {
    throw VitrineError.of('invalid-argument', msg('error.setup.scratchIsRoot'), msg('error.setup.scratchIsRootHint'));
  }
  return {
    root,
    runHelper: (args, onOutput) =>
      runCollecting([...locate().argv, '--root', root, ...args], onOutput, (error) =>
        VitrineError.of('no-helper', msg('error.setup.helperNotStarted', { said: error.code ?? error.message }), msg('error.setup.noHelperHint')),
      ),
    prompt: () => null,
    hostRoots: (defaults) => scratchHostRoots(root) ?? defaults,
  };
}

/**
 * The elevation for a setup root, chosen once at start-up: none or '/' is
 * this host (pkexec), any other folder a scratch root.
 */
export function elevationFor(setupRoot: string | undefined): Elevation {
  return setupRoot === undefined || resolve(setupRoot) === '/' ? pkexecElevation() : scratchRootElevation(setupRoot);
}
