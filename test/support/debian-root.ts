import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHostTree, type HostSpec } from './host-tree';
import { repoRoot } from './session-libvirt';

/**
 * The real Debian 12 roots of the "proof on real tools" tier, built once by
 * `.ci/debian-roots` (debootstrap; .ci/run builds them before the tests) and
 * kept under a cache folder keyed by that script; each test works on a copy.
 */
export type DebianRootKind = 'initramfs-tools' | 'dracut';

export const DEBIAN_ROOTS_CACHE = process.env['VITRINE_DEBIAN_ROOTS'] ?? '/var/cache/vitrine-ci/debian-roots';
const script = join(repoRoot, '.ci', 'debian-roots');

const hasProgram = (name: string): boolean => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, name)));

/** Why this machine cannot run the tier (null when it can). */
export const debianRootMissing: string | null =
  process.getuid?.() !== 0
    ? 'the Debian root tier needs root (debootstrap, chroot, and the root files of a Debian system); .ci/run runs it as root'
    : !hasProgram('debootstrap')
      ? 'debootstrap is missing (apt-get install debootstrap; .ci/run installs it)'
      : !hasProgram('chroot')
        ? 'chroot is missing (coreutils)'
        : null;

/** The folder holding the cached roots: built now if missing (a few minutes, needs the network once). */
export function debianRoots(): string {
  const run = spawnSync(script, [DEBIAN_ROOTS_CACHE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`.ci/debian-roots failed (exit ${run.status}); see its output above`);
  return run.stdout.trim();
}

/** A chroot command's output in a root (the root's own tools: lsinitramfs, lsinitrd). */
export function inRoot(root: string, argv: string[]): string {
  return execFileSync('chroot', [root, ...argv], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
}

/** The kernel release installed in a root (its only /lib/modules folder). */
export function kernelRelease(root: string): string {
  const releases = readdirSync(join(root, 'lib', 'modules'));
  if (releases.length !== 1) throw new Error(`expected one kernel in ${root}, found ${releases.join(', ')}`);
  return releases[0]!;
}

/**
 * A fresh copy of a cached root with a fixture host laid into it: its sys/,
 * proc/ and dev/ trees (the PCI devices, the CPU vendor, the command line),
 * where the app and the helper read a scratch root's host from. The kernel
 * release in proc/ is the root's real one, so its real modules.alias is read.
 */
export function debianRootCopy(cache: string, kind: DebianRootKind, host: HostSpec): { dir: string; kernel: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `vitrine-debian-${kind}-`));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('cp', ['-a', '--reflink=auto', `${join(cache, kind)}/.`, dir]);
    const kernel = kernelRelease(dir);
    const fixture = mkdtempSync(join(tmpdir(), 'vitrine-debian-host-'));
    try {
      writeHostTree(host, fixture);
      for (const tree of ['sys', 'proc']) cpSync(join(fixture, tree), join(dir, tree), { recursive: true, verbatimSymlinks: true });
      cpSync(join(fixture, 'dev', 'kvm'), join(dir, 'dev', 'kvm'));
      writeFileSync(join(dir, 'proc', 'sys', 'kernel', 'osrelease'), `${kernel}\n`);
    } finally {
      rmSync(fixture, { recursive: true, force: true });
    }
    return { dir, kernel, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
