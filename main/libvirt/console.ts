import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
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
    const display = (await virsh.run(['domdisplay', '--domain', name], { reads: true }).catch(() => '')).trim();
    if (!display) {
      throw VitrineError.of('no-display', msg('error.vm.noDisplay', { name }), msg('error.vm.noDisplayHint'));
    }
    await spawnDetached(remote, ['--', display]);
    return { viewer: remote };
  }
  throw VitrineError.of('no-viewer', msg('error.vm.noViewer'), msg('error.vm.noViewerHint'));
}
