import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write';

/**
 * Start at login through an XDG autostart entry
 * (https://specifications.freedesktop.org/autostart-spec/latest/): Electron's
 * setLoginItemSettings does nothing on Linux.
 */

export const DESKTOP_ID = 'io.github.vitrine.Vitrine';

/** $XDG_CONFIG_HOME/autostart/io.github.vitrine.Vitrine.desktop */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'].startsWith('/') ? env['XDG_CONFIG_HOME'] : join(env['HOME'] || homedir(), '.config');
  return join(base, 'autostart', `${DESKTOP_ID}.desktop`);
}

/** Quote one argument for a desktop entry's Exec key (the spec's rules). */
export function quoteExecArg(arg: string): string {
  if (/^[\w./:=+-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1').replace(/%/g, '%%')}"`;
}

/** How this install starts: the AppImage file, the deb's /usr/bin/vitrine, or this Electron binary. */
export function launchCommand(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath, usrBin = '/usr/bin/vitrine'): string[] {
  if (env['APPIMAGE']) return [env['APPIMAGE']];
  if (existsSync(usrBin)) return [usrBin];
  return [execPath];
}

/** The autostart entry: starts Vitrine in the tray, without a window. */
export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Vitrine',
    'Comment=Play a GPU-passthrough Windows VM like a native app',
    `Exec=${[...command, '--hidden'].map(quoteExecArg).join(' ')}`,
    `Icon=${DESKTOP_ID}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'NoDisplay=true',
    '',
  ].join('\n');
}

/** Write or remove the autostart entry. */
export async function setStartAtLogin(enabled: boolean, command: string[] = launchCommand(), file = autostartFile()): Promise<void> {
  if (!enabled) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(join(file, '..'), { recursive: true });
  await writeFileAtomic(file, autostartEntry(command), { mode: 0o644 });
}
