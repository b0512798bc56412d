import { spawn } from 'node:child_process';
import { VitrineError } from '../common/errors';
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
  const child = spawn(viewer, ['--connect', uri, '--wait', '--reconnect', '--', name], { detached: true, stdio: 'ignore' });
  child.unref();
  return { viewer };
}
