import { z } from 'zod';
import type { Channel } from './api';
import { LOG_SOURCES, WIZARD_STEPS } from './enums';
import { absolutePath, appSettings, libvirtUri, resolution, settingsPatch } from './settings-schema';

/**
 * Schemas for the arguments of every request: a request whose arguments do
 * not match never reaches a service. The argument types of the contract are
 * inferred from these (shared/api.ts re-exports them), so a type and its
 * check cannot drift apart. Shared pieces (VM names, PCI addresses, paths)
 * live here so every handler and the CLI check them the same way.
 *
 * main/ parses every request with these; the renderer's VM form checks its
 * fields as the user types with the very same schemas (renderer/src/form/),
 * so the form and the service cannot disagree. The preload imports types only.
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

/** `0000:01:00.0` (or `01:00.0`). */
export const pciAddress = z
  .string()
  .regex(/^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7]$/, 'A PCI address looks like 0000:01:00.0 (DOMAIN:BUS:SLOT.FUNCTION in hex).');

// The settings' schemas live in settings-schema.ts (a settings file is read without building every request's schema).
export { absolutePath, appSettings, libvirtUri, resolution, settingsPatch };
// libvirtUriProblem lives in libvirt-uri.ts (no zod): the CLI checks --connect without loading the schemas.
export { libvirtUriProblem } from './libvirt-uri';

const powerOfTwoMiB = z
  .number()
  .int()
  .min(2)
  .max(4096)
  .refine((n) => (n & (n - 1)) === 0, 'The Looking Glass memory size is a power of two (32, 64, 128 MiB…).');

/** A Linux key name for Looking Glass's input:escapeKey. */
export const escapeKey = z.string().regex(/^KEY_[A-Z0-9_]{1,24}$/, 'An escape key is a Linux key name such as KEY_SCROLLLOCK or KEY_RIGHTCTRL.');

/** CPU pinning as asked: the planner proposes from the host's topology; `cpus` is the proposal as the user edited it. */
export const cpuPinningRequest = z
  .object({
    /** vCPUs wanted (rounded up to whole cores with their SMT threads). */
    vcpus: z.number().int().min(1, 'At least 1 vCPU.').max(512).optional(),
    /** The host CPUs to give the guest (all the SMT threads of each core). */
    cpus: z.array(z.number().int().min(0).max(8191)).min(1, 'Choose at least one host CPU.').max(1024).optional(),
    /** The passed GPU, whose NUMA node the cores should be on. */
    gpu: pciAddress.optional(),
  })
  .strict();

/** The unattended Windows installation (an answer file on a small ISO); the password is kept only on that ISO until Windows is installed. */
export const unattendedInstall = z
  .object({
    /** The Windows account to create. */
    user: z
      .string()
      .min(1, 'Type the name of the Windows account to create.')
      .max(20, 'A Windows user name is at most 20 characters.')
      .regex(/^[^"/\\[\]:;|=,+*?<>@%]+$/, 'A Windows user name cannot contain " / \\ [ ] : ; | = , + * ? < > @ %.')
      .refine((u) => !/^\.+$/.test(u) && u.trim() === u, 'A Windows user name cannot be only dots or start or end with a space.')
      .refine((u) => !['administrator', 'guest', 'defaultaccount', 'system'].includes(u.toLowerCase()), 'This name is reserved by Windows: choose another.'),
    /** Its password (empty: none). Never stored by Vitrine; it lives on the answer-file ISO until the install is done. */
    password: z.string().max(127, 'A Windows password is at most 127 characters.'),
    /** Windows' language tag, e.g. en-US, fr-FR. */
    language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?(-[A-Z]{2}|-\d{3})?$/, 'A language tag looks like en-US or fr-FR.'),
    /** Keyboard: a language tag or an input locale (0409:00000409). */
    keyboard: z.string().regex(/^([a-z]{2,3}(-[A-Za-z]{2,4})?(-[A-Z]{2}|-\d{3})?|[0-9a-fA-F]{4}:[0-9a-fA-F]{8})$/, 'A keyboard is a language tag (fr-FR) or an input locale (040c:0000040c).'),
    /** A Windows time zone name, e.g. "W. Europe Standard Time". */
    timeZone: z.string().regex(/^[A-Za-z0-9 .()+-]{2,64}$/, 'A Windows time zone name looks like "W. Europe Standard Time".'),
    /** The Looking Glass host (guest-side) installer, looking-glass-host-setup.exe, to run at first logon. */
    lookingGlassInstaller: absolutePath.nullable(),
  })
  .strict();

/** What `vm create` and the wizard ask for: a Windows game VM. */
export const vmSpec = z
  .object({
    name: newVmName,
    os: z.enum(['win10', 'win11']),
    /** Virtual CPUs in total (sockets 1, `threads` per core). */
    vcpus: z.number().int().min(1, 'At least 1 vCPU.').max(512),
    /** Threads per core (2 on SMT hosts); vcpus must be a multiple. */
    threads: z.number().int().min(1).max(8),
    memoryMiB: z.number().int().min(128, 'At least 128 MiB of memory (Windows wants 4096 or more).').max(16 * 1024 * 1024),
    hugepages: z.boolean(),
    disk: z.object({ path: absolutePath, sizeGiB: z.number().int().min(1, 'The disk needs at least 1 GiB.').max(65536) }).strict(),
    /** A libvirt network, a host bridge, or user-mode networking (no setup; what qemu:///session can do). */
    network: z.union([
      z
        .object({
          type: z.enum(['network', 'bridge']),
          name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'A network or bridge name is 1–64 letters, digits and _ . : -'),
        })
        .strict(),
      z.object({ type: z.literal('user') }).strict(),
    ]),
    windowsIso: absolutePath,
    virtioIso: absolutePath,
    /** Looking Glass shared memory in MiB (a power of two), or null for none yet. */
    lookingGlassMiB: powerOfTwoMiB.nullable(),
    /** The guest resolution Looking Glass is started at. */
    resolution,
    /** `kvm` for real hosts; `qemu` (TCG, slow) where KVM is missing, e.g. tests. */
    virtType: z.enum(['kvm', 'qemu']),
    /** Pin the vCPUs to host cores (planned from the host's topology). */
    cpuPinning: cpuPinningRequest.optional(),
    /** Install Windows unattended: an answer-file ISO as a third CD-ROM. */
    unattended: unattendedInstall.optional(),
  })
  .strict();

/** How Looking Glass is started for a VM (kept in the domain's Vitrine metadata). */
export const lookingGlassVmSettings = z
  .object({
    /** The guest resolution; the client window gets this size. */
    resolution,
    fullScreen: z.boolean(),
    /** A Linux `KEY_*` name, e.g. `KEY_SCROLLLOCK` (Looking Glass's default). */
    escapeKey,
    /** HDR doubles the memory the resolution needs. */
    hdr: z.boolean(),
  })
  .strict();

/** Edits to a domain, applied in this order; each is idempotent. */
export const editRequest = z
  .object({
    /** Attach these PCI functions (e.g. a GPU's passWith), one guest slot per card. */
    attachPci: z.object({ addresses: z.array(pciAddress).min(1), rom: absolutePath.nullable().optional() }).strict().optional(),
    /** Detach these PCI functions. */
    detachPci: z.object({ addresses: z.array(pciAddress).min(1) }).strict().optional(),
    /** Looking Glass memory as a <shmem> device (MiB, a power of two). */
    shmemMiB: powerOfTwoMiB.optional(),
    /** Looking Glass memory through the kvmfr module (qemu:commandline), MiB. */
    kvmfrMiB: powerOfTwoMiB.optional(),
    /** Hide the hypervisor: `a` CPUID bit off, `b` Hyper-V vendor_id + hypervclock. */
    hideHypervisor: z
      .object({ method: z.enum(['a', 'b']), vendorId: z.string().regex(/^[A-Za-z0-9]{1,12}$/, 'A vendor_id is 1–12 letters or digits.').optional() })
      .strict()
      .optional(),
    videoNone: z.boolean().optional(),
    removeTablet: z.boolean().optional(),
    /** USB host devices by vendor:product (`046d:c52b`). */
    usb: z.array(z.string().regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, 'A USB id looks like 046d:c52b.')).optional(),
    memballoonNone: z.boolean().optional(),
    /** Pin the vCPUs to host cores (planned from the host's topology; `cpus` is the user's own choice, checked). */
    cpuPinning: cpuPinningRequest.optional(),
    /** Back guest memory with hugepages (refused, with the reason, when the host cannot allocate them). */
    hugepages: z.boolean().optional(),
    /** Vitrine's Looking Glass settings for this VM, kept in the domain's <metadata>. */
    lookingGlass: lookingGlassVmSettings.partial().optional(),
    /** How this VM gets its GPU (kept in the domain's <metadata>): bound at boot, or handed over by the hook at VM start. */
    handover: z.enum(['boot', 'vm-start']).optional(),
  })
  .strict()
  .refine((r) => !(r.shmemMiB !== undefined && r.kvmfrMiB !== undefined), 'Choose shared memory (shmem) or kvmfr, not both.');

/** Looking Glass memory as host preparation sets it up. */
const lookingGlassMemory = z.object({ mode: z.enum(['shm', 'kvmfr']), sizeMiB: powerOfTwoMiB }).strict();

/** Where the first-time setup is, kept on disk so it resumes after the reboot it needs. */
export const wizardState = z
  .object({
    step: z.enum(WIZARD_STEPS),
    /** The chosen GPU's address (its passWith goes to the VM). */
    gpu: pciAddress.nullable(),
    lookingGlass: z.object({ mode: z.enum(['shm', 'kvmfr']), sizeMiB: z.number().int().min(2).max(4096) }).strict().nullable(),
    /** The change set host preparation made, once applied. */
    changeSet: z.string().regex(/^[\w.-]{1,100}$/).nullable(),
    /** The kernel's boot id when it was applied: a different one means the host rebooted. */
    bootIdAtApply: z.string().max(64).nullable(),
    /** The VM the wizard created. */
    vm: vmName.nullable(),
    /** How the chosen GPU reaches the VM: bound at boot, or handed over at VM start (single-GPU mode for the boot display). */
    handover: z.enum(['boot', 'vm-start']).optional(),
    done: z.boolean(),
    /** The furthest step the user reached: every step before it can be opened again without losing the later ones. */
    reached: z.enum(WIZARD_STEPS).optional(),
  })
  .strict();

/** A patch to the wizard's state (also what a saved file must look like). */
export const wizardPatch = wizardState.partial();

export const diagnoseText = z
  .object({
    source: z.enum(LOG_SOURCES),
    /** A label for the user, e.g. a file path or "the last start". */
    label: z.string().max(500),
    text: z.string().max(8 * 1024 * 1024, 'A text to diagnose is at most 8 MiB: paste the last part of the log.'),
  })
  .strict();

/**
 * Hugepages to reserve for VM memory: 2 MiB pages (a sysctl.d file, and at
 * once when the memory is free) or 1 GiB pages (kernel parameters: only at
 * boot). The pool's page count, or the memory to back (the count derived).
 */
export const hugepageReservation = z
  .object({
    size: z.enum(['2M', '1G']),
    pages: z.number().int().min(1, 'Reserve at least one page.').max(1_048_576).optional(),
    memoryMiB: z.number().int().min(1).max(16 * 1024 * 1024).optional(),
  })
  .strict()
  .refine((h) => (h.pages === undefined) !== (h.memoryMiB === undefined), 'Give the number of pages or the memory to back with them (one of the two).');

/** What the user chose for host preparation. */
export const planRequest = z
  .object({
    /** PCI functions to bind to vfio-pci (a GPU's passWith). */
    gpu: z.array(pciAddress).max(16),
    /** How the GPU reaches its VM: bound to vfio-pci at boot (default), or handed over by the libvirt hook when the VM starts (single-GPU mode for the only card). */
    handover: z.enum(['boot', 'vm-start']).optional(),
    lookingGlass: lookingGlassMemory.nullable(),
    /** The desktop user who runs the Looking Glass client. */
    user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'A user name is lowercase letters, digits, _ and -.'),
    ignoreMsrs: z.boolean().optional(),
    /** With its security cost: see the troubleshooter. */
    allowUnsafeInterrupts: z.boolean().optional(),
    /** Hugepages reserved for VM memory (see hugepageReservation). */
    hugepages: hugepageReservation.optional(),
  })
  .strict();

const none = z.undefined();
/** A change set's id as the helper names it (time stamp and plan id). */
const changeSetId = z.string().regex(/^[\w.-]{1,100}$/, 'Not a change set id.');
const named = z.object({ name: vmName }).strict();

/**
 * The argument schema of every request of the contract (shared/api.ts's
 * CHANNELS): exactly one per channel, checked by the compiler both ways.
 */
export const requestSchemas = {
  'app.info': none,
  'app.notices': none,
  'domains.list': none,
  'host.check': none,
  'host.handover': z.object({ gpu: pciAddress }).strict(),
  'vm.details': named,
  // Each name is checked by the service (vmName): one bad name is that card's error, not every card's.
  'vm.cards': z.object({ names: z.array(z.string().max(1000)).max(1000) }).strict(),
  'vm.start': named,
  'vm.shutdown': z.object({ name: vmName, timeoutSeconds: z.number().int().min(1).max(3600).optional() }).strict(),
  'vm.forceOff': named,
  'vm.previewEdits': z.object({ name: vmName, edits: editRequest }).strict(),
  'vm.applyEdits': z.object({ name: vmName, edits: editRequest }).strict(),
  'vm.undefine': z.object({ name: vmName, deleteDisks: z.boolean().optional() }).strict(),
  'vm.clone': z.object({ name: vmName, newName: newVmName }).strict(),
  'vm.history': named,
  'vm.restore': z.object({ name: vmName, id: z.string().regex(/^[\w-]+\.xml$/, 'Not a history entry.') }).strict(),
  'vm.play': named,
  'vm.stop': named,
  'vm.defaults': none,
  'vm.planPinning': cpuPinningRequest,
  'vm.finishInstall': z.object({ name: vmName, force: z.boolean().optional() }).strict(),
  'vm.create': vmSpec,
  'vm.console': named,
  'diagnose.run': z.object({ name: vmName.optional(), texts: z.array(diagnoseText).max(20) }).strict(),
  'diagnose.search': z.object({ query: z.string().max(500) }).strict(),
  'setup.plan': planRequest,
  'setup.apply': none,
  'setup.changes': none,
  'setup.undoPlan': z.object({ id: changeSetId.optional() }).strict(),
  'setup.rollback': z.object({ id: changeSetId, undoId: z.string().regex(/^[0-9a-f]{64}$/, 'Not an undo plan id.') }).strict(),
  'lg.launchInfo': named,
  'lg.open': named,
  'lg.close': named,
  'lg.client': none,
  'settings.get': none,
  'settings.set': settingsPatch,
  'monitors.list': none,
  'wizard.get': none,
  'wizard.set': wizardPatch,
  'files.list': z.object({ dir: absolutePath, extension: z.string().regex(/^\.[a-z0-9]{1,8}$/i, 'An extension looks like .iso.').optional() }).strict(),
  'task.cancel': z.object({ id: z.string().uuid('Not a task id.') }).strict(),
} satisfies { [C in Channel]: z.ZodType };

export type RequestSchemas = typeof requestSchemas;

/** Messages of a failed parse, joined for one line of output. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
