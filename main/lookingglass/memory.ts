import { msg, type Msg } from '../../shared/i18n/message';
import { access, readFile, stat } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { MemoryCheck, MemoryProblem, VmDetails } from '../../shared/api';
import { lookingGlassMiBFor, type LgReleaseRow } from '../../shared/lg-release';

/**
 * The checks Vitrine makes on Looking Glass's shared memory before it starts
 * a VM and before it opens the client: the file or device is there, of the
 * right type, the user may read and write it, and it is big enough.
 * Facts: shared/reference/looking-glass.md.
 */

export interface MemoryTarget {
  mode: 'shmem' | 'kvmfr';
  path: string;
  /** The size the domain asks for. */
  configuredMiB: number;
  /** The shmem name or memory backend id in the domain. */
  device?: string;
}

/** Who will run the client: the desktop user (never root). */
export interface UserIdentity {
  name: string;
  uid: number;
  gids: number[];
}

export interface MemoryCheckOptions {
  target: MemoryTarget | null;
  neededMiB: number;
  user: UserIdentity;
  /** Before the VM starts, QEMU has not created or sized the memory yet. */
  phase: 'before-start' | 'running';
  /** qemu:///session runs QEMU as the user, so QEMU creates a file the user owns. */
  session: boolean;
  /** Where kvmfr's module parameters are (tests point it at a fixture). */
  kvmfrParams?: string;
}

export const SHM_DIR = '/dev/shm';
export const KVMFR_DEVICE = '/dev/kvmfr0';
const KVMFR_PARAMS = '/sys/module/kvmfr/parameters/static_size_mb';

/** The VM's Looking Glass memory as its domain describes it, or null when it has none. */
export function memoryTarget(details: Pick<VmDetails, 'lookingGlass'>, shmDir = SHM_DIR, kvmfrDevice = KVMFR_DEVICE): MemoryTarget | null {
  const lg = details.lookingGlass;
  if (!lg) return null;
  // shmDir and kvmfrDevice stand for /dev/shm and /dev/kvmfr0 (tests move them); other paths are the domain's own.
  const path = lg.path === KVMFR_DEVICE ? kvmfrDevice : lg.path.startsWith(`${SHM_DIR}/`) ? join(shmDir, lg.path.slice(SHM_DIR.length + 1)) : lg.path;
  return { mode: lg.mode, path, configuredMiB: lg.sizeMiB, device: lg.device };
}

/** The current process as a client user. */
export function currentUser(name: string): UserIdentity {
  return { name, uid: process.getuid?.() ?? -1, gids: process.getgroups?.() ?? [] };
}

/** Whether `user` may read and write a file with these owner, group and mode bits (POSIX, no ACLs). */
export function modeAllowsReadWrite(st: Pick<Stats, 'uid' | 'gid' | 'mode'>, user: UserIdentity): boolean {
  if (user.uid === 0) return true;
  if (st.uid === user.uid) return (st.mode & 0o600) === 0o600;
  if (user.gids.includes(st.gid)) return (st.mode & 0o060) === 0o060;
  return (st.mode & 0o006) === 0o006;
}

async function mayReadWrite(path: string, st: Stats, user: UserIdentity): Promise<boolean> {
  if (modeAllowsReadWrite(st, user)) return true;
  // For the current user the kernel knows best (ACLs such as libvirt's qemu.conf ones).
  if (user.uid === process.getuid?.()) return access(path, constants.R_OK | constants.W_OK).then(() => true, () => false);
  return false;
}

const mib = (bytes: number): number => Math.floor(bytes / (1024 * 1024));
const describe = (st: Stats): string => (st.isDirectory() ? 'a folder' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSymbolicLink() ? 'a link' : st.isFile() ? 'a regular file' : 'a special file');
/** The same words as catalogue messages, for the UI. */
const describeMsg = (st: Stats): Msg => msg(`lgError.kind.${st.isDirectory() ? 'folder' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'special'}`);
const ownerMsg = (st: Stats): Msg => msg('lgError.owner', { uid: String(st.uid), gid: String(st.gid), mode: (st.mode & 0o777).toString(8).padStart(4, '0') });
const ownerText = (st: Stats): string => `owner uid ${st.uid}, group gid ${st.gid}, mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;

async function kvmfrModuleMiB(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const first = Number(text.trim().split(',')[0]);
  return Number.isFinite(first) && first > 0 ? first : null;
}

/** Check a VM's Looking Glass memory; every problem comes with its fix. */
export async function checkMemory(options: MemoryCheckOptions): Promise<MemoryCheck> {
  const { target, neededMiB, user, phase } = options;
  const problems: MemoryProblem[] = [];
  const base: MemoryCheck = { mode: target?.mode ?? null, device: target?.device ?? null, path: target?.path ?? null, neededMiB, configuredMiB: target?.configuredMiB ?? null, actualMiB: null, problems };
  if (!target) {
    problems.push({
      kind: 'not-configured',
      message: 'This VM has no Looking Glass memory device.',
      fix: `Add ${neededMiB} MiB of Looking Glass memory on the VM page (or: vitrine vm xml NAME --shmem ${neededMiB} --apply).`,
      msg: { message: msg('lgError.noMemory'), fix: msg('lgError.noMemoryFix', { size: String(neededMiB) }) },
    });
    return base;
  }
  if (target.configuredMiB < neededMiB) {
    problems.push({
      kind: 'too-small',
      message: `The VM gives Looking Glass ${target.configuredMiB} MiB, and its resolution needs ${neededMiB} MiB.`,
      fix: `With the VM off, set the Looking Glass memory to ${neededMiB} MiB on the VM page${target.mode === 'shmem' ? `, then delete the old ${target.path}` : ` and load kvmfr with static_size_mb=${neededMiB}`}.`,
      msg: {
        message: msg('lgError.tooSmall', { configured: String(target.configuredMiB), needed: String(neededMiB) }),
        fix: target.mode === 'shmem' ? msg('lgError.tooSmallFixShm', { needed: String(neededMiB), path: target.path }) : msg('lgError.tooSmallFixKvmfr', { needed: String(neededMiB) }),
      },
    });
  }
  let st: Stats;
  try {
    st = await stat(target.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      problems.push({
        kind: 'no-access',
        message: `${target.path} cannot be examined (${code}).`,
        fix: `Check the folder's permissions: ls -ld ${target.path}`,
        msg: { message: msg('lgError.cannotExamine', { path: target.path, code: code ?? '' }), fix: msg('lgError.cannotExamineFix', { path: target.path }) },
      });
    } else if (target.mode === 'kvmfr') {
      problems.push({
        kind: 'missing',
        message: `${target.path} does not exist: the kvmfr module is not loaded.`,
        fix: `Load it: sudo modprobe kvmfr static_size_mb=${target.configuredMiB}; to load it at every boot, prepare the host with Looking Glass through kvmfr (Host page).`,
        msg: { message: msg('lgError.kvmfrNotLoaded', { path: target.path }), fix: msg('lgError.kvmfrNotLoadedFix', { size: String(target.configuredMiB) }) },
      });
    } else if (phase === 'running') {
      problems.push({
        kind: 'missing',
        message: `${target.path} does not exist although the VM runs.`,
        fix: `Check that the VM has its Looking Glass memory device${target.device ? ` (${target.device})` : ''} on the VM page, then restart the VM.`,
        msg: { message: msg('lgError.missingRunning', { path: target.path }), fix: msg('lgError.missingRunningFix') },
      });
    } else if (!options.session) {
      problems.push({
        kind: 'missing',
        message: `${target.path} does not exist yet; QEMU would create it owned by its own user, and your Looking Glass client could not open it.`,
        fix: `Add the tmpfiles rule "f ${target.path} 0660 ${user.name} kvm -" (host preparation does it), then run: sudo systemd-tmpfiles --create`,
        msg: { message: msg('lgError.notCreatedYet', { path: target.path }), fix: msg('lgError.notCreatedYetFix', { path: target.path, user: user.name }) },
      });
    }
    return base;
  }
  const wantChar = target.mode === 'kvmfr';
  if (wantChar ? !st.isCharacterDevice() : !st.isFile()) {
    problems.push(
      wantChar && st.isFile()
        ? {
            kind: 'wrong-type',
            message: `${target.path} is a regular file, not the kvmfr device: the VM started before the kvmfr module was loaded and QEMU created a file.`,
            fix: `With the VM off: sudo rm ${target.path}; sudo modprobe kvmfr static_size_mb=${target.configuredMiB}`,
            msg: { message: msg('lgError.kvmfrIsFile', { path: target.path }), fix: msg('lgError.kvmfrIsFileFix', { path: target.path, size: String(target.configuredMiB) }) },
          }
        : {
            kind: 'wrong-type',
            message: `${target.path} is ${describe(st)}, not ${wantChar ? 'a character device' : 'a regular file'}.`,
            fix: wantChar ? `Remove it with the VM off and load the kvmfr module.` : `With the VM off, remove it (sudo rm -r ${target.path}); QEMU or the tmpfiles rule creates the right file.`,
            msg: {
              message: msg('lgError.wrongType', { path: target.path, is: describeMsg(st), want: msg(wantChar ? 'lgError.kind.char' : 'lgError.kind.file') }),
              fix: wantChar ? msg('lgError.wrongTypeFixChar') : msg('lgError.wrongTypeFixFile', { path: target.path }),
            },
          },
    );
    return base;
  }
  if (wantChar) {
    const moduleMiB = await kvmfrModuleMiB(options.kvmfrParams ?? KVMFR_PARAMS);
    base.actualMiB = moduleMiB;
    if (moduleMiB !== null && moduleMiB !== target.configuredMiB) {
      problems.push({
        kind: 'module-size',
        message: `The kvmfr module was loaded with ${moduleMiB} MiB and the VM asks for ${target.configuredMiB} MiB; they must be equal.`,
        fix: `Set "options kvmfr static_size_mb=${Math.max(target.configuredMiB, neededMiB)}" in /etc/modprobe.d/kvmfr.conf (host preparation), then reload the module with the VM off.`,
        msg: {
          message: msg('lgError.moduleSize', { module: String(moduleMiB), vm: String(target.configuredMiB) }),
          fix: msg('lgError.moduleSizeFix', { size: String(Math.max(target.configuredMiB, neededMiB)) }),
        },
      });
    }
  } else {
    base.actualMiB = mib(st.size);
    if (phase === 'before-start' && st.size > 0 && mib(st.size) !== target.configuredMiB) {
      problems.push({
        kind: 'stale',
        message: `${target.path} is ${mib(st.size)} MiB, left by an earlier run; QEMU refuses to start with ${target.configuredMiB} MiB over it.`,
        fix: `Delete it with the VM off: rm ${target.path} (sudo when it is not yours).`,
        msg: { message: msg('lgError.staleSize', { path: target.path, size: String(mib(st.size)), configured: String(target.configuredMiB) }), fix: msg('lgError.staleSizeFix', { path: target.path }) },
      });
    }
    if (phase === 'running' && mib(st.size) < neededMiB) {
      problems.push({
        kind: 'too-small',
        message: `${target.path} is ${mib(st.size)} MiB and the resolution needs ${neededMiB} MiB.`,
        fix: `Stop the VM, set ${neededMiB} MiB on the VM page, delete ${target.path}, and start again.`,
        msg: { message: msg('lgError.fileTooSmall', { path: target.path, size: String(mib(st.size)), needed: String(neededMiB) }), fix: msg('lgError.fileTooSmallFix', { path: target.path, needed: String(neededMiB) }) },
      });
    }
  }
  if (!(await mayReadWrite(target.path, st, user))) {
    const stale = !wantChar && phase === 'before-start' && st.uid !== user.uid;
    problems.push(
      stale
        ? {
            kind: 'stale',
            message: `${target.path} belongs to someone else (${ownerText(st)}), left by an earlier run: QEMU cannot reuse it and your client could not open it.`,
            fix: `With the VM off: sudo rm ${target.path}; then add the tmpfiles rule "f ${target.path} 0660 ${user.name} kvm -" (host preparation does it).`,
            msg: { message: msg('lgError.staleOwner', { path: target.path, owner: ownerMsg(st) }), fix: msg('lgError.staleOwnerFix', { path: target.path, user: user.name }) },
          }
        : {
            kind: 'no-access',
            message: `${user.name} may not read and write ${target.path} (${ownerText(st)}).`,
            fix: wantChar
              ? `Add the udev rule SUBSYSTEM=="kvmfr", OWNER="${user.name}", GROUP="kvm", MODE="0660" (host preparation does it), then: sudo udevadm trigger --subsystem-match=kvmfr`
              : `Add the tmpfiles rule "f ${target.path} 0660 ${user.name} kvm -" (host preparation does it), stop the VM, delete the file and start again.`,
            msg: {
              message: msg('lgError.noReadWrite', { user: user.name, path: target.path, owner: ownerMsg(st) }),
              fix: wantChar ? msg('lgError.noReadWriteFixChar', { user: user.name }) : msg('lgError.noReadWriteFixFile', { path: target.path, user: user.name }),
            },
          },
    );
  }
  return base;
}

/** The memory a VM's Looking Glass settings need on a release (its formula; B7's when not given). */
export function neededMiB(settings: { resolution: { width: number; height: number }; hdr: boolean }, rules: Pick<LgReleaseRow, 'formula'> = { formula: 'b7' }): number {
  return lookingGlassMiBFor(rules, settings.resolution.width, settings.resolution.height, settings.hdr);
}
