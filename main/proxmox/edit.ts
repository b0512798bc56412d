import { createHash } from 'node:crypto';
import { z } from 'zod';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { formatProperties, parseProperties, withProperty, type QmConfig } from './config';

/** The smallest and largest VM ids Proxmox gives. */
export const VMID = z.coerce.number().int().min(100).max(999_999_999);

/**
 * What Vitrine edits in a Proxmox VM, the same edits it makes on libvirt:
 * the GPU (all functions, PCIe, primary display, optional ROM file), q35,
 * OVMF, the hidden hypervisor, no emulated display, Looking Glass's shared
 * memory, USB devices. Strict: the root helper takes it as JSON.
 */
export const proxmoxEditRequest = z
  .object({
    vmid: VMID,
    /** `0000:01:00` passes every function ("All Functions"); `0000:01:00.0` only that one. */
    gpu: z
      .string()
      .regex(/^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-1][0-9a-f]\.?[0-7]?$/i, 'is not a PCI address such as 0000:01:00 (every function) or 0000:01:00.0')
      .transform((a) => (a.length <= 7 ? `0000:${a}` : a).toLowerCase())
      .refine((a) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}(\.[0-7])?$/.test(a), 'is not a PCI address such as 0000:01:00'),
    /** A ROM image file name in /usr/share/kvm (Proxmox looks there). */
    romfile: z.string().regex(/^[\w][\w.+-]{0,99}\.(rom|bin)$/, 'is not a file name in /usr/share/kvm ending in .rom or .bin (no folder)').optional(),
    /** hv-vendor-id for NVIDIA's Code 43 (1 to 12 letters or digits). */
    hvVendorId: z.string().regex(/^[A-Za-z0-9]{1,12}$/, 'is not 1 to 12 letters or digits').optional(),
    /** Hide KVM from the guest (cpu: host,hidden=1); default true. */
    hideKvm: z.boolean().default(true),
    /** Keep the emulated display (default: vga: none, the card is the screen). */
    keepVga: z.boolean().default(false),
    /** Looking Glass memory in MiB (ivshmem: size=N,name=looking-glass). */
    ivshmemMiB: z
      .number({ error: 'is not a number of MiB' })
      .int('is not a whole number of MiB')
      .min(8, 'is not between 8 and 1024 MiB')
      .max(1024, 'is not between 8 and 1024 MiB')
      .refine((n) => (n & (n - 1)) === 0, 'is not a power of two (32 for 1080p, 64 for 1440p, 128 for 4K)')
      .optional(),
    /** USB devices by VID:PID. */
    usb: z
      .array(z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/i, 'is not a USB id such as 046d:c52b (lsusb shows them)'))
      .max(14)
      .default([])
      .transform((a) => a.map((x) => x.toLowerCase())),
  })
  .strict();

export type ProxmoxEditRequest = z.input<typeof proxmoxEditRequest>;

/** One configuration line changed: its value before (null: not there) and after. */
export interface QmChange {
  key: string;
  before: string | null;
  after: string;
  reason: string;
}

/** What `qm set` will change in a VM, the exact argv, and the argv that undoes it. */
export interface QmPreview {
  /** sha256 of the preview's content: the helper computes its own and runs only on a match. */
  id: string;
  vmid: number;
  name: string | null;
  changes: QmChange[];
  /** `qm set ID --key value …` (empty when nothing changes). */
  argv: string[];
  /** `qm set ID --key previous … --delete added,…`: the previous configuration back. */
  undoArgv: string[];
  warnings: string[];
}

const free = (config: QmConfig, prefix: string, taken: Set<string>, max: number): string => {
  for (let i = 0; i < max; i++) {
    const key = `${prefix}${i}`;
    if (!config.has(key) && !taken.has(key)) return key;
  }
  throw VitrineError.of('proxmox-full', msg('error.proxmox.full', { first: `${prefix}0`, last: `${prefix}${max - 1}` }), msg('error.proxmox.fullHint'));
};

/**
 * The passthrough lines for a VM (pure): each key's new value, merged into
 * what the VM has so no option of the user's is lost (rombar=0, flags=…,
 * a versioned q35 machine), the `qm set` argv, and the argv that puts every
 * changed key back (or deletes it when it was not there). A VM already set
 * up gives no change.
 */
export function previewQmEdit(raw: ProxmoxEditRequest, config: QmConfig): QmPreview {
  const request = proxmoxEditRequest.parse(raw);
  const vmid = request.vmid;
  const changes: QmChange[] = [];
  const warnings: string[] = [];
  const set = (key: string, after: string, reason: string): void => {
    const before = config.get(key) ?? null;
    if (before !== after) changes.push({ key, before, after, reason });
  };

  // The GPU: reuse the line that already passes this device (or one of its functions), else the first free hostpciN.
  const card = request.gpu.replace(/\.[0-7]$/, '');
  const hostpciKeys = [...config.keys()].filter((k) => /^hostpci\d+$/.test(k));
  const normal = (head: string | null): string => (head ?? '').toLowerCase().replace(/^(?![0-9a-f]{4}:)/, '0000:');
  const existing = hostpciKeys.find((k) => normal(parseProperties(config.get(k)!, 'host').head).startsWith(card));
  const key = existing ?? free(config, 'hostpci', new Set(), 16);
  let gpu = existing ? parseProperties(config.get(existing)!, 'host') : { head: null, pairs: [] };
  // The same device written without its domain (01:00) stays as the user wrote it.
  gpu = { head: normal(gpu.head) === request.gpu ? gpu.head : request.gpu, pairs: gpu.pairs };
  gpu = withProperty(gpu, 'pcie', '1');
  gpu = withProperty(gpu, 'x-vga', '1');
  if (request.romfile) gpu = withProperty(gpu, 'romfile', request.romfile);
  set(key, formatProperties(gpu), !request.gpu.includes('.') ? 'Pass the whole card (all functions), as PCI Express, as the primary display.' : 'Pass this function as PCI Express, as the primary display.');
  if (request.gpu.includes('.')) warnings.push(`Only ${request.gpu} is passed; its other functions (audio, USB-C) stay on the host. Give ${card} to pass them all ("All Functions").`);

  const machine = config.get('machine');
  if (!machine || !/q35/.test(machine)) set('machine', 'q35', 'PCI Express passthrough needs the q35 machine type.');
  if (config.get('bios') !== 'ovmf') {
    set('bios', 'ovmf', 'A GPU passes best to a UEFI guest (OVMF).');
    if (config.has('bootdisk') || [...config.keys()].some((k) => /^(scsi|sata|virtio|ide)\d+$/.test(k) && !/media=cdrom/.test(config.get(k)!))) {
      warnings.push('This VM had BIOS firmware (SeaBIOS): a Windows already installed on its disk will not boot with OVMF unless its disk is converted to GPT (mbr2gpt) first.');
    }
  }
  if (!config.has('efidisk0')) warnings.push(`OVMF keeps its settings on an EFI disk, which this VM lacks: add one in the web UI (Hardware > Add > EFI Disk), or: qm set ${vmid} --efidisk0 local-lvm:1,efitype=4m,pre-enrolled-keys=0 (with your storage).`);

  let cpu = parseProperties(config.get('cpu') ?? 'kvm64', 'cputype');
  cpu = { head: 'host', pairs: cpu.pairs };
  if (request.hideKvm) cpu = withProperty(cpu, 'hidden', '1');
  if (request.hvVendorId) cpu = withProperty(cpu, 'hv-vendor-id', request.hvVendorId);
  set('cpu', formatProperties(cpu), 'The host CPU as is, with the hypervisor hidden from NVIDIA’s driver (Code 43).');

  if (!request.keepVga) set('vga', 'none', 'The card is the screen: no emulated display (the web console then shows nothing).');
  if (request.ivshmemMiB !== undefined) set('ivshmem', `size=${request.ivshmemMiB},name=looking-glass`, 'Looking Glass shared memory, for a client on this host’s desktop: Proxmox names the file /dev/shm/pve-shm-looking-glass (the client’s -f).');
  if (request.ivshmemMiB !== undefined) warnings.push('Proxmox creates /dev/shm/pve-shm-looking-glass as root when the VM starts and deletes it when it stops: give the client access each start (e.g. a hookscript running chown), or run the client as root.');

  const taken = new Set<string>();
  for (const id of request.usb) {
    const usbKeys = [...config.keys()].filter((k) => /^usb\d+$/.test(k));
    const has = usbKeys.find((k) => (parseProperties(config.get(k)!, 'host').head ?? '').toLowerCase() === id);
    if (has) continue;
    const usbKey = free(config, 'usb', taken, 14);
    taken.add(usbKey);
    set(usbKey, `host=${id}`, `Pass the USB device ${id} (keyboard, mouse, controller).`);
  }

  const argv = changes.length ? ['qm', 'set', String(vmid), ...changes.flatMap((c) => [`--${c.key}`, c.after])] : [];
  const restored = changes.filter((c) => c.before !== null);
  const added = changes.filter((c) => c.before === null).map((c) => c.key);
  const undoArgv = changes.length ? ['qm', 'set', String(vmid), ...restored.flatMap((c) => [`--${c.key}`, c.before!]), ...(added.length ? ['--delete', added.join(',')] : [])] : [];
  const content = { vmid, name: config.get('name') ?? null, changes, argv, undoArgv, warnings };
  return { id: createHash('sha256').update(JSON.stringify(content)).digest('hex'), ...content };
}

/** The preview for people: the lines as they will read in /etc/pve/qemu-server/ID.conf, the command, its undo. */
export function formatQmPreview(preview: QmPreview): string {
  const title = `VM ${preview.vmid}${preview.name ? ` (${preview.name})` : ''}`;
  if (preview.changes.length === 0) return `${title}: nothing to change, the passthrough lines are already there.\n`;
  const lines = [`Preview ${preview.id}`, `${title}: /etc/pve/qemu-server/${preview.vmid}.conf`, ''];
  for (const c of preview.changes) {
    lines.push(`# ${c.reason}`);
    if (c.before !== null) lines.push(`-${c.key}: ${c.before}`);
    lines.push(`+${c.key}: ${c.after}`);
  }
  const quote = (a: string): string => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a);
  lines.push('', 'The root helper runs:', `  $ ${preview.argv.map(quote).join(' ')}`, 'Undo runs:', `  $ ${preview.undoArgv.map(quote).join(' ')}`);
  for (const w of preview.warnings) lines.push(`Note: ${w}`);
  return `${lines.join('\n')}\n`;
}
