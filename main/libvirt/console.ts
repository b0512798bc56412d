import { VitrineError } from '../common/errors';
import { spawnDetached } from '../common/process';
import { which } from '../host/which';

/**
 * Open a VM's display in virt-viewer (SPICE), for installing Windows before
 * the GPU is attached. Started detached: it is the user's window.
 */
export async function openConsole(uri: string, name: string): Promise<{ viewer: string }> {
  const viewer = await which('virt-viewer');
  if (!viewer) {
    throw new VitrineError({
      kind: 'no-viewer',
      message: 'No viewer for the VM\'s screen is installed (virt-viewer).',
      hint: 'Install virt-viewer (Debian, Ubuntu, Fedora, Arch: the package virt-viewer), then open the console again. virt-manager works too.',
    });
  }
  await spawnDetached(viewer, ['--connect', uri, '--wait', '--reconnect', '--', name]);
  return { viewer };
}
