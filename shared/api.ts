import type { z } from 'zod';
import type {
  appSettings,
  diagnoseText,
  editRequest,
  hugepageReservation,
  lookingGlassVmSettings,
  planRequest,
  RequestSchemas,
  unattendedInstall,
  vmSpec,
  wizardState,
} from './schemas';
import type { LOG_SOURCES, WIZARD_STEPS } from './enums';
import type { LgClientInstall, LgDistroFamily } from './lg-install';
import type { LgGuestPackage, LgRules } from './lg-release';
import type { Msg } from './i18n/message';

export type { Msg } from './i18n/message';

/**
 * THE contract between the main process and the renderer: every request
 * (CHANNELS: its name and result type; its argument type is inferred from its
 * schema in shared/schemas.ts) and every event main pushes (EVENTS). The
 * renderer calls `api.<group>.<method>(args)` where `<group>.<method>` is the
 * channel's name (shared/make-api.ts builds those methods).
 *
 * Adding a request: its line in CHANNELS, its schema in requestSchemas, its
 * service, its line in main/api/registry.ts. The compiler checks the rest.
 */

/** An error the UI can explain: what happened and what to do next. */
export interface ErrorInfo {
  /** Stable machine-readable kind, e.g. `connect`, `invalid-argument`. */
  kind: string;
  /** One sentence saying what went wrong. */
  message: string;
  /** What the user can do about it. */
  hint: string;
  /** The verbatim tool output (virsh's `error: …` lines), for the troubleshooter. */
  detail?: string;
  /** message and hint as catalogue keys, for the UI in the user's language (message/hint stay the English). */
  msg?: { message: Msg; hint: Msg };
}

/** Every request answers with a value or an explainable error, never a thrown stack. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** libvirt's domain states (virsh dominfo/list words, kebab-cased). */
export type DomainState =
  | 'running'
  | 'idle'
  | 'paused'
  | 'in-shutdown'
  | 'shut-off'
  | 'crashed'
  | 'pmsuspended'
  | 'no-state';

export interface DomainSummary {
  name: string;
  uuid: string;
  state: DomainState;
  /** Running domains have an id; inactive ones have none. */
  id: number | null;
  persistent: boolean;
  autostart: boolean;
}

/** The live domain list, pushed whenever libvirt reports a change. */
export interface DomainsSnapshot {
  domains: DomainSummary[];
  /** Set while libvirt cannot be reached; the list is then the last one seen. */
  error: ErrorInfo | null;
}

export interface AppInfo {
  version: string;
  libvirtUri: string;
  /** The user Vitrine runs as (the desktop user, for Looking Glass access). */
  user: string;
  /** That user's home folder (where the file picker starts). */
  home: string;
  /** `electron` for the desktop window, `serve` for `vitrine serve` in a browser. */
  mode: 'electron' | 'serve';
}

/** Something to tell the user once: a file of Vitrine's that could not be read was kept aside. */
export interface Notice {
  kind: 'settings-kept-aside' | 'wizard-kept-aside';
  /** Where the unreadable file now is (nothing of it was lost). */
  path: string;
  /** What was wrong with it, e.g. "not JSON" or the fields that were invalid. */
  reason: string;
}

/** A DRM connector of a graphics card (`card0-DP-1`). */
export interface DisplayConnector {
  card: string;
  /** Connector name without the card prefix, e.g. `DP-1`, `HDMI-A-1`, `eDP-1`. */
  name: string;
  connected: boolean;
}

export interface UsbDevice {
  /** sysfs name, e.g. `1-2.3`. */
  port: string;
  vendorId: string;
  productId: string;
  name: string | null;
}

export interface BlockDevice {
  /** Kernel name, e.g. `nvme0n1`, `sda`. */
  name: string;
  sizeBytes: number | null;
  model: string | null;
  /** Where it or its partitions are mounted. */
  mountpoints: string[];
  /** It holds the host's root file system: passing its controller would take the host's disk away. */
  holdsRoot: boolean;
}

export interface PciDevice {
  /** `0000:01:00.0` */
  address: string;
  /** `0x030000` */
  class: string;
  className: string | null;
  /** 4-digit lowercase hex, e.g. `10de`. */
  vendorId: string;
  deviceId: string;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  vendorName: string | null;
  deviceName: string | null;
  subsystemName: string | null;
  driver: string | null;
  /** Kernel modules whose aliases match the device (could bind it). */
  modules: string[];
  iommuGroup: number | null;
  resettable: boolean;
  resetMethods: string[];
  /** True for the firmware's boot display; null when the device is not VGA-capable. */
  bootVga: boolean | null;
  rom: boolean;
  numaNode: number | null;
  /** The upstream PCI device (a bridge or root port), when there is one. */
  parent: string | null;
  displays: DisplayConnector[];
  usb: UsbDevice[];
  block: BlockDevice[];
}

export type GpuVerdict = 'ready' | 'passable' | 'shares-group' | 'boot-gpu' | 'no-outputs' | 'no-iommu';

export interface GpuAssessment {
  address: string;
  name: string;
  verdict: GpuVerdict;
  /** The verdict in a sentence for the user (English; sentenceMsg for the UI). */
  sentence: string;
  sentenceMsg: Msg;
  /** Every device that must go to the VM with it: the card's functions and its group, bridges excepted. */
  passWith: string[];
  /** The devices of passWith that are not part of the card. */
  sharesWith: string[];
  /** `vendor:device` of every device in passWith, for vfio-pci.ids. */
  ids: string[];
  /** Host drivers that could claim those devices (for softdep), without vfio-pci. */
  hostDrivers: string[];
  /** An AMD card with the reset bug: its family and whether vendor-reset covers it (absent for others). */
  resetBug?: AmdResetVerdict;
}

/** How a VM gets its GPU: bound to vfio-pci at boot, or handed over by the libvirt hook when it starts. */
export type GpuHandover = 'boot' | 'vm-start';

/** The AMD reset bug's verdict for a card (main/host/amd-reset.ts). */
export interface AmdResetVerdict {
  /** `Polaris 10`, `Navi 21`, `RX 9000 (Navi 48)`… */
  family: string;
  /** vendor-reset covers it (offered); false: nothing Vitrine can install fixes it. */
  vendorReset: boolean;
  /** English (CLI, logs); sentenceMsg for the UI. */
  sentence: string;
  sentenceMsg: Msg;
}

/** What a process holding a card's nodes is to the handover. */
export type HolderRole = 'display-manager' | 'compositor' | 'audio' | 'nvidia-persistenced' | 'other';

/** A card's handover at VM start as the UI shows it: what holds it, the hook's steps, whether SSH is there to get back. */
export interface HandoverView {
  holders: GpuHolders;
  /** What the hook stops, in order (i18n keys and values); it restores them in reverse. */
  steps: { key: string; values: Record<string, string> }[];
  /** Processes the hook does not stop: close them first, or the start is refused. */
  blockers: GpuHolders['processes'];
  /** An SSH server (sshd) runs on the host: another way in if the card does not come back. */
  sshServer: boolean;
}

/** What holds a card before a handover at VM start (main/host/gpu-holders.ts). */
export interface GpuHolders {
  /** The card's PCI functions. */
  functions: string[];
  /** The card is the boot display (single-GPU mode: the desktop stops). */
  bootDisplay: boolean;
  /** Its /dev nodes (sound nodes as prefixes ending in *). */
  nodes: string[];
  processes: { pid: number; comm: string; role: HolderRole; nodes: string[] }[];
  /** The unit display-manager.service points to (gdm.service…), when known. */
  displayManager: string | null;
  /** Boot framebuffers bound (efi-framebuffer.0, simple-framebuffer.0, vesa-framebuffer.0). */
  framebuffers: string[];
  /** Virtual consoles bound to a framebuffer. */
  vtconsoles: string[];
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

export interface CheckItem {
  id: string;
  status: CheckStatus;
  title: string;
  detail: string;
  /** What to do, when the status is not ok. */
  fix: string | null;
  /** title, detail and fix as catalogue keys (the strings above are their English). */
  msg: { title: Msg; detail: Msg; fix: Msg | null };
}

export interface KernelParam {
  name: string;
  /** null for a flag without `=`. */
  value: string | null;
}

export interface HostReport {
  cpu: {
    vendor: 'intel' | 'amd' | 'other';
    vendorId: string | null;
    model: string | null;
    /** The VT-x (`vmx`) or AMD-V (`svm`) flag is present. */
    virtualization: boolean;
    /** The CPU reports a hypervisor: this host is itself a VM (nested virtualisation). */
    inVirtualMachine: boolean;
    /** The `pdpe1gb` flag: the CPU maps 1 GiB pages (1 GiB hugepages are possible). */
    gigaPages: boolean;
  };
  kvm: { present: boolean; accessible: boolean };
  iommu: {
    /** IOMMU groups exist. */
    active: boolean;
    groupCount: number;
    /** `/sys/class/iommu` units, e.g. `dmar0`, `ivhd0`. */
    units: string[];
    interruptRemapping: 'enabled' | 'unsupported' | 'unknown';
    /** vfio_iommu_type1's allow_unsafe_interrupts, when the module is loaded. */
    allowUnsafeInterrupts: boolean | null;
  };
  kernel: {
    release: string | null;
    cmdline: string;
    /** The IOMMU- and VFIO-related parameters found on the command line. */
    params: KernelParam[];
  };
  modules: { vfio: boolean; vfioPci: boolean; vfioIommuType1: boolean; kvmfr: boolean };
  /** Where device names came from (a pci.ids path), or null: ids only. */
  pciIds: string | null;
  /** Where module aliases came from, or null when none was found. */
  modulesAlias: string | null;
  devices: PciDevice[];
  groups: { id: number; devices: string[] }[];
  gpus: GpuAssessment[];
}

/** `host.check`: the report and the readiness checklist derived from it. */
export interface HostCheck extends HostReport {
  checks: CheckItem[];
}

/** What `vm create` and the wizard ask for: a Windows game VM. */
export type VmSpec = z.infer<typeof vmSpec>;
/** An unattended Windows install's account and locale (the password lives only on the answer-file ISO). */
export type UnattendedInstall = z.infer<typeof unattendedInstall>;
/** Edits to a domain, applied in this order; each is idempotent. */
export type EditRequest = z.infer<typeof editRequest>;
/** How Looking Glass is started for a VM (kept in the domain's Vitrine metadata). */
export type LookingGlassVmSettings = z.infer<typeof lookingGlassVmSettings>;
/** Where a text to diagnose came from. */
export type LogSource = (typeof LOG_SOURCES)[number];
export type DiagnoseText = z.infer<typeof diagnoseText>;
/** What the user chose for host preparation. */
export type PlanRequest = z.infer<typeof planRequest>;
/** Hugepages host preparation reserves: 2 MiB pages (sysctl) or 1 GiB pages (kernel parameters). */
export type HugepageReservation = z.infer<typeof hugepageReservation>;
/** The app's own settings (not a VM's), kept in $XDG_CONFIG_HOME/vitrine/settings.json. */
export type AppSettings = z.infer<typeof appSettings>;
/** The first-time setup's steps, in order. */
export type WizardStep = (typeof WIZARD_STEPS)[number];
/** Where the first-time setup is, kept on disk so it resumes after the reboot it needs. */
export type WizardState = z.infer<typeof wizardState>;

/** What the VM page shows: the hardware in short, read from the domain XML. */
export interface VmDetails {
  summary: DomainSummary;
  os: 'win10' | 'win11' | null;
  vcpus: number;
  topology: { cores: number; threads: number } | null;
  memoryMiB: number;
  cpuMode: string | null;
  firmware: string | null;
  tpm: boolean;
  disks: { device: string; source: string | null; target: string | null; bus: string | null }[];
  pciDevices: { address: string; rom: string | null }[];
  usbDevices: string[];
  /**
   * The Looking Glass memory the domain gives: a plain `<shmem>` (its name,
   * never Scream's `scream-ivshmem`) or kvmfr/a file through
   * `<qemu:commandline>`; `device` is the shmem name or the memdev id, `path`
   * the file or device on the host; `source` says where it was found.
   */
  lookingGlass: { mode: 'shmem' | 'kvmfr'; sizeMiB: number; device: string; path: string; source: 'shmem' | 'qemu-commandline' } | null;
  resolution: { width: number; height: number } | null;
  /** Looking Glass settings with Vitrine's defaults filled in (resolution: the monitor's when not set). */
  lookingGlassSettings: Omit<LookingGlassVmSettings, 'resolution'>;
  /** How it gets its GPU (Vitrine's metadata; `boot` when not set). */
  handover: GpuHandover;
  video: string[];
  tablet: boolean;
  hypervisorHidden: boolean;
  xml: string;
}

/** A line the CPU pinning plan writes, and why (`reason` in English for the CLI, `reasonMsg` for the UI). */
export interface PinningLine {
  xml: string;
  reason: string;
  reasonMsg?: Msg;
}

/** An edit shown before it is applied. */
export interface EditPreview {
  before: string;
  after: string;
  /** Unified diff; empty when the edit changes nothing. */
  diff: string;
  /** The generated lines with the reason for each (CPU pinning, hugepages), when the edit planned them. */
  reasons?: PinningLine[];
  /** What the planner changed from the request (vCPUs rounded to whole cores, capped). */
  notes?: string[];
  /** The notes as catalogue messages, for the UI (notes stay the English). */
  notesMsg?: Msg[];
  /** The host CPUs the plan gives the guest (the pinning proposal, to edit). */
  guestCpus?: number[];
}

export interface HistoryItem {
  id: string;
  savedAt: string;
  reason: string;
}

/** A fix one click can make, always previewed first. */
export type OneClickFix =
  | { kind: 'edit'; label: string; edits: EditRequest }
  | {
      kind: 'host';
      label: string;
      /** The exact host change, e.g. a modprobe.d line. */
      change: { path: string; content: string };
      /** What to ask host preparation for (the same plan as `vitrine setup plan` with these options). */
      setup: { ignoreMsrs?: boolean; allowUnsafeInterrupts?: boolean; lookingGlass?: { mode: 'shm'; sizeMiB: number } };
    };

export interface Evidence {
  source: LogSource;
  label: string;
  /** 1-based line number in that text. */
  line: number;
  text: string;
  /** The matched part of the line: [start, end). */
  match: [number, number];
}

export interface KnownProblem {
  id: string;
  title: string;
  /** The words people use for it. */
  words: string[];
  explanation: string;
  fix: string[];
  seeds: string[];
}

export interface Finding extends KnownProblem {
  /** The title and explanation were reworded by evidence against the usual cause (they quote a log line). */
  contradicted?: boolean;
  score: number;
  evidence: Evidence[];
  oneClick: OneClickFix | null;
}

export interface DiagnoseResult {
  findings: Finding[];
  /** What was read, and what could not be (and why). */
  collected: { source: LogSource; label: string; status: 'read' | 'unavailable'; note: string }[];
}

export type Bootloader = 'grub' | 'systemd-boot' | 'proxmox-boot-tool' | 'kernelstub' | 'grubby' | 'rpm-ostree';
export type InitramfsTool = 'initramfs-tools' | 'dracut' | 'mkinitcpio';

/** Write (or, with `after: null`, delete) one file. */
export interface PlanWrite {
  kind: 'write';
  path: string;
  /** The bytes the file has now (null: it does not exist); the helper refuses if they changed. */
  before: string | null;
  after: string | null;
  mode: number;
  reason: string;
  /** The reason as a catalogue message, when it has one (the UI's language; `reason` stays the English). */
  reasonMsg?: Msg;
}

/** Run one program (argv, never a shell) after the writes. */
export interface PlanCommand {
  kind: 'run';
  argv: string[];
  reason: string;
  /** The reason as a catalogue message, when it has one. */
  reasonMsg?: Msg;
  /** Takes long (initramfs rebuild): show its output live. */
  long: boolean;
  /** For bootloaders changed by a tool (kernelstub, grubby, rpm-ostree): the kernel command line before and after. */
  kernelArgs?: { before: string; after: string };
  /** The argv that undoes it when its own argv cannot say (a runtime value: the one it replaces); recorded by the helper for the undo. */
  inverse?: string[];
}

export interface HostPlan {
  id: string;
  reason: string;
  host: { bootloader: Bootloader; initramfs: InitramfsTool | null; apparmor: boolean };
  steps: (PlanWrite | PlanCommand)[];
  rebootRequired: boolean;
  warnings: string[];
  /** The reason and the warnings as catalogue messages where they have one (warningMsgs[i] for warnings[i]; null: English only). Not part of the id: they say the same. */
  reasonMsg?: Msg;
  warningMsgs?: (Msg | null)[];
}

/** A plan as the UI shows it: the plan, and each file's unified diff. */
export interface PlanView extends HostPlan {
  diffs: Record<string, string>;
  /**
   * What the password prompt will show: Vitrine's own message (`policy`, the
   * deb), polkit's generic one for `program` (`generic-node`: an AppImage;
   * `dev`: a checkout), or why there is no helper; null for a scratch root.
   */
  prompt: { kind: 'policy' | 'generic-node' | 'dev'; program: string } | { kind: 'unavailable'; reason: string; reasonMsg?: Msg } | null;
}

/** A change set the helper made (its record; the backed-up copies stay root-only). */
export interface ChangeSet {
  id: string;
  planId: string;
  reason: string;
  /** The reason as a catalogue message, read back from the record's English (none for a text of another version). */
  reasonMsg?: Msg;
  createdAt: string;
  /** `restoring`: an undo put the files back and has not yet regenerated the boot files (run the undo again). */
  state: 'backing-up' | 'applying' | 'applied' | 'failed' | 'restoring' | 'rolled-back';
  files: { path: string }[];
  created: string[];
  /**
   * After an undo, whether the boot is back as before: `reboot` until the
   * host restarted; then `verified` (the GPU has its own driver again and
   * the kernel line lost Vitrine's parameters) or `still-bound` (with what is
   * still there). Null when the change set was not undone from this account.
   */
  undo: UndoCheck | null;
  /** For a change that reserved hugepages: whether the pool has them (after the reboot when they come at boot); null otherwise. */
  hugepages?: HugepageCheck | null;
}

/** The check of a hugepage reservation: `reboot` until the host restarted (1 GiB pages, or memory not free at apply), then the pool as it is. */
export interface HugepageCheck {
  state: 'reboot' | 'verified' | 'short';
  sizeKiB: number;
  /** Pages asked for, and pages the pool has now. */
  wanted: number;
  total: number;
}

/** The check after an undo and a reboot: each GPU function's driver now, and vfio-pci ids left on the running kernel line. */
export interface UndoCheck {
  state: 'reboot' | 'verified' | 'still-bound';
  devices: { address: string; driver: string | null }[];
  leftArgs: string[];
}

/**
 * One file of an undo: put back the copy saved before the change
 * (`toSha256`), or remove a file the change created (`toSha256: null`).
 * The bytes are shown when the app has them (its record of the plan it
 * applied); the id never depends on them, so the helper, which reads the
 * root-only copies, computes the same id.
 */
export interface UndoWrite {
  kind: 'write';
  path: string;
  /** The file as Vitrine left it (null: the change removed it). */
  fromSha256: string | null;
  toSha256: string | null;
  /** Restored with the recorded mode and owner (null for a removal). */
  mode: number | null;
  uid: number | null;
  gid: number | null;
  reason: string;
  /** The reason as a catalogue message (the UI's language; `reason` stays the English). */
  reasonMsg?: Msg;
  before?: string | null;
  after?: string | null;
}

/** Undoing a change set, as a plan of its own: files back, then the boot tools run so the boot is as before. */
export interface UndoPlan {
  id: string;
  changeSet: string;
  reason: string;
  steps: (UndoWrite | PlanCommand)[];
  rebootRequired: boolean;
  warnings: string[];
  /** The reason and the warnings as catalogue messages where they have one (as HostPlan's). Not part of the id. */
  reasonMsg?: Msg;
  warningMsgs?: (Msg | null)[];
}

/** An undo plan as the UI shows it: each file's diff (or why it cannot be shown), and the password prompt. */
export interface UndoView extends UndoPlan {
  diffs: Record<string, string>;
  prompt: PlanView['prompt'];
}

/** A monitor of the desktop, in physical pixels. */
export interface Monitor {
  name: string;
  width: number;
  height: number;
  x: number;
  y: number;
  primary: boolean;
}

/** One thing the Looking Glass memory check found wrong, with its fix. */
export interface MemoryProblem {
  kind: 'not-configured' | 'missing' | 'wrong-type' | 'no-access' | 'too-small' | 'stale' | 'module-size';
  message: string;
  fix: string;
  /** message and fix as catalogue keys for the UI (the strings above stay the English, for the CLI). */
  msg: { message: Msg; fix: Msg };
}

export interface MemoryCheck {
  mode: 'shmem' | 'kvmfr' | null;
  /** The device found in the domain: the shmem name or the memory backend id. */
  device: string | null;
  path: string | null;
  /** The size the VM's resolution needs (the client release's formula). */
  neededMiB: number;
  /** The size the domain asks for. */
  configuredMiB: number | null;
  /** The file's or module's actual size, when known. */
  actualMiB: number | null;
  problems: MemoryProblem[];
}

/** The client Vitrine found, its release and the rules Vitrine follows for it (shared/lg-release.ts). */
export interface ClientInfo {
  path: string | null;
  /** From its first log line, e.g. `B7`, `B7-247-gbc96319b`, `B8-rc1`; null when unknown. */
  release: string | null;
  /** The releases Vitrine knows, e.g. `B7, B7-NNN, B8-rcN, B8`. */
  supported: string;
  /** The rules for this release (or B7's when none was read; `rules.note` says so). */
  rules: LgRules;
  /** The guest package that matches this client. */
  guest: LgGuestPackage;
  /** Why the client cannot be used, or a version warning. */
  problem: ErrorInfo | null;
  warning: string | null;
  /** The warning as a catalogue message, for the UI (warning stays the English). */
  warningMsg?: Msg | null;
}

/** The client, and how to get it (and kvmfr) on this host's distribution family (Settings, the checklist). */
export interface ClientSetup extends ClientInfo {
  install: LgClientInstall & { family: LgDistroFamily; distro: string | null };
}

/** The exact command Vitrine runs for a VM's Looking Glass window. */
export interface ClientLaunch {
  argv: string[];
  settings: LookingGlassVmSettings;
  monitor: Monitor | null;
  memory: MemoryCheck;
  client: ClientInfo;
  /** Why a part of argv is not final yet (the SPICE port of a VM that is off), or null. */
  pending: string | null;
  pendingMsg: Msg | null;
}

/**
 * One dashboard card's data (`vm.cards`): what `vm.details` gives (without
 * the XML) and, for a VM with a PCI device, what `lg.launchInfo` gives; each
 * its own result, so that one VM's failure leaves the other cards alone.
 */
export interface VmCard {
  name: string;
  details: Result<Omit<VmDetails, 'xml'>>;
  launch: Result<ClientLaunch> | null;
}

export type LgState = 'starting' | 'waiting-for-guest' | 'running' | 'restarting' | 'closed' | 'stopped' | 'failed';

/** What a Looking Glass client is doing, per VM. */
export interface LgStatus {
  vm: string;
  state: LgState;
  /** The client's release from its first log line. */
  release: string | null;
  /** The last meaningful thing it said, for the user. */
  message: string;
  /** The same as a catalogue message, for the UI (message stays the English). */
  messageMsg?: Msg | null;
  /** A known problem (troubleshooter entry id), e.g. `lg-too-small`. */
  problem: string | null;
  /** The user closed the window while the VM runs and the setting is `ask`: offer shut down / keep running. */
  ask: boolean;
  restarts: number;
  pid: number | null;
}

export interface LgSnapshot {
  clients: LgStatus[];
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface WizardView extends WizardState {
  /** Since host preparation was applied: rebooted (true), not yet (false), unknown (null). */
  rebooted: boolean | null;
}

/** What the VM form starts from: sensible values for this host. */
export interface VmDefaults {
  spec: VmSpec;
  hostCpus: number;
  hostMemoryMiB: number;
  /** KVM is usable by this user; otherwise the VM runs under TCG (very slow) and the form says so. */
  kvmUsable: boolean;
  /** Free space where the disk goes, in GiB. */
  diskFreeGiB: number | null;
  /** ISO files found in the usual places (~/Downloads, ~). */
  isoCandidates: { windows: string[]; virtio: string[] };
  /** The unattended install's language, keyboard and time zone from the host's locale (editable). */
  locale: { language: string; keyboard: string; timeZone: string };
}

/** A CPU pinning proposal: the guest's host CPUs, the host's, and each generated line with its reason. */
export interface PinningPreview {
  vcpus: number;
  guestCpus: number[];
  /** Where the emulator and I/O threads run (CPUs the host keeps). */
  hostCpus: number[];
  topology: { cores: number; threads: number };
  reasons: PinningLine[];
  notes: string[];
  /** The notes as catalogue messages, for the UI (notes stay the English). */
  notesMsg?: Msg[];
}

/** A folder as the file picker shows it. */
export interface FolderListing {
  dir: string;
  parent: string | null;
  freeGiB: number | null;
  entries: { name: string; path: string; kind: 'dir' | 'file'; sizeBytes: number }[];
}

/** Work that takes more than a second, step by step. */
export interface Task {
  id: string;
  kind: 'play' | 'stop' | 'create' | 'prepare';
  /** It can be cancelled now without harm (before anything is changed that cannot be undone). */
  cancellable: boolean;
  /** What it works on, e.g. the VM's name. */
  subject: string;
  title: string;
  steps: { id: string; label: string; state: StepState; detail: string; detailMsg?: Msg }[];
  state: 'running' | 'done' | 'failed';
  error: ErrorInfo | null;
  startedAt: string;
}

export interface TasksSnapshot {
  tasks: Task[];
}

/** A result type carried by a channel entry (type only: the object is empty at run time). */
export interface Returns<R> {
  readonly result?: () => R;
}
function returns<R>(): Returns<R> {
  return {};
}

/**
 * Every request: `group.method` -> its result. The names are the methods the
 * renderer calls (`api.vm.play({ name })` is the request `vm.play`).
 */
export const CHANNELS = {
  'app.info': returns<AppInfo>(),
  /** What to tell the user once (a file kept aside); each notice is handed out once. */
  'app.notices': returns<Notice[]>(),
  'domains.list': returns<DomainSummary[]>(),
  'host.check': returns<HostCheck>(),
  /** What holds a GPU, and what the handover hook will stop and restore for it (shown before Play). */
  'host.handover': returns<HandoverView>(),
  'vm.details': returns<VmDetails>(),
  /** The dashboard's cards (details and Looking Glass checks) of these VMs, read together (one virsh process per 40 VMs). */
  'vm.cards': returns<VmCard[]>(),
  'vm.start': returns<DomainSummary>(),
  /** ACPI shutdown; `stopped: false` after the timeout means: offer force off. */
  'vm.shutdown': returns<{ stopped: boolean }>(),
  'vm.forceOff': returns<DomainSummary>(),
  'vm.previewEdits': returns<EditPreview>(),
  'vm.applyEdits': returns<EditPreview>(),
  /** Remove a shut-off VM (its disks stay unless deleteDisks; its last definition is kept in the history). */
  'vm.undefine': returns<{ name: string; keptDisks: string[]; deletedDisks: string[] }>(),
  /** A test copy of a shut-off VM: new name, UUID and MAC addresses, its disks copied beside the originals. */
  'vm.clone': returns<{ name: string; disks: string[] }>(),
  'vm.history': returns<HistoryItem[]>(),
  'vm.restore': returns<EditPreview>(),
  /** Preflight, start the VM, wait for it, open Looking Glass; progress as `task.progress`. */
  'vm.play': returns<Task>(),
  /** Close Looking Glass and shut the VM down. */
  'vm.stop': returns<Task>(),
  /** What the VM form starts from on this host. */
  'vm.defaults': returns<VmDefaults>(),
  /** Propose CPU pinning on this host (or check the user's choice of CPUs), with the reason for each line. */
  'vm.planPinning': returns<PinningPreview>(),
  /** End an unattended install: remove the answer-file CD-ROM and delete its ISO (it holds the password). */
  'vm.finishInstall': returns<{ removed: string | null }>(),
  /** Create a game VM (disk, then definition); progress as `task.progress`. */
  'vm.create': returns<Task>(),
  /** Open the VM's display in virt-viewer (before the GPU is attached). */
  'vm.console': returns<{ viewer: string }>(),
  /** Diagnose a VM (its logs, the kernel log, its configuration) and/or given texts. */
  'diagnose.run': returns<DiagnoseResult>(),
  /** Known problems matching the user's words (all of them for an empty query); when none matches, found is false and the closest are given. */
  'diagnose.search': returns<{ found: boolean; problems: KnownProblem[] }>(),
  /** Plan host preparation (changes nothing). */
  'setup.plan': returns<PlanView>(),
  /** Apply the last plan through the root helper (one password prompt). */
  'setup.apply': returns<{ backup: string | null; output: string }>(),
  'setup.changes': returns<ChangeSet[]>(),
  /** What undoing a change set does (the last one by default): the files put back and the boot commands, with its id. Changes nothing. */
  'setup.undoPlan': returns<UndoView>(),
  /** Undo a change set as reviewed (its undo plan's id): files restored byte for byte, kernel parameters removed, boot files regenerated. */
  'setup.rollback': returns<{ output: string }>(),
  /** The Looking Glass command for a VM, with the memory and client checks. */
  'lg.launchInfo': returns<ClientLaunch>(),
  /** Open the Looking Glass window of a running VM (supervised). */
  'lg.open': returns<LgStatus>(),
  /** Close it (the VM keeps running). */
  'lg.close': returns<LgStatus | null>(),
  /** The installed client, its release and the rules and guest package that go with it. */
  'lg.client': returns<ClientSetup>(),
  'settings.get': returns<AppSettings>(),
  'settings.set': returns<AppSettings>(),
  'monitors.list': returns<Monitor[]>(),
  'wizard.get': returns<WizardView>(),
  'wizard.set': returns<WizardView>(),
  /** List a folder for the file picker (ISOs, the disk's folder). */
  'files.list': returns<FolderListing>(),
  'task.cancel': returns<Task | null>(),
};

/**
 * Every event main pushes: name -> payload. A subscriber gets the latest
 * payload at once, then every change.
 */
export const EVENTS = {
  'domains.changed': returns<DomainsSnapshot>(),
  'lg.status': returns<LgSnapshot>(),
  'task.progress': returns<TasksSnapshot>(),
  /** The tray asks the window to show a page (e.g. `/machines/win11`); `at` is when, so a late subscriber ignores an old one. */
  'app.navigate': returns<{ path: string; at: number }>(),
};

export type Channel = keyof typeof CHANNELS;
export type EventName = keyof typeof EVENTS;
/** What the caller passes (before the schema's parse). */
export type ArgsOf<C extends Channel> = z.input<RequestSchemas[C]>;
/** What the handler receives (after the schema's parse). */
export type ParsedArgsOf<C extends Channel> = z.output<RequestSchemas[C]>;
type Carried<T> = T extends Returns<infer R> ? R : never;
export type ResultOf<C extends Channel> = Carried<(typeof CHANNELS)[C]>;
export type Events = { [E in EventName]: Carried<(typeof EVENTS)[E]> };

/** Every channel and event name, for transports. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

type GroupOf<C extends string> = C extends `${infer G}.${string}` ? G : never;
type MethodOf<C extends string, G extends string> = C extends `${G}.${infer M}` ? M : never;
/** A request as a method: no argument when the request takes none. */
type MethodFor<C extends Channel> = [ArgsOf<C>] extends [undefined] ? () => Promise<Result<ResultOf<C>>> : (args: ArgsOf<C>) => Promise<Result<ResultOf<C>>>;

/**
 * What the renderer sees as `window.vitrine`: one named method per channel,
 * `api.<group>.<method>`, and `on(event, listener)` for the events (the
 * listener gets the latest payload at once; `on` returns an unsubscribe).
 */
export type VitrineApi = {
  [G in GroupOf<Channel>]: { [C in Channel as MethodOf<C, G>]: MethodFor<C> };
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

/** How requests and events travel: Electron IPC in the preload, a WebSocket in a browser. */
export interface Transport {
  request<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
