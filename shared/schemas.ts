import { z } from 'zod';
import type { AppSettings, ArgsOf, Channel, EditRequest, VmSpec, WizardState } from './api';

/**
 * Schemas for the arguments of every request. A request whose arguments do
 * not match never reaches a service. Shared pieces (VM names, PCI addresses,
 * paths) live here so every handler and the CLI check them the same way.
 */

/** An existing libvirt domain name: libvirt refuses '/', and control characters have no place in one. */
export const vmName = z
  .string()
  .min(1, 'A VM name cannot be empty.')
  .max(200, 'A VM name is at most 200 characters.')
  .refine((name) => !name.includes('/') && !/\p{Cc}/u.test(name), 'A VM name cannot contain "/" or control characters.');

const NEW_NAME_CHARS = /^[\p{L}\p{N} ._+-]+$/u;

/**
 * A name for a new VM: letters, digits, spaces and `. _ + -`, starting with a
 * letter or digit, at most 64 characters. Such names are safe as file names,
 * in hooks and on command lines.
 */
export const newVmName = z.string().superRefine((name, ctx) => {
  const fail = (message: string): void => ctx.addIssue({ code: 'custom', message });
  if (name.length === 0) return fail('A VM name cannot be empty.');
  if (name.length > 64) return fail(`A VM name is at most 64 characters (this one has ${name.length}).`);
  if (/[\r\n\t]/.test(name)) return fail('A VM name cannot contain a line break or a tab.');
  if (name.startsWith('-')) return fail('A VM name cannot start with "-" (it would read as an option).');
  const bad = [...new Set([...name].filter((c) => !NEW_NAME_CHARS.test(c)))];
  if (bad.length > 0) return fail(`A VM name cannot contain ${bad.map((c) => JSON.stringify(c)).join(' ')}: use letters, digits, spaces and . _ + -`);
  if (!/^[\p{L}\p{N}]/u.test(name)) return fail('A VM name starts with a letter or a digit.');
  if (name !== name.trim()) return fail('A VM name cannot end with a space.');
});

/** An absolute path without control characters. */
export const absolutePath = z
  .string()
  .min(1, 'A path cannot be empty.')
  .refine((p) => p.startsWith('/'), 'Give an absolute path (starting with /).')
  .refine((p) => !/\p{Cc}/u.test(p), 'A path cannot contain control characters.');

/** `0000:01:00.0` (or `01:00.0`). */
export const pciAddress = z
  .string()
  .regex(/^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7]$/, 'A PCI address looks like 0000:01:00.0 (DOMAIN:BUS:SLOT.FUNCTION in hex).');

const powerOfTwoMiB = z
  .number()
  .int()
  .min(2)
  .max(4096)
  .refine((n) => (n & (n - 1)) === 0, 'The Looking Glass memory size is a power of two (32, 64, 128 MiB…).');

/** A screen resolution in pixels. */
export const resolution = z.object({ width: z.number().int().min(320).max(16384), height: z.number().int().min(200).max(16384) }).strict();

/** A Linux key name for Looking Glass's input:escapeKey. */
export const escapeKey = z.string().regex(/^KEY_[A-Z0-9_]{1,24}$/, 'An escape key is a Linux key name such as KEY_SCROLLLOCK or KEY_RIGHTCTRL.');

/** The app settings a request may change (each field optional). */
export const settingsPatch: z.ZodType<Partial<AppSettings>> = z
  .object({
    libvirtUri: z
      .string()
      .regex(/^[a-z][a-z0-9+]*:\/\/[^\s]*$/, 'A libvirt URI looks like qemu:///system or qemu:///session.')
      .max(300)
      .nullable()
      .optional(),
    clientPath: absolutePath.nullable().optional(),
    onClientClose: z.enum(['ask', 'keep-running', 'shut-down']).optional(),
    fallbackResolution: resolution.nullable().optional(),
    language: z.enum(['en', 'fr']).nullable().optional(),
    startAtLogin: z.boolean().optional(),
    trayHintShown: z.boolean().optional(),
  })
  .strict();

export const vmSpec: z.ZodType<VmSpec> = z
  .object({
    name: newVmName,
    os: z.enum(['win10', 'win11']),
    vcpus: z.number().int().min(1, 'At least 1 vCPU.').max(512),
    threads: z.number().int().min(1).max(8),
    memoryMiB: z.number().int().min(128, 'At least 128 MiB of memory (Windows wants 4096 or more).').max(16 * 1024 * 1024),
    hugepages: z.boolean(),
    disk: z.object({ path: absolutePath, sizeGiB: z.number().int().min(1, 'The disk needs at least 1 GiB.').max(65536) }),
    network: z.union([
      z.object({
        type: z.enum(['network', 'bridge']),
        name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'A network or bridge name is 1–64 letters, digits and _ . : -'),
      }),
      z.object({ type: z.literal('user') }),
    ]),
    windowsIso: absolutePath,
    virtioIso: absolutePath,
    lookingGlassMiB: powerOfTwoMiB.nullable(),
    resolution,
    virtType: z.enum(['kvm', 'qemu']),
  })
  .strict();

export const editRequest: z.ZodType<EditRequest> = z
  .object({
    attachPci: z.object({ addresses: z.array(pciAddress).min(1), rom: absolutePath.nullable().optional() }).strict().optional(),
    detachPci: z.object({ addresses: z.array(pciAddress).min(1) }).strict().optional(),
    shmemMiB: powerOfTwoMiB.optional(),
    kvmfrMiB: powerOfTwoMiB.optional(),
    hideHypervisor: z
      .object({ method: z.enum(['a', 'b']), vendorId: z.string().regex(/^[A-Za-z0-9]{1,12}$/, 'A vendor_id is 1–12 letters or digits.').optional() })
      .strict()
      .optional(),
    videoNone: z.boolean().optional(),
    removeTablet: z.boolean().optional(),
    usb: z.array(z.string().regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, 'A USB id looks like 046d:c52b.')).optional(),
    memballoonNone: z.boolean().optional(),
    lookingGlass: z
      .object({
        resolution: resolution.optional(),
        fullScreen: z.boolean().optional(),
        escapeKey: escapeKey.optional(),
        hdr: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => !(r.shmemMiB !== undefined && r.kvmfrMiB !== undefined), 'Choose shared memory (shmem) or kvmfr, not both.');

export const WIZARD_STEPS = ['welcome', 'host', 'gpu', 'prepare', 'create', 'install', 'attach', 'play'] as const;

/** A patch to the wizard's state (also what a saved file must look like). */
export const wizardPatch = z
  .object({
    step: z.enum(WIZARD_STEPS),
    gpu: pciAddress.nullable(),
    lookingGlass: z.object({ mode: z.enum(['shm', 'kvmfr']), sizeMiB: z.number().int().min(2).max(4096) }).strict().nullable(),
    changeSet: z.string().regex(/^[\w.-]{1,100}$/).nullable(),
    bootIdAtApply: z.string().max(64).nullable(),
    vm: vmName.nullable(),
    done: z.boolean(),
  })
  .partial()
  .strict();

const none = z.undefined();
const named = z.object({ name: vmName }).strict();

type SchemaMap = { [C in Channel]: z.ZodType<ArgsOf<C>> };

export const requestSchemas: SchemaMap = {
  'app.info': none,
  'domains.list': none,
  'host.check': none,
  'vm.details': named,
  'vm.start': named,
  'vm.shutdown': z.object({ name: vmName, timeoutSeconds: z.number().int().min(1).max(3600).optional() }).strict(),
  'vm.forceOff': named,
  'vm.previewEdits': z.object({ name: vmName, edits: editRequest }).strict(),
  'vm.applyEdits': z.object({ name: vmName, edits: editRequest }).strict(),
  'vm.history': named,
  'vm.restore': z.object({ name: vmName, id: z.string().regex(/^[\w-]+\.xml$/, 'Not a history entry.') }).strict(),
  'diagnose.run': z
    .object({
      name: vmName.optional(),
      texts: z
        .array(
          z
            .object({
              source: z.enum(['virsh', 'qemu-log', 'kernel-log', 'looking-glass', 'pasted', 'domain-xml']),
              label: z.string().max(500),
              text: z.string().max(8 * 1024 * 1024, 'A text to diagnose is at most 8 MiB: paste the last part of the log.'),
            })
            .strict(),
        )
        .max(20),
    })
    .strict(),
  'diagnose.search': z.object({ query: z.string().max(500) }).strict(),
  'setup.plan': z
    .object({
      gpu: z.array(pciAddress).max(16),
      lookingGlass: z.object({ mode: z.enum(['shm', 'kvmfr']), sizeMiB: powerOfTwoMiB }).strict().nullable(),
      user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'A user name is lowercase letters, digits, _ and -.'),
      ignoreMsrs: z.boolean().optional(),
      allowUnsafeInterrupts: z.boolean().optional(),
    })
    .strict(),
  'setup.apply': none,
  'setup.changes': none,
  'setup.rollback': z.object({ id: z.string().regex(/^[\w.-]{1,100}$/, 'Not a change set id.') }).strict(),
  'lg.launchInfo': named,
  'lg.open': named,
  'lg.close': named,
  'vm.play': named,
  'vm.stop': named,
  'settings.get': none,
  'settings.set': settingsPatch,
  'monitors.list': none,
  'wizard.get': none,
  'wizard.set': wizardPatch as z.ZodType<Partial<WizardState>>,
  'vm.defaults': none,
  'vm.create': vmSpec,
  'vm.console': named,
  'files.list': z.object({ dir: absolutePath, extension: z.string().regex(/^\.[a-z0-9]{1,8}$/i, 'An extension looks like .iso.').optional() }).strict(),
  'task.cancel': z.object({ id: z.string().uuid('Not a task id.') }).strict(),
};

/** Messages of a failed parse, joined for one line of output. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
