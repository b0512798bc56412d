import type { Monitor } from '../../shared/api';
import { runFile } from '../common/process';

/** Monitors from `xrandr --query`: every connected output with a mode (`DP-1 connected primary 2560x1440+0+0 …`). */
export function parseXrandr(text: string): Monitor[] {
  const monitors: Monitor[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^(\S+) connected (primary )?(\d+)x(\d+)\+(\d+)\+(\d+)/);
    if (m) monitors.push({ name: m[1]!, primary: Boolean(m[2]), width: Number(m[3]), height: Number(m[4]), x: Number(m[5]), y: Number(m[6]) });
  }
  if (monitors.length > 0 && !monitors.some((mon) => mon.primary)) monitors[0]!.primary = true;
  return monitors;
}

/** The desktop's monitors through xrandr, when there is an X display (empty otherwise). */
export async function xrandrMonitors(env: NodeJS.ProcessEnv = process.env): Promise<Monitor[]> {
  if (!env['DISPLAY']) return [];
  return runFile('xrandr', ['--query'], 5000).then(parseXrandr, () => []);
}

/** The monitor a resolution belongs on: one with exactly that size (the primary first), else the primary. */
export function pickMonitor(monitors: readonly Monitor[], resolution: { width: number; height: number }): Monitor | null {
  const exact = monitors.filter((m) => m.width === resolution.width && m.height === resolution.height);
  return exact.find((m) => m.primary) ?? exact[0] ?? monitors.find((m) => m.primary) ?? monitors[0] ?? null;
}

export const FALLBACK_RESOLUTION = { width: 1920, height: 1080 };

/** The default guest resolution: the primary monitor's, else the setting, else 1920×1080. */
export function defaultResolution(monitors: readonly Monitor[], fallback: { width: number; height: number } | null): { width: number; height: number } {
  const primary = monitors.find((m) => m.primary) ?? monitors[0];
  return primary ? { width: primary.width, height: primary.height } : (fallback ?? FALLBACK_RESOLUTION);
}
