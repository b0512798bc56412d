import type { LookingGlassVmSettings, Monitor } from '../../shared/api';
import type { SpiceEndpoint } from './spice';

export interface ArgvInput {
  vm: string;
  shmFile: string;
  settings: LookingGlassVmSettings;
  /** The monitor the window goes to (full screen there), when known. */
  monitor: Monitor | null;
  spice: SpiceEndpoint;
}

/** What `spice:port` says while libvirt has not picked the port yet (the VM is off). */
export const PENDING_PORT = 'AUTO';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/**
 * The client's argv (B7). Every option is `module:name=value`: a boolean
 * given without a value, or as a short flag, *toggles* in Looking Glass
 * (`-s` turns SPICE off), so nothing here is ever a bare flag.
 * shared/reference/looking-glass.md.
 */
export function buildClientArgv(input: ArgvInput): string[] {
  const { settings, monitor, spice } = input;
  const argv = [
    `app:shmFile=${input.shmFile}`,
    `win:title=${input.vm} (Looking Glass)`,
    `win:size=${settings.resolution.width}x${settings.resolution.height}`,
    `win:fullScreen=${yesNo(settings.fullScreen)}`,
    `win:keepAspect=yes`,
    `win:autoResize=no`,
  ];
  if (monitor) argv.push(`win:position=${monitor.x}x${monitor.y}`);
  switch (spice.kind) {
    case 'tcp':
      argv.push('spice:enable=yes', `spice:host=${spice.host}`, `spice:port=${spice.port}`);
      break;
    case 'socket':
      argv.push('spice:enable=yes', `spice:host=${spice.path}`, 'spice:port=0');
      break;
    case 'pending':
      argv.push('spice:enable=yes', `spice:host=${spice.host}`, `spice:port=${PENDING_PORT}`);
      break;
    case 'none':
      argv.push('spice:enable=no');
      break;
  }
  argv.push(`input:escapeKey=${settings.escapeKey}`, 'input:grabKeyboard=yes');
  return argv;
}

/** Every argument is an explicit `module:name=value` (the launcher's own check: the client ignores unknown ones). */
export function checkArgv(argv: readonly string[]): string[] {
  return argv.filter((a) => !/^[a-z]+:[A-Za-z]+=\S/.test(a) || a.includes('\n'));
}
