import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { run, type RunError } from '../common/process';
import { ISO_EXTRA_DIR, LG_INSTALLER_NAME, virtioDriverDirs } from './unattend';

/** The answer-file ISO's volume label. */
export const UNATTEND_LABEL = 'VITRINE_UNATTEND';

/** The answer-file ISO beside the VM's disk: `<disk folder>/<vm>-unattend.iso`. */
export function unattendIsoPath(diskPath: string, vmName: string): string {
  return join(diskPath.slice(0, Math.max(1, diskPath.lastIndexOf('/'))), `${vmName}-unattend.iso`);
}

function xorrisoMissing(error: unknown): VitrineError | null {
  if ((error as RunError).code !== 'ENOENT') return null;
  return VitrineError.of('xorriso-missing', msg('error.vm.xorrisoMissing'), msg('error.vm.xorrisoMissingHint'));
}

/**
 * Build the answer-file ISO (ISO 9660 + Joliet + Rock Ridge, label
 * VITRINE_UNATTEND): autounattend.xml at its root and, when given, the Looking
 * Glass installer as vitrine/looking-glass-host-setup.exe. The answer file
 * (it holds the password) is staged in a private folder that is removed at
 * once; the ISO is made readable by its owner only (libvirt gives QEMU access
 * when the VM starts).
 */
export async function buildUnattendIso(out: string, answerFile: string, lookingGlassInstaller: string | null, xorriso = 'xorriso'): Promise<void> {
  const stage = await mkdtemp(join(tmpdir(), 'vitrine-unattend-'));
  try {
    const xmlPath = join(stage, 'autounattend.xml');
    await writeFile(xmlPath, answerFile, { mode: 0o600 });
    const grafts = [`autounattend.xml=${xmlPath}`];
    if (lookingGlassInstaller) {
      const copy = join(stage, LG_INSTALLER_NAME);
      await copyFile(lookingGlassInstaller, copy).catch((error: NodeJS.ErrnoException) => {
        throw VitrineError.of('missing-file', msg('error.vm.lgInstallerUnreadable', { path: lookingGlassInstaller, said: error.code ?? error.message }), msg('error.vm.lgInstallerUnreadableHint'));
      });
      grafts.push(`${ISO_EXTRA_DIR}/${LG_INSTALLER_NAME}=${copy}`);
    }
    await rm(out, { force: true });
    try {
      await run(xorriso, ['-as', 'mkisofs', '-quiet', '-o', out, '-V', UNATTEND_LABEL, '-J', '-r', '-graft-points', ...grafts], { timeoutMs: 120_000 });
    } catch (error) {
      await rm(out, { force: true });
      throw xorrisoMissing(error) ?? VitrineError.of('iso-build', msg('error.vm.isoBuildFailed', { said: ((error as RunError).stderr || (error as Error).message).trim().split('\n').at(-1) ?? '' }), msg('error.vm.isoBuildFailedHint'));
    }
    await chmod(out, 0o600);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** An ISO's volume label and every path in it (`/viostor/w11/amd64`), read with xorriso. */
export async function listIso(iso: string, xorriso = 'xorriso'): Promise<{ label: string | null; paths: string[] }> {
  try {
    const { stdout } = await run(xorriso, ['-indev', iso, '-pvd_info', '-find', '/', '-maxdepth', '3'], { timeoutMs: 60_000 });
    const label = stdout.match(/^Volume Id\s*:\s*(.*)$/m)?.[1]?.trim() ?? null;
    const paths = [...stdout.matchAll(/^'(\/[^\n]*)'$/gm)].map((m) => m[1]!.replace(/'"'"'/g, "'"));
    return { label, paths };
  } catch (error) {
    throw xorrisoMissing(error) ?? VitrineError.of('iso-read', msg('error.vm.isoReadFailed', { path: iso, said: ((error as RunError).stderr || (error as Error).message).trim().split('\n').at(-1) ?? '' }), msg('error.vm.isoReadFailedHint'));
  }
}

/**
 * The virtio-win ISO must have the storage and network drivers of this
 * Windows version (viostor/w11/amd64…) and virtio-win-guest-tools.exe, or
 * setup would not see the disk. Names compare without case (ISO 9660 names
 * without Rock Ridge are upper case; Windows does not care).
 */
export function missingVirtioParts(paths: readonly string[], os: 'win10' | 'win11'): string[] {
  const have = new Set(paths.map((p) => p.toLowerCase()));
  const wanted = [...virtioDriverDirs(os).filter((d) => !d.startsWith('vioscsi')), 'virtio-win-guest-tools.exe'];
  return wanted.filter((p) => !have.has(`/${p.toLowerCase()}`));
}

export async function checkVirtioIso(iso: string, os: 'win10' | 'win11', xorriso = 'xorriso'): Promise<void> {
  const { paths } = await listIso(iso, xorriso);
  const missing = missingVirtioParts(paths, os);
  if (missing.length > 0) {
    throw VitrineError.of('virtio-iso-incomplete', msg('error.vm.virtioIncomplete', { path: iso, missing: missing.join(', ') }), msg('error.vm.virtioIncompleteHint', { drivers: os === 'win11' ? 'w11' : 'w10' }));
  }
}
