import { VitrineError } from '../errors';

/** The `error: …` lines virsh printed, without the prefix, in order. */
export function virshErrorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('error:'))
    .map((line) => line.slice('error:'.length).trim())
    .filter((line) => line.length > 0);
}

const CHECK_URI = 'the URI given with --connect or VITRINE_LIBVIRT_URI';

/**
 * Classify a failed virsh run into an error the user can act on.
 * The verbatim text stays in `detail` for the troubleshooter.
 */
export function classifyVirshFailure(uri: string, args: readonly string[], stderr: string, exitCode: number | null): VitrineError {
  const lines = virshErrorLines(stderr);
  const detail = stderr.trim();
  const text = lines.join(' ');
  const last = lines.at(-1) ?? (detail || `virsh exited with code ${exitCode ?? 'unknown'}`);

  if (/failed to connect to the hypervisor/i.test(text) || /no connection driver available/i.test(text)) {
    let hint: string;
    if (/no connection driver available/i.test(text) || /no valid connection/i.test(text)) {
      hint = `Check ${CHECK_URI}: libvirt has no driver for it (for a local VM use qemu:///system or qemu:///session).`;
    } else if (/permission denied|authentication/i.test(text)) {
      hint = `Check that your user may use ${uri}: add it to the "libvirt" group (sudo usermod -aG libvirt $USER, then log in again), or use qemu:///session.`;
    } else if (/no such file or directory|connection refused|socket/i.test(text)) {
      hint = `Check that the libvirt daemon is running (sudo systemctl enable --now libvirtd) and that ${CHECK_URI} is right.`;
    } else if (/system bus/i.test(text)) {
      hint = `Check that D-Bus and polkit are running, or that your user is in the "libvirt" group; qemu:///session needs neither.`;
    } else {
      hint = `Check that the libvirt daemon is running and that ${CHECK_URI} is right.`;
    }
    return new VitrineError({ kind: 'connect', message: `Cannot connect to libvirt at '${uri}': ${last}`, hint, detail });
  }
  if (/failed to get domain|domain not found|no domain with matching name/i.test(text)) {
    return new VitrineError({
      kind: 'domain-not-found',
      message: `libvirt at '${uri}' has no such virtual machine: ${last}`,
      hint: 'The VM may have been removed or renamed; refresh the list.',
      detail,
    });
  }
  return new VitrineError({
    kind: 'virsh',
    message: `virsh ${args[0] ?? ''} failed: ${last}`,
    hint: 'See the details; the Troubleshoot page explains the known failures.',
    detail,
  });
}
