import { createTwoFilesPatch } from 'diff';
import type { UndoPlan, HostPlan } from '../../shared/api';

/** One file's change as a unified diff (new and removed files marked as such). */
export function fileDiff(path: string, before: string | null, after: string | null): string {
  const label = (what: string | null, side: string): string => (what === null ? `${path} (${side === 'a' ? 'new file' : 'removed'})` : path);
  return createTwoFilesPatch(label(before, 'a'), label(after, 'b'), before ?? '', after ?? '', undefined, undefined, { context: 3 })
    .split('\n')
    .filter((line) => !line.startsWith('Index: ') && !/^=+$/.test(line))
    .join('\n');
}

/** `vitrine setup plan` for people: what changes, file by file, then what runs. */
export function formatPlan(plan: HostPlan): string {
  const lines: string[] = [];
  if (plan.steps.length === 0) return 'Nothing to change: the host is already prepared for this.\n';
  lines.push(`Plan ${plan.id}: ${plan.reason}`, `Host: ${plan.host.bootloader}, initramfs ${plan.host.initramfs ?? 'unknown'}${plan.host.apparmor ? ', AppArmor' : ''}`, '');
  for (const step of plan.steps) {
    if (step.kind === 'write') {
      lines.push(`# ${step.reason}`, fileDiff(step.path, step.before, step.after).trimEnd(), '');
    }
  }
  const commands = plan.steps.filter((s) => s.kind === 'run');
  if (commands.length) {
    lines.push('Then, as root:');
    for (const c of commands) {
      lines.push(`  $ ${c.argv.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}    # ${c.reason}`);
      if (c.kernelArgs) lines.push(`      kernel command line before: ${c.kernelArgs.before}`, `      kernel command line after:  ${c.kernelArgs.after}`);
    }
    lines.push('');
  }
  for (const w of plan.warnings) lines.push(`Note: ${w}`);
  const bindsGpu = plan.steps.some((s) => s.kind === 'write' && s.path === '/etc/modprobe.d/vitrine-vfio.conf');
  if (plan.rebootRequired) lines.push(bindsGpu ? 'A reboot is needed afterwards; then check that the GPU uses vfio-pci (vitrine doctor).' : 'A reboot is needed for this to take effect.');
  return lines.join('\n').trimEnd() + '\n';
}

/** An undo plan as the CLI prints it: each file's way back (its diff when known), then the boot commands. */
export function formatUndo(plan: UndoPlan): string {
  const lines: string[] = [`Undo ${plan.id}`, `of change set ${plan.changeSet}: ${plan.reason}`, ''];
  for (const step of plan.steps) {
    if (step.kind !== 'write') continue;
    lines.push(`# ${step.reason}`);
    if (step.before !== undefined) lines.push(fileDiff(step.path, step.before, step.after ?? null).trimEnd());
    else lines.push(step.toSha256 === null ? `remove ${step.path}` : `restore ${step.path} (mode ${step.mode?.toString(8)}, owner ${step.uid}:${step.gid}; the saved copy is readable by root only)`);
    lines.push('');
  }
  const commands = plan.steps.filter((s) => s.kind === 'run');
  if (commands.length) {
    lines.push('Then, as root:');
    for (const c of commands) lines.push(`  $ ${c.argv.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}    # ${c.reason}`);
    lines.push('');
  }
  for (const w of plan.warnings) lines.push(`Note: ${w}`);
  const unbindsGpu = plan.steps.some((s) => s.kind === 'write' && s.path === '/etc/modprobe.d/vitrine-vfio.conf');
  if (plan.rebootRequired) lines.push(unbindsGpu ? 'A reboot is needed afterwards; then check that the GPU uses its own driver again (vitrine setup backups, or the Host page).' : 'A reboot is needed afterwards for the boot to be as before.');
  return lines.join('\n').trimEnd() + '\n';
}
