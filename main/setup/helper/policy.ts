import { z } from 'zod';
import type { HostPlan } from '../../../shared/api';
import { planRequest } from '../../../shared/schemas';
import { PLAN_FILES } from '../planner';
import { WITHOUT_ENTRY } from '../recovery';
import { EXECUTABLE_FILES } from '../handover-plan';

/** The only files a plan may write: the planner's list. */
export const ALLOWED_FILES = new Set<string>(PLAN_FILES);

/** ROM dumps go here and nowhere else. */
export const ROM_DIR = '/var/lib/vitrine/roms';

/** The only files written executable (0755): GRUB runs the scripts of /etc/grub.d. */
const EXECUTABLE = new Set<string>([WITHOUT_ENTRY, ...EXECUTABLE_FILES]);

/** Where the helper keeps backups and its journal. */
export const BACKUP_DIR = '/var/lib/vitrine/backups';

/** Programs are looked up only in these folders (never PATH). */
export const COMMAND_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A plan id as the planner makes it: the sha256 of the plan's content, in hex. */
export const PLAN_ID = /^[0-9a-f]{64}$/;

/** The longest request argument the helper reads (a real one is a few hundred bytes). */
export const MAX_REQUEST_BYTES = 4096;

/**
 * What `apply` takes besides the plan id: the Host page's request (GPU
 * functions, Looking Glass mode, size and user, the two options), strict: an
 * unknown member is refused, every value is checked (PCI addresses, a user
 * name, a power-of-two size).
 */
export const helperRequestSchema = planRequest;

/** A kernel parameter as the planner adds or removes it: `name=value` without spaces, quotes or shell characters. */
const KERNEL_ARG = /^[a-z0-9_.-]+(=[A-Za-z0-9_.,:-]+)?$/;
const kernelArgs = (list: string): boolean => list.length > 0 && list.length <= 1024 && list.split(' ').every((t) => KERNEL_ARG.test(t));
const withValue = (arg: string, prefix: string): boolean => arg.startsWith(prefix) && kernelArgs(arg.slice(prefix.length)) && !arg.slice(prefix.length).includes(' ');

/**
 * Every command the planner can produce, one template per program: the exact
 * argv, or for the kernel-argument tools the fixed options with kernel
 * parameters as their only values. The helper builds its commands with its
 * own planner; this check is the second lock, so nothing else can run as root.
 */
const TEMPLATES: Record<string, (args: string[]) => boolean> = {
  'update-grub': (a) => a.length === 0,
  'grub-mkconfig': (a) => a.join(' ') === '-o /boot/grub/grub.cfg',
  'grub2-mkconfig': (a) => a.join(' ') === '-o /boot/grub2/grub.cfg',
  'kernel-install': (a) => a.join(' ') === 'add-all',
  'proxmox-boot-tool': (a) => a.join(' ') === 'refresh',
  qm: qmTemplate,
  'update-initramfs': (a) => a.join(' ') === '-u -k all',
  dracut: (a) => a.join(' ') === '-f --regenerate-all',
  mkinitcpio: (a) => a.join(' ') === '-P',
  // The runtime hugepage pool (2 MiB pages) and its undo: one number, nothing else.
  sysctl: (a) => a.length === 2 && a[0] === '-w' && /^vm\.nr_hugepages=(0|[1-9][0-9]{0,6})$/.test(a[1]!),
  'systemd-tmpfiles': (a) => a.join(' ') === '--create /etc/tmpfiles.d/10-looking-glass.conf',
  semanage: (a) => ['/dev/kvmfr0', '/dev/shm/looking-glass'].some((p) => a.join(' ') === `fcontext -a -t svirt_tmpfs_t ${p}` || a.join(' ') === `fcontext -d ${p}`),
  grubby: (a) => a[0] === '--update-kernel=ALL' && a.length >= 2 && a.length <= 3 && a.slice(1).every((x) => /^--(args|remove-args)=/.test(x) && kernelArgs(x.slice(x.indexOf('=') + 1))) && new Set(a.map((x) => x.split('=')[0])).size === a.length,
  kernelstub: (a) => a.length === 2 && (a[0] === '--add-options' || a[0] === '--delete-options') && kernelArgs(a[1]!),
  'rpm-ostree': (a) =>
    a.join(' ') === 'initramfs --enable' ||
    a.join(' ') === 'initramfs --disable' ||
    (a[0] === 'kargs' && a.length >= 2 && a.length <= 17 && a.slice(1).every((x) => withValue(x, '--append-if-missing=') || withValue(x, '--delete-if-present='))),
};

/** The VM configuration keys Vitrine sets through `qm set` (previewQmEdit's), and the shape of a value. */
const QM_KEY = /^(hostpci([0-9]|1[0-5])|machine|bios|cpu|vga|ivshmem|usb([0-9]|1[0-3]))$/;
const QM_VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.:;=,+-]{0,511}$/;
const QM_VMID = /^[1-9][0-9]{2,8}$/;

/**
 * `qm set VMID --key value …` with Vitrine's keys only and plain values (no
 * leading dash, so no value can become an option), `--delete key,…` last;
 * `qm config|start|shutdown|stop VMID`.
 */
function qmTemplate(a: string[]): boolean {
  const [verb, vmid, ...rest] = a;
  if (vmid === undefined || !QM_VMID.test(vmid)) return false;
  if (verb === 'config' || verb === 'start' || verb === 'shutdown' || verb === 'stop') return rest.length === 0;
  if (verb !== 'set' || rest.length === 0 || rest.length % 2 !== 0) return false;
  const seen = new Set<string>();
  for (let i = 0; i < rest.length; i += 2) {
    const option = rest[i]!;
    const value = rest[i + 1]!;
    if (option === '--delete') {
      if (i !== rest.length - 2 || !value.split(',').every((k) => QM_KEY.test(k) && !seen.has(k))) return false;
      continue;
    }
    const key = option.slice(2);
    if (!option.startsWith('--') || !QM_KEY.test(key) || seen.has(key) || !QM_VALUE.test(value)) return false;
    seen.add(key);
  }
  return true;
}

/** Whether an argv is one the planner produces (a fixed template per program); the reason when not. */
export function commandRefusal(argv: readonly string[]): string | null {
  const [program, ...args] = argv;
  const template = program === undefined ? undefined : TEMPLATES[program];
  if (!template) return `${program ?? '(nothing)'} is not a program Vitrine may run`;
  if (args.some((a) => a.includes('\0')) || !template(args)) return `${argv.join(' ')} is not a command Vitrine runs (extra or changed arguments)`;
  return null;
}

/**
 * Check a plan the helper made itself before acting on it (a second lock
 * behind the planner): files only from the allow-list, modes 0644/0640/0600,
 * commands only from the templates. Returns what is wrong, or an empty list.
 */
export function planRefusals(plan: HostPlan): string[] {
  const problems: string[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'write') {
      if (!ALLOWED_FILES.has(step.path)) problems.push(`${step.path} is not a file Vitrine may change`);
      const modes = EXECUTABLE.has(step.path) ? [0o755] : [0o644, 0o640, 0o600];
      if (!modes.includes(step.mode)) problems.push(`${step.path}: mode ${step.mode.toString(8)} is not ${modes.map((m) => `0${m.toString(8)}`).join(', ')}`);
    } else {
      const refusal = commandRefusal(step.argv);
      if (refusal) problems.push(refusal);
    }
  }
  return problems;
}

/** The folders a change set may have created: parents of the allowed files, below /etc. */
const ALLOWED_DIRS = new Set(
  [...ALLOWED_FILES].flatMap((path) => {
    const parts = path.split('/').slice(1, -1);
    return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`).filter((d) => d !== '/etc' && d !== '/var' && d !== '/var/lib');
  }),
);

const allowedFile = z.string().refine((p) => ALLOWED_FILES.has(p), 'is not a file Vitrine may change');
const sha = z.string().regex(/^[0-9a-f]{64}$/);
const id32 = z.number().int().min(0).max(0xffffffff);

/**
 * A change set's record as rollback accepts it: every path on the allow-list
 * (the same as apply's), folders only the allowed files' parents, modes
 * without setuid, setgid or sticky bits, owners as numbers.
 */
export const manifestSchema = z
  .object({
    id: z.string().regex(/^[\w.-]{1,200}$/),
    planId: z.string().regex(/^[0-9a-f]{12,64}$/),
    reason: z.string().max(2000),
    createdAt: z.string().max(100),
    state: z.enum(['backing-up', 'applying', 'applied', 'failed', 'restoring', 'rolled-back']),
    files: z.array(z.object({ path: allowedFile, sha256: sha, mode: z.number().int().min(0).max(0o777), uid: id32, gid: id32 }).strict()).max(PLAN_FILES.length),
    created: z.array(allowedFile).max(PLAN_FILES.length),
    createdDirs: z.array(z.string().refine((d) => ALLOWED_DIRS.has(d), 'is not a folder Vitrine may create')).max(32),
    planned: z.record(z.string(), sha.nullable()),
    /** The commands the apply ran (undo runs their inverses); each one a template's exact form. */
    commands: z
      .array(z.array(z.string().max(2048)).min(1).max(32).refine((argv) => commandRefusal(argv) === null, 'is not a command Vitrine runs'))
      .max(16)
      .optional(),
    /** Inverses recorded at apply for commands whose argv cannot say how to undo them (the runtime hugepage pool's size before). */
    inverses: z
      .array(z.array(z.string().max(2048)).min(1).max(32).refine((argv) => commandRefusal(argv) === null, 'is not a command Vitrine runs'))
      .max(16)
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const path of Object.keys(m.planned)) if (!ALLOWED_FILES.has(path)) ctx.addIssue({ code: 'custom', path: ['planned', path], message: 'is not a file Vitrine may change' });
  });
