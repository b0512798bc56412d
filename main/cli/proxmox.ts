import { type Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { VitrineError } from '../common/errors';
import type { ProxmoxEditRequest, QmPreview } from '../proxmox/edit';
import type { ProxmoxTools } from '../proxmox/qm';

// What a command runs is imported when it runs (as in index.ts), so that
// every other command does not load the edit, qm, the elevation and the setup code.
const editModule = () => import('../proxmox/edit');
const qmModule = () => import('../proxmox/qm');
const elevationFor = async (root: string | undefined) => (await import('../setup/elevation')).elevationFor(root);
const explainHelperExit = async (code: number, output: string) => (await import('../setup/service')).explainHelperExit(code, output);

const vmidOf = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 100 || Number(value) > 999_999_999) {
    throw new VitrineError({ kind: 'invalid-argument', message: `'${value}' is not a Proxmox VM id (100 to 999999999).`, hint: 'vitrine proxmox vms lists the VMs with their ids.' });
  }
  return Number(value);
};

const rootDir = (value: string): string => {
  const dir = resolve(value);
  if (dir === '/') throw new InvalidArgumentError('--root is for a scratch folder; leave it out for this host.');
  return dir;
};

/** The edit request from the command's options, checked by the helper's own schema (the option named in an error). */
async function requestOf(vmid: number, opts: Record<string, unknown>): Promise<ProxmoxEditRequest> {
  const { proxmoxEditRequest } = await editModule();
  const raw: ProxmoxEditRequest = {
    vmid,
    gpu: String(opts['gpu'] ?? ''),
    ...(opts['romfile'] !== undefined ? { romfile: String(opts['romfile']) } : {}),
    ...(opts['hvVendorId'] !== undefined ? { hvVendorId: String(opts['hvVendorId']) } : {}),
    hideKvm: opts['hideKvm'] !== false,
    keepVga: Boolean(opts['keepVga']),
    ...(opts['ivshmem'] !== undefined ? { ivshmemMiB: /^\d+$/.test(String(opts['ivshmem'])) ? Number(opts['ivshmem']) : (String(opts['ivshmem']) as unknown as number) } : {}),
    usb: opts['usb'] === undefined ? [] : String(opts['usb']).split(',').map((s) => s.trim()).filter(Boolean),
  };
  const parsed = proxmoxEditRequest.safeParse(raw);
  if (!parsed.success) {
    const names: Record<string, string> = { gpu: '--gpu', romfile: '--romfile', hvVendorId: '--hv-vendor-id', ivshmemMiB: '--ivshmem', usb: '--usb' };
    const issue = parsed.error.issues[0]!;
    const name = names[String(issue.path[0])] ?? String(issue.path[0]);
    throw new VitrineError({ kind: 'invalid-argument', message: `${name}: '${String((raw as Record<string, unknown>)[String(issue.path[0])] ?? '')}' ${issue.message}.`, hint: 'vitrine proxmox preview --help lists the options; vitrine doctor shows the GPU’s address.' });
  }
  return raw;
}

/** `vitrine proxmox …`: a Proxmox VE host's VMs through qm (Proxmox does not use libvirt). */
export function registerProxmoxCommands(program: Command, ctx: { fail: (e: unknown) => never }): void {
  const pve = program.command('proxmox').description('Proxmox VE hosts: list VMs, show and set up GPU passthrough through qm (undoable)');
  const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const tools = async (root: string | undefined): Promise<ProxmoxTools> => new (await qmModule()).ProxmoxTools(root);
  const withEdit = (c: Command): Command =>
    c
      .requiredOption('--gpu <address>', 'the card: 0000:01:00 passes every function ("All Functions"); 0000:01:00.0 only one')
      .option('--romfile <file>', 'a ROM image in /usr/share/kvm (romfile=)')
      .option('--hv-vendor-id <id>', 'hv-vendor-id for the cpu line (NVIDIA Code 43), up to 12 letters or digits')
      .option('--no-hide-kvm', 'leave hidden=1 out of the cpu line')
      .option('--keep-vga', 'keep the emulated display (default: vga: none)')
      .option('--ivshmem <MiB>', 'Looking Glass memory (ivshmem: size=N,name=looking-glass), for a client on this host')
      .option('--usb <ids>', 'USB devices to pass, VID:PID comma-separated (lsusb shows them)')
      .option('--root <dir>', 'a scratch copy of a host (tests): its own usr/sbin/qm', rootDir)
      .option('--json', 'print JSON');

  pve
    .command('vms')
    .description('list the VMs (pvesh, else qm list)')
    .option('--root <dir>', 'a scratch copy of a host (tests)', rootDir)
    .option('--json', 'print JSON')
    .action(async (opts: { root?: string; json?: boolean }) => {
      try {
        const vms = await (await tools(opts.root)).listVms();
        if (opts.json) return out(JSON.stringify(vms, null, 2));
        if (vms.length === 0) return out('No VMs on this node (create one in the web UI, or with qm create).');
        out(vms.map((v) => `${String(v.vmid).padEnd(6)} ${(v.name ?? '-').padEnd(24)} ${v.status}`).join('\n'));
      } catch (error) {
        ctx.fail(error);
      }
    });

  pve
    .command('show <vmid>')
    .description("a VM's passthrough state from qm config, and what is wrong with it")
    .option('--root <dir>', 'a scratch copy of a host (tests)', rootDir)
    .option('--json', 'print JSON')
    .action(async (vmidText: string, opts: { root?: string; json?: boolean }) => {
      try {
        const state = await (await tools(opts.root)).state(vmidOf(vmidText));
        if (opts.json) return out(JSON.stringify(state, null, 2));
        const lines = [
          `VM ${state.vmid}${state.name ? ` (${state.name})` : ''}`,
          `  machine: ${state.machine ?? '(default i440fx)'}   bios: ${state.bios}${state.bios === 'ovmf' ? (state.efidisk ? ' (EFI disk)' : ' (no EFI disk)') : ''}   cpu: ${state.cpu ?? '(default)'}   vga: ${state.vga ?? '(default)'}`,
          ...state.hostpci.map((h) => `  ${h.key}: ${h.host}${h.allFunctions ? ' (all functions)' : ''}${h.pcie ? ' pcie' : ''}${h.xVga ? ' x-vga' : ''}${h.romfile ? ` romfile=${h.romfile}` : ''}`),
          ...(state.hostpci.length === 0 ? ['  no PCI device passed'] : []),
          ...(state.ivshmem ? [`  ivshmem: ${state.ivshmem.sizeMiB} MiB${state.ivshmem.name ? ` (${state.ivshmem.name})` : ''}`] : []),
          ...state.usb.map((u) => `  ${u.key}: ${u.host}`),
          ...state.issues.map((i) => `Problem: ${i}`),
        ];
        out(lines.join('\n'));
      } catch (error) {
        ctx.fail(error);
      }
    });

  const preview = async (vmidText: string, opts: Record<string, unknown>): Promise<{ request: ProxmoxEditRequest; preview: QmPreview }> => {
    const request = await requestOf(vmidOf(vmidText), opts);
    const [{ previewQmEdit }, qm] = await Promise.all([editModule(), tools(opts['root'] as string | undefined)]);
    return { request, preview: previewQmEdit(request, await qm.config(request.vmid as number)) };
  };

  withEdit(pve.command('preview <vmid>').description('the passthrough lines qm set would write, the exact command, and its undo (changes nothing)')).action(async (vmidText: string, opts: Record<string, unknown>) => {
    try {
      const { preview: p } = await preview(vmidText, opts);
      out(opts['json'] ? JSON.stringify(p, null, 2) : (await editModule()).formatQmPreview(p));
    } catch (error) {
      ctx.fail(error);
    }
  });

  withEdit(pve.command('apply <vmid>').description('preview, then have the root helper run that qm set (it keeps the previous lines for undo)')).action(async (vmidText: string, opts: Record<string, unknown>) => {
    try {
      const { request, preview: p } = await preview(vmidText, opts);
      out((await editModule()).formatQmPreview(p));
      if (p.argv.length === 0) return;
      const elevation = await elevationFor(opts['root'] as string | undefined);
      const run = await elevation.runHelper(['qm-set', String(request.vmid), p.id, JSON.stringify(request)], (chunk) => process.stdout.write(chunk));
      if (run.code !== 0) throw await explainHelperExit(run.code, run.output);
      const record = run.output.match(/^applied (\S+)$/m)?.[1];
      out(`Done. Undo with: vitrine proxmox undo${record ? ` ${record}` : ''}${opts['root'] ? ` --root ${String(opts['root'])}` : ''}`);
    } catch (error) {
      ctx.fail(error);
    }
  });

  pve
    .command('undo [record]')
    .description('put back the lines a Vitrine qm set changed (the last one by default)')
    .option('--plan', 'only show what the undo runs (changes nothing)')
    .option('--root <dir>', 'a scratch copy of a host (tests)', rootDir)
    .action(async (record: string | undefined, opts: { root?: string; plan?: boolean }) => {
      try {
        if (opts.plan) {
          // The records are readable without root: show the lines and the command, ask for nothing.
          const all = await (await qmModule()).readQmRecords(opts.root ?? '/');
          const chosen = record ? all.find((r) => r.id === record) : [...all].reverse().find((r) => r.state === 'applied');
          if (!chosen) throw new VitrineError({ kind: 'no-backup', message: record ? `No VM change ${record}.` : 'No VM change to undo.', hint: 'vitrine proxmox apply records each change it makes.' });
          const lines = [`Undo ${chosen.id} (VM ${chosen.vmid}, ${chosen.state}):`];
          for (const c of chosen.changes) lines.push(`-${c.key}: ${c.after}`, ...(c.before !== null ? [`+${c.key}: ${c.before}`] : []));
          lines.push('The root helper runs:', `  $ ${chosen.undoArgv.join(' ')}`);
          return out(lines.join('\n'));
        }
        const run = await (await elevationFor(opts.root)).runHelper(record ? ['qm-undo', record] : ['qm-undo'], (chunk) => process.stdout.write(chunk));
        if (run.code !== 0) throw await explainHelperExit(run.code, run.output);
      } catch (error) {
        ctx.fail(error);
      }
    });

  for (const [action, what] of [
    ['start', 'start a VM (qm start)'],
    ['shutdown', 'ask a VM to shut down (qm shutdown)'],
    ['stop', 'stop a VM at once (qm stop), like pulling the plug'],
  ] as const) {
    pve
      .command(`${action} <vmid>`)
      .description(what)
      .option('--root <dir>', 'a scratch copy of a host (tests)', rootDir)
      .action(async (vmidText: string, opts: { root?: string }) => {
        try {
          const run = await (await elevationFor(opts.root)).runHelper(['qm-power', String(vmidOf(vmidText)), action], (chunk) => process.stdout.write(chunk));
          if (run.code !== 0) throw await explainHelperExit(run.code, run.output);
        } catch (error) {
          ctx.fail(error);
        }
      });
  }
}
