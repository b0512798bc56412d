import { access, readdir, readFile, readlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { cpus, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Monitor, VmDefaults } from '../../shared/api';
import { freeGiB } from '../common/files';
import { defaultResolution } from '../host/monitors';
import { DEFAULT_ROOTS, type HostRoots } from '../host/roots';
import { localeFromHost } from './unattend';

/** The host's locale for an unattended install: LC_ALL/LANG, the console keyboard (/etc/default/keyboard), the time zone (/etc/timezone or the /etc/localtime link). */
export async function hostLocale(etc: string, env: NodeJS.ProcessEnv = process.env): Promise<{ language: string; keyboard: string; timeZone: string }> {
  const keyboard = await readFile(join(etc, 'default', 'keyboard'), 'utf8').catch(() => '');
  const xkbLayout = keyboard.match(/^XKBLAYOUT="?([^"\n]*)"?/m)?.[1];
  const tzFile = (await readFile(join(etc, 'timezone'), 'utf8').catch(() => '')).trim();
  const tzLink = (await readlink(join(etc, 'localtime')).catch(() => '')).match(/zoneinfo\/(.+)$/)?.[1];
  return localeFromHost({ lang: env['LC_ALL'] || env['LC_MESSAGES'] || env['LANG'], xkbLayout, timeZone: tzFile || tzLink });
}

/** Where new disks go: libvirt's own image folders (session: in the user's home). */
export function defaultDiskDir(uri: string, home = homedir()): string {
  return uri.includes('/session') ? join(home, '.local', 'share', 'libvirt', 'images') : '/var/lib/libvirt/images';
}

/** A free VM name from a base: win11, win11-2, … */
export function freeName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

async function isoFiles(dirs: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) if (name.toLowerCase().endsWith('.iso')) found.push(join(dir, name));
  }
  return found;
}

/**
 * The VM form's starting values for this host: all but two of its threads
 * (the host keeps some), half its memory up to 16 GiB, a 128 GiB disk in
 * libvirt's image folder, the primary monitor's resolution, KVM when this user
 * may use it (else TCG, and the form says why), networking that works on the
 * connection (user-mode on qemu:///session). /dev/kvm is looked for under `roots.dev`.
 */
export async function vmDefaults(uri: string, monitors: Monitor[], taken: Set<string>, fallbackResolution: { width: number; height: number } | null, roots: Pick<HostRoots, 'dev'> & Partial<Pick<HostRoots, 'etc'>> = DEFAULT_ROOTS): Promise<VmDefaults> {
  const hostCpus = cpus().length;
  const threads = hostCpus >= 4 && hostCpus % 2 === 0 ? 2 : 1;
  const vcpus = Math.max(threads, Math.floor(Math.max(1, hostCpus - 2) / threads) * threads);
  const hostMemoryMiB = Math.floor(totalmem() / 1024 / 1024);
  const memoryMiB = Math.max(1024, Math.min(16384, Math.floor(hostMemoryMiB / 2 / 1024) * 1024));
  const kvmUsable = await access(join(roots.dev, 'kvm'), constants.R_OK | constants.W_OK).then(() => true, () => false);
  const name = freeName('win11', taken);
  const diskDir = defaultDiskDir(uri);
  const isos = await isoFiles([join(homedir(), 'Downloads'), homedir()]);
  return {
    spec: {
      name,
      os: 'win11',
      vcpus,
      threads,
      memoryMiB,
      hugepages: false,
      disk: { path: join(diskDir, `${name}.qcow2`), sizeGiB: 128 },
      network: uri.includes('/session') ? { type: 'user' } : { type: 'network', name: 'default' },
      windowsIso: isos.find((p) => /win/i.test(p.split('/').at(-1)!) && !/virtio/i.test(p)) ?? '',
      virtioIso: isos.find((p) => /virtio/i.test(p.split('/').at(-1)!)) ?? '',
      lookingGlassMiB: null,
      resolution: defaultResolution(monitors, fallbackResolution),
      virtType: kvmUsable ? 'kvm' : 'qemu',
    },
    hostCpus,
    hostMemoryMiB,
    kvmUsable,
    diskFreeGiB: await freeGiB(diskDir),
    isoCandidates: { windows: isos.filter((p) => !/virtio/i.test(p)), virtio: isos.filter((p) => /virtio/i.test(p)) },
    locale: await hostLocale(roots.etc ?? DEFAULT_ROOTS.etc),
  };
}
