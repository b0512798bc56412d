import type { LookingGlassVmSettings, Monitor } from '../../shared/api';
import type { LgRules } from '../../shared/lg-release';
import type { SpiceEndpoint } from './spice';

export interface ArgvInput {
  vm: string;
  shmFile: string;
  settings: LookingGlassVmSettings;
  /** The monitor the window goes to (full screen there), when known. */
  monitor: Monitor | null;
  spice: SpiceEndpoint;
  /** The client's release rules (shared/lg-release.ts): option names, setGuestRes. */
  rules: Pick<LgRules, 'shmOption' | 'setGuestRes'>;
}

/** What `spice:port` says while libvirt has not picked the port yet (the VM is off). */
export const PENDING_PORT = 'AUTO';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/**
 * The client's argv for its release. Every option is `module:name=value`: a boolean
 * given without a value, or as a short flag, *toggles* in Looking Glass
 * (`-s` turns SPICE off), so nothing here is ever a bare flag. The memory
 * option is `app:shmFile` up to B7 and `lgmp:shmDevice` after (the old name
 * warns there); where `win:setGuestRes` exists (on by default) it is given
 * explicitly, and `win:autoResize` is always `no` (the two together make the
 * client refuse to start). shared/reference/looking-glass.md.
 */
export function buildClientArgv(input: ArgvInput): string[] {
  const { settings, monitor, spice } = input;
  const argv = [
    `${input.rules.shmOption}=${input.shmFile}`,
    `win:title=${input.vm} (Looking Glass)`,
    `win:size=${settings.resolution.width}x${settings.resolution.height}`,
    `win:fullScreen=${yesNo(settings.fullScreen)}`,
    `win:keepAspect=yes`,
    `win:autoResize=no`,
  ];
  if (input.rules.setGuestRes) argv.push('win:setGuestRes=yes');
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

/**
 * Every argument is an explicit `module:name=value` (the launcher's own check:
 * the client ignores unknown ones), and, given the release's rules, none is
 * an option it warns about (renamed) or ignores (unknown to it), and
 * `win:autoResize=yes` never meets `win:setGuestRes` on.
 */
export function checkArgv(argv: readonly string[], rules?: Pick<LgRules, 'renamed' | 'unknown' | 'setGuestRes'>): string[] {
  const bad = argv.filter((a) => !/^[a-z]+:[A-Za-z]+=\S/.test(a) || a.includes('\n'));
  if (!rules) return bad;
  const name = (a: string): string => a.slice(0, a.indexOf('=')).toLowerCase();
  const renamed = new Set(Object.keys(rules.renamed).map((o) => o.toLowerCase()));
  const unknown = new Set(rules.unknown.map((o) => o.toLowerCase()));
  const value = (option: string): string | undefined => argv.find((a) => name(a) === option.toLowerCase())?.split('=')[1];
  const guestRes = rules.setGuestRes && !/^(no|0|off|false)$/i.test(value('win:setGuestRes') ?? 'yes');
  for (const a of argv) {
    if (bad.includes(a)) continue;
    if (renamed.has(name(a)) || unknown.has(name(a))) bad.push(a);
    else if (guestRes && name(a) === 'win:autoresize' && /^(yes|1|on|true)$/i.test(a.split('=')[1] ?? '')) bad.push(a);
  }
  return bad;
}
