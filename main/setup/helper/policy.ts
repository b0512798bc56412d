import { z } from 'zod';
import type { HostPlan } from '../../../shared/api';
import { planRequest } from '../../../shared/schemas';
import { PLAN_FILES } from '../planner';

/** The only files a plan may write: the planner's list. */
export const ALLOWED_FILES = new Set<string>(PLAN_FILES);

/** ROM dumps go here and nowhere else. */
export const ROM_DIR = '/var/lib/vitrine/roms';

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
  'update-initramfs': (a) => a.join(' ') === '-u -k all',
  dracut: (a) => a.join(' ') === '-f --regenerate-all',
  mkinitcpio: (a) => a.join(' ') === '-P',
  'systemd-tmpfiles': (a) => a.join(' ') === '--create /etc/tmpfiles.d/10-looking-glass.conf',
  semanage: (a) => a.join(' ') === 'fcontext -a -t svirt_tmpfs_t /dev/kvmfr0' || a.join(' ') === 'fcontext -a -t svirt_tmpfs_t /dev/shm/looking-glass',
  grubby: (a) => a[0] === '--update-kernel=ALL' && a.length >= 2 && a.length <= 3 && a.slice(1).every((x) => /^--(args|remove-args)=/.test(x) && kernelArgs(x.slice(x.indexOf('=') + 1))) && new Set(a.map((x) => x.split('=')[0])).size === a.length,
  kernelstub: (a) => a.length === 2 && (a[0] === '--add-options' || a[0] === '--delete-options') && kernelArgs(a[1]!),
  'rpm-ostree': (a) =>
    a.join(' ') === 'initramfs --enable' ||
    (a[0] === 'kargs' && a.length >= 2 && a.length <= 17 && a.slice(1).every((x) => withValue(x, '--append-if-missing=') || withValue(x, '--delete-if-present='))),
};

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
      if (![0o644, 0o640, 0o600].includes(step.mode)) problems.push(`${step.path}: mode ${step.mode.toString(8)} is not 0644, 0640 or 0600`);
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
    return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`).filter((d) => d !== '/etc');
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
    state: z.enum(['backing-up', 'applying', 'applied', 'failed', 'rolled-back']),
    files: z.array(z.object({ path: allowedFile, sha256: sha, mode: z.number().int().min(0).max(0o777), uid: id32, gid: id32 }).strict()).max(PLAN_FILES.length),
    created: z.array(allowedFile).max(PLAN_FILES.length),
    createdDirs: z.array(z.string().refine((d) => ALLOWED_DIRS.has(d), 'is not a folder Vitrine may create')).max(32),
    planned: z.record(z.string(), sha.nullable()),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const path of Object.keys(m.planned)) if (!ALLOWED_FILES.has(path)) ctx.addIssue({ code: 'custom', path: ['planned', path], message: 'is not a file Vitrine may change' });
  });
