import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { GpuHolders, HolderRole } from '../../shared/api';
import { hostPath, type HostRoots } from './roots';

/** Display managers and display servers: stopped (as the display manager) in single-GPU mode. */
const DISPLAY = new Set(['gdm', 'gdm3', 'gdm-x-session', 'gdm-wayland-session', 'sddm', 'sddm-helper', 'lightdm', 'xdm', 'ly', 'greetd', 'lxdm', 'Xorg', 'X', 'Xwayland']);
/** Compositors and desktop shells that open the card. */
const COMPOSITORS = new Set(['gnome-shell', 'mutter', 'kwin_wayland', 'kwin_x11', 'sway', 'Hyprland', 'weston', 'wayfire', 'labwc', 'river', 'niri', 'cosmic-comp', 'xfwm4', 'marco', 'muffin', 'cinnamon', 'plasmashell']);
const AUDIO = new Set(['pipewire', 'pipewire-pulse', 'wireplumber', 'pulseaudio', 'jackd']);

const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => [] as string[]);
const text = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);
const link = (path: string): Promise<string | null> => readlink(path).catch(() => null);

function roleOf(comm: string): HolderRole {
  if (comm === 'nvidia-persistenced') return 'nvidia-persistenced';
  if (DISPLAY.has(comm)) return 'display-manager';
  if (COMPOSITORS.has(comm)) return 'compositor';
  if (AUDIO.has(comm)) return 'audio';
  return 'other';
}

/** The /dev nodes of one PCI function: DRM card and render nodes, its NVIDIA minor, its sound card's nodes (as prefixes). */
async function nodesOf(roots: HostRoots, address: string, onlyNvidia: boolean): Promise<{ exact: string[]; sound: string[] }> {
  const dev = hostPath(roots, `/sys/bus/pci/devices/${address}`);
  const exact: string[] = [];
  for (const name of await list(join(dev, 'drm'))) if (/^(card|renderD)\d+$/.test(name)) exact.push(`/dev/dri/${name}`);
  const info = await text(hostPath(roots, `/proc/driver/nvidia/gpus/${address}/information`));
  const minor = info?.match(/^Device Minor:\s*(\d+)\s*$/m)?.[1];
  if (minor !== undefined) {
    exact.push(`/dev/nvidia${minor}`);
    // The control nodes serve every NVIDIA card: they count only when this is the only one.
    if (onlyNvidia) exact.push('/dev/nvidiactl', '/dev/nvidia-modeset');
  }
  const sound: string[] = [];
  for (const name of await list(join(dev, 'sound'))) {
    const n = /^card(\d+)$/.exec(name)?.[1];
    if (n !== undefined) sound.push(`/dev/snd/controlC${n}`, `/dev/snd/pcmC${n}D`, `/dev/snd/hwC${n}D`);
  }
  return { exact, sound };
}

/**
 * What holds a card (pure over the host's roots, so tests read fixture trees):
 * the processes of /proc with one of the card's own device nodes open (its
 * DRM card and render nodes, its /dev/nvidiaN, its HDMI audio function's
 * sound nodes; never another card's), each with its role; the display
 * manager; the boot framebuffer and the virtual consoles bound to a
 * framebuffer (only when the card is the boot display). What Vitrine's hook
 * stops is derived from this in `handoverSteps`.
 */
export async function findGpuHolders(roots: HostRoots, functions: string[], bootDisplay: boolean): Promise<GpuHolders> {
  const nvidiaCards = await list(hostPath(roots, '/proc/driver/nvidia/gpus'));
  const exact = new Set<string>();
  const sound: string[] = [];
  for (const address of functions) {
    const nodes = await nodesOf(roots, address, nvidiaCards.length <= 1);
    nodes.exact.forEach((n) => exact.add(n));
    sound.push(...nodes.sound);
  }
  const holds = (target: string): boolean => exact.has(target) || sound.some((s) => (s.endsWith('D') ? target.startsWith(s) : target === s));

  const processes: GpuHolders['processes'] = [];
  const proc = hostPath(roots, '/proc');
  for (const pid of (await list(proc)).filter((p) => /^\d+$/.test(p)).sort((a, b) => Number(a) - Number(b))) {
    const fds = await list(join(proc, pid, 'fd'));
    const held = new Set<string>();
    for (const fd of fds) {
      const target = await link(join(proc, pid, 'fd', fd));
      if (target && holds(target)) held.add(target);
    }
    if (held.size === 0) continue;
    const comm = ((await text(join(proc, pid, 'comm'))) ?? '?').trim();
    processes.push({ pid: Number(pid), comm, role: roleOf(comm), nodes: [...held].sort() });
  }

  const dmLink = await link(hostPath(roots, '/etc/systemd/system/display-manager.service'));
  const displayManager = dmLink ? basename(dmLink) : null;

  const framebuffers: string[] = [];
  const vtconsoles: string[] = [];
  if (bootDisplay) {
    for (const driver of ['efi-framebuffer', 'simple-framebuffer', 'vesa-framebuffer']) {
      for (const name of await list(hostPath(roots, `/sys/bus/platform/drivers/${driver}`))) if (name.startsWith(`${driver}.`)) framebuffers.push(name);
    }
    for (const vt of (await list(hostPath(roots, '/sys/class/vtconsole'))).sort()) {
      const bound = (await text(hostPath(roots, `/sys/class/vtconsole/${vt}/bind`)))?.trim() === '1';
      const name = (await text(hostPath(roots, `/sys/class/vtconsole/${vt}/name`))) ?? '';
      if (bound && name.includes('frame buffer')) vtconsoles.push(vt);
    }
  }
  return { functions: [...functions], bootDisplay, nodes: [...exact, ...sound.map((s) => (s.endsWith('D') ? `${s}*` : s))], processes, displayManager, framebuffers, vtconsoles };
}

/** Whether an SSH server runs (a process named sshd in /proc): the way back in if the card does not return. */
export async function sshServerRuns(roots: HostRoots): Promise<boolean> {
  const proc = hostPath(roots, '/proc');
  for (const pid of (await list(proc)).filter((p) => /^\d+$/.test(p))) {
    if (((await text(join(proc, pid, 'comm'))) ?? '').trim() === 'sshd') return true;
  }
  return false;
}

/**
 * What the hook will do for this card, in order, and what it restores (the
 * same, reversed), for the page shown before Play. Keys are i18n keys with
 * their values.
 */
export function handoverSteps(holders: GpuHolders): { stop: { key: string; values: Record<string, string> }[]; blockers: GpuHolders['processes'] } {
  const stop: { key: string; values: Record<string, string> }[] = [];
  if (holders.bootDisplay) stop.push({ key: 'handover.step.displayManager', values: { unit: holders.displayManager ?? 'display-manager.service' } });
  if (holders.processes.some((p) => p.role === 'nvidia-persistenced')) stop.push({ key: 'handover.step.persistenced', values: {} });
  if (holders.vtconsoles.length) stop.push({ key: 'handover.step.consoles', values: { list: holders.vtconsoles.join(', ') } });
  if (holders.framebuffers.length) stop.push({ key: 'handover.step.framebuffer', values: { list: holders.framebuffers.join(', ') } });
  stop.push({ key: 'handover.step.unbind', values: { list: holders.functions.join(', ') } });
  // What stopping the display manager does not end keeps the card busy: the hook refuses then.
  const ends = (p: GpuHolders['processes'][number]): boolean => holders.bootDisplay && (p.role === 'display-manager' || p.role === 'compositor' || p.role === 'audio');
  const blockers = holders.processes.filter((p) => !ends(p) && p.role !== 'nvidia-persistenced');
  return { stop, blockers };
}
