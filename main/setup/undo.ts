import { createHash } from 'node:crypto';
import type { PlanCommand, UndoPlan, UndoWrite } from '../../shared/api';
import { canonicalJson, withoutMsg } from './planner';
import { HUGEPAGES_SYSCTL } from './hugepage-plan';
import { msg, type Msg } from '../../shared/i18n/message';
import { said, undoReasonMsg, Warnings } from './plan-text';

/** What an undo plan is made from: a change set's record (the helper's manifest), as the app reads it too. */
export interface UndoSource {
  id: string;
  reason: string;
  files: { path: string; sha256: string; mode: number; uid: number; gid: number }[];
  created: string[];
  planned: Record<string, string | null>;
  /** The commands the apply ran, in order (absent in records of Vitrine before undo plans). */
  commands?: string[][] | undefined;
  /** Inverses the apply recorded for commands whose argv cannot say how to undo them (the hugepage pool's size before). */
  inverses?: string[][] | undefined;
}

/** Bytes of a file before and after the undo, when known (the app's record of the plan it applied). */
export type UndoTexts = Record<string, { current: string | null; restored: string | null }>;

/**
 * The command that undoes one the apply ran, or null when there is nothing
 * to run (with the reason in `warnings`). Tools that regenerate boot files
 * from configuration run again after the files are restored; tools that
 * changed the kernel line themselves get their own inverse options, so the
 * parameters come off through the bootloader's own tool.
 */
export function inverseCommand(argv: readonly string[], warnings: Warnings): PlanCommand | null {
  const [program, ...args] = argv;
  const run = (command: string[], why: Msg, long: boolean): PlanCommand => ({ kind: 'run', argv: command, ...said(why), long });
  switch (program) {
    case 'update-grub':
    case 'grub-mkconfig':
    case 'grub2-mkconfig':
      return run([...argv], msg('changes.step.grubMenu'), false);
    case 'kernel-install':
      return run([...argv], msg('changes.step.kernelInstall'), true);
    case 'proxmox-boot-tool':
      return run([...argv], msg('changes.step.proxmoxRefresh'), true);
    case 'update-initramfs':
    case 'dracut':
    case 'mkinitcpio':
      return run([...argv], msg('changes.step.initramfs'), true);
    case 'grubby': {
      const added = args.find((a) => a.startsWith('--args='))?.slice('--args='.length);
      const removed = args.find((a) => a.startsWith('--remove-args='))?.slice('--remove-args='.length);
      return run(['grubby', '--update-kernel=ALL', ...(removed ? [`--args=${removed}`] : []), ...(added ? [`--remove-args=${added}`] : [])], msg('changes.step.grubby'), false);
    }
    case 'kernelstub': {
      const [option, list] = args;
      return run(['kernelstub', option === '--add-options' ? '--delete-options' : '--add-options', list ?? ''], msg(option === '--add-options' ? 'changes.step.kernelstubDelete' : 'changes.step.kernelstubAdd'), false);
    }
    case 'rpm-ostree': {
      if (args[0] === 'initramfs') {
        warnings.add(msg('changes.warn.rpmOstreeInitramfs'));
        return run(['rpm-ostree', 'initramfs', '--disable'], msg('changes.step.rpmOstreeInitramfs'), true);
      }
      const appended = args.filter((a) => a.startsWith('--append-if-missing=')).map((a) => a.slice('--append-if-missing='.length));
      const deleted = args.filter((a) => a.startsWith('--delete-if-present=')).map((a) => a.slice('--delete-if-present='.length));
      return run(['rpm-ostree', 'kargs', ...appended.map((t) => `--delete-if-present=${t}`), ...deleted.map((t) => `--append-if-missing=${t}`)], msg('changes.step.rpmOstreeKargs'), true);
    }
    case 'semanage': {
      // semanage fcontext -a -t TYPE PATH  ->  semanage fcontext -d PATH
      const path = args.at(-1) ?? '';
      return run(['semanage', 'fcontext', '-d', path], msg('changes.step.semanage', { path }), false);
    }
    case 'sysctl':
      // Its inverse (the value before) is in the record's `inverses`.
      return null;
    case 'systemd-tmpfiles':
      warnings.add(msg('changes.warn.shmStays'));
      return null;
    default:
      warnings.add(msg('changes.warn.unknownCommand', { command: argv.join(' ') }));
      return null;
  }
}

/** The undo id: the sha256 of the plan without the bytes shown (which the helper, reading root-only copies, does not need) and without the messages (they say the English). */
export function undoIdOf(content: Omit<UndoPlan, 'id'>): string {
  const steps = content.steps.map((s) => (s.kind === 'write' ? { ...withoutMsg(s), before: undefined, after: undefined } : withoutMsg(s)));
  return createHash('sha256').update(canonicalJson({ changeSet: content.changeSet, reason: content.reason, steps, rebootRequired: content.rebootRequired, warnings: content.warnings })).digest('hex');
}

/** Which boot files a change set touched, to say what to regenerate when an old record has no commands. */
const BOOT_FILES = ['/etc/default/grub', '/etc/kernel/cmdline', '/etc/initramfs-tools/modules', '/etc/mkinitcpio.conf', '/etc/dracut.conf.d/vitrine-vfio.conf', '/etc/modprobe.d/vitrine-vfio.conf'];

/**
 * Plan the undo of a change set (pure): every backed-up file put back with
 * its mode and owner, every created file removed, then the inverse of each
 * command the apply ran, in the same order (kernel parameters off through
 * the bootloader's tool, then GRUB's menu and the initramfs regenerated from
 * the restored files). The same record always gives the same id.
 */
export function planUndo(source: UndoSource, texts: UndoTexts = {}): UndoPlan {
  const warnings = new Warnings();
  const steps: (UndoWrite | PlanCommand)[] = [];
  for (const file of source.files) {
    const shown = texts[file.path];
    steps.push({
      kind: 'write',
      path: file.path,
      fromSha256: source.planned[file.path] ?? null,
      toSha256: file.sha256,
      mode: file.mode,
      uid: file.uid,
      gid: file.gid,
      ...said(msg('changes.step.restore')),
      ...(shown ? { before: shown.current, after: shown.restored } : {}),
    });
  }
  for (const path of source.created) {
    const shown = texts[path];
    steps.push({ kind: 'write', path, fromSha256: source.planned[path] ?? null, toSha256: null, mode: null, uid: null, gid: null, ...said(msg('changes.step.remove')), ...(shown ? { before: shown.current, after: null } : {}) });
  }
  if (source.commands === undefined) {
    const touched = [...source.files.map((f) => f.path), ...source.created].filter((p) => BOOT_FILES.includes(p));
    if (touched.length) warnings.add(msg('changes.warn.oldRecord', { files: touched.join(', ') }));
  }
  const commands: PlanCommand[] = [];
  for (const argv of source.commands ?? []) {
    const inverse = inverseCommand(argv, warnings);
    if (inverse && !commands.some((c) => c.argv.join('\0') === inverse.argv.join('\0'))) commands.push(inverse);
  }
  for (const argv of source.inverses ?? []) {
    const value = argv.join(' ').match(/^sysctl -w vm\.nr_hugepages=(\d+)$/)?.[1];
    if (value !== undefined) commands.push({ kind: 'run', argv: [...argv], reason: `Put the 2 MiB hugepage pool back to ${value} page${value === '1' ? '' : 's'}, as it was (the memory returns to the host now).`, reasonMsg: msg('changes.hugepagesBack', { count: Number(value) }), long: false });
    else warnings.add(msg('changes.warn.unknownInverse', { command: argv.join(' ') }));
  }
  steps.push(...commands);
  // The runtime pool is back at once: its sysctl file needs no reboot when the undo also sets the pool.
  const poolNow = commands.some((c) => c.argv[0] === 'sysctl');
  const rebootRequired =
    commands.some((c) => c.argv[0] !== 'sysctl') ||
    steps.some((s) => s.kind === 'write' && !s.path.startsWith('/etc/tmpfiles.d/') && s.path !== '/var/lib/vitrine/RECOVERY.txt' && !(s.path === HUGEPAGES_SYSCTL && poolNow));
  const reason = `Undo: ${source.reason.charAt(0).toLowerCase()}${source.reason.slice(1)}`;
  const unique = warnings.unique();
  const content: Omit<UndoPlan, 'id'> = { changeSet: source.id, reason, steps, rebootRequired, warnings: unique.texts };
  // The messages of the reason and the warnings (not part of the id: the helper computes the same id without them).
  const reasonMsg = undoReasonMsg(source.reason, reason);
  return { id: undoIdOf(content), ...content, ...(reasonMsg ? { reasonMsg } : {}), warningMsgs: unique.msgs };
}
