import { VitrineError } from '../common/errors';
import { spawnDetached } from '../common/process';
import { which } from '../host/which';
import type { Virsh } from './virsh';

/**
 * Open a VM's graphical console (SPICE/VNC), for installing Windows before
 * the GPU is attached: virt-viewer (which follows the VM by name and waits
 * for it to start), else remote-viewer on the running VM's display address
 * (`virsh domdisplay`). Started detached: it is the user's window.
 */
export async function openConsole(virsh: Virsh, name: string): Promise<{ viewer: string }> {
  const viewer = await which('virt-viewer');
  if (viewer) {
    await spawnDetached(viewer, ['--connect', virsh.uri, '--wait', '--reconnect', '--', name]);
    return { viewer };
  }
  const remote = await which('remote-viewer');
  if (remote) {
    const display = (await virsh.run(['domdisplay', '--domain', name]).catch(() => '')).trim();
    if (!display) {
      throw new VitrineError({
        kind: 'no-display',
        message: `${name} has no screen to show now: it is not running, or it has no SPICE or VNC display.`,
        hint: 'Start the VM, then open the console again (installing virt-viewer lets the console wait for the VM to start).',
      });
    }
    await spawnDetached(remote, ['--', display]);
    return { viewer: remote };
  }
  throw new VitrineError({
    kind: 'no-viewer',
    message: 'No viewer for the VM\'s screen is installed (virt-viewer).',
    hint: 'Install virt-viewer (Debian, Ubuntu, Fedora, Arch: the package virt-viewer), then open the console again. virt-manager works too.',
  });
}
