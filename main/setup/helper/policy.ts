import { z } from 'zod';
import { PLAN_FILES } from '../planner';

/** The only files a plan may write: the planner's list. */
export const ALLOWED_FILES = new Set<string>(PLAN_FILES);

/** ROM dumps go here and nowhere else. */
export const ROM_DIR = '/var/lib/vitrine/roms';

/** Where the helper keeps backups and its journal. */
export const BACKUP_DIR = '/var/lib/vitrine/backups';

/** The programs a plan may run, looked up only in these folders (never PATH). */
export const ALLOWED_COMMANDS = new Set([
  'update-grub',
  'grub-mkconfig',
  'grub2-mkconfig',
  'grubby',
  'kernelstub',
  'kernel-install',
  'bootctl',
  'rpm-ostree',
  'update-initramfs',
  'dracut',
  'mkinitcpio',
  'systemd-tmpfiles',
  'udevadm',
  'modprobe',
]);
export const COMMAND_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const text = z.string().max(1024 * 1024).refine((s) => !s.includes('\0'), 'contains a NUL byte');
const arg = z.string().min(1).max(4096).refine((s) => !s.includes('\0'), 'contains a NUL byte');

/** A plan file as the helper accepts it. */
export const planSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    reason: z.string().max(2000),
    host: z.object({ bootloader: z.string(), initramfs: z.string().nullable(), apparmor: z.boolean() }).passthrough(),
    steps: z
      .array(
        z.discriminatedUnion('kind', [
          z
            .object({
              kind: z.literal('write'),
              path: z.string().superRefine((p, ctx) => {
                if (!ALLOWED_FILES.has(p)) ctx.addIssue({ code: 'custom', message: `${p} is not a file Vitrine may change` });
              }),
              before: text.nullable(),
              after: text.nullable(),
              mode: z.number().int().refine((m) => [0o644, 0o640, 0o600].includes(m), 'mode must be 0644, 0640 or 0600'),
              reason: z.string().max(2000),
            })
            .strict(),
          z
            .object({
              kind: z.literal('run'),
              argv: z
                .array(arg)
                .min(1)
                .max(32)
                .superRefine((a, ctx) => {
                  if (!ALLOWED_COMMANDS.has(a[0]!)) ctx.addIssue({ code: 'custom', message: `${a[0]} is not a program Vitrine may run` });
                }),
              reason: z.string().max(2000),
              long: z.boolean(),
              kernelArgs: z.object({ before: z.string(), after: z.string() }).strict().optional(),
            })
            .strict(),
        ]),
      )
      .max(64),
    rebootRequired: z.boolean(),
    warnings: z.array(z.string()),
  })
  .strict();

export type CheckedPlan = z.infer<typeof planSchema>;
