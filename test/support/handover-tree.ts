import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// What a GPU handover touches, added to a fixture host tree (test/support/host-tree.ts):
// the consoles, the boot framebuffer, the cards' render nodes and sysfs
// control files, and a fixture /proc whose processes hold device nodes.

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A process of the fixture /proc: its name and the device nodes it holds open. */
export interface FixtureProcess {
  pid: number;
  comm: string;
  holds: string[];
  /** systemd unit (for /proc/PID/cgroup). */
  unit?: string;
}

/** Write (or replace) a process of the fixture /proc. */
export function writeProcess(proc: string, p: FixtureProcess): void {
  const dir = join(proc, String(p.pid));
  rmSync(dir, { recursive: true, force: true });
  put(join(dir, 'comm'), `${p.comm}\n`);
  put(join(dir, 'cgroup'), `0::/system.slice/${p.unit ?? 'user.slice'}\n`);
  mkdirSync(join(dir, 'fd'), { recursive: true });
  symlinkSync('/dev/null', join(dir, 'fd', '0'));
  p.holds.forEach((node, i) => symlinkSync(node, join(dir, 'fd', String(3 + i))));
}

/**
 * Add the handover's parts to a host tree under `sys`: vtcon0 (a dummy
 * console) and vtcon1 (the frame buffer console), both bound; the EFI
 * framebuffer; render nodes beside the cards' DRM nodes (`cards` maps a PCI
 * address to its card number); driver_override and the drivers' bind and
 * unbind files. The writes the hook makes land in these regular files.
 */
export function writeHandoverParts(sys: string, cards: Record<string, number>, framebuffer: 'efi-framebuffer' | 'simple-framebuffer' | 'vesa-framebuffer' | null = 'efi-framebuffer'): void {
  put(join(sys, 'class/vtconsole/vtcon0/name'), '(S) dummy device\n');
  put(join(sys, 'class/vtconsole/vtcon0/bind'), '1\n');
  put(join(sys, 'class/vtconsole/vtcon1/name'), '(M) frame buffer device\n');
  put(join(sys, 'class/vtconsole/vtcon1/bind'), '1\n');
  if (framebuffer) {
    const base = join(sys, 'bus/platform/drivers', framebuffer);
    mkdirSync(join(base, `${framebuffer}.0`), { recursive: true });
    put(join(base, 'bind'), '');
    put(join(base, 'unbind'), '');
  }
  put(join(sys, 'bus/pci/drivers_probe'), '');
  for (const [address, n] of Object.entries(cards)) {
    const dev = join(sys, 'bus/pci/devices', address);
    mkdirSync(join(dev, 'drm', `card${n}`), { recursive: true });
    mkdirSync(join(dev, 'drm', `renderD${128 + n}`), { recursive: true });
  }
  const devices = join(sys, 'bus/pci/devices');
  for (const driver of existsSync(join(sys, 'bus/pci/drivers')) ? readdir(join(sys, 'bus/pci/drivers')) : []) {
    put(join(sys, 'bus/pci/drivers', driver, 'bind'), '');
    put(join(sys, 'bus/pci/drivers', driver, 'unbind'), '');
  }
  for (const address of readdir(devices)) put(join(devices, address, 'driver_override'), '(null)\n');
}

const readdir = (dir: string): string[] => readdirSync(dir);

/**
 * A stand-in for systemctl (is-active --quiet, stop, start) over stand-in
 * services: a service is active while its fixture process exists in `proc`;
 * stop removes that process, start writes it again. Every call is appended to
 * `journal`. Returns the program's path.
 */
export function writeStandInSystemctl(dir: string, proc: string, services: Record<string, FixtureProcess>): { path: string; journal: string } {
  const journal = join(dir, 'systemctl.journal');
  const path = join(dir, 'systemctl');
  const cases = Object.entries(services)
    .map(([unit, p]) => {
      const pdir = join(proc, String(p.pid));
      const links = p.holds.map((node, i) => `ln -s '${node}' '${pdir}/fd/${3 + i}'`).join('; ');
      return `  ${unit})
    case "$1" in
      is-active) [ -d '${pdir}' ] ;;
      stop) rm -rf '${pdir}' ;;
      start) mkdir -p '${pdir}/fd' && printf '%s\\n' '${p.comm}' >'${pdir}/comm' && ${links || 'true'} ;;
      *) exit 2 ;;
    esac ;;`;
    })
    .join('\n');
  writeFileSync(
    path,
    `#!/bin/sh
# stand-in systemctl for the handover tests
[ "$2" = --quiet ] && set -- "$1" "$3"
printf '%s %s\\n' "$1" "$2" >>'${journal}'
case "$2" in
${cases}
  *) [ "$1" = is-active ] && exit 3; exit 5 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  writeFileSync(journal, '');
  return { path, journal };
}

/** A file's text, '' when missing. */
export const textOf = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
