import { type Command, InvalidArgumentError } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import type { DomainSummary, EditRequest, VmSpec } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { lookingGlassMiBFor } from '../../shared/lg-release';
import type { Services } from '../services/index';
import { parseOrExplain } from './parse';

// The schemas (zod), the XML code and the diff are loaded by the commands that use them, not by every `vitrine` run.
const schemas = () => import('../../shared/schemas');

export interface VmCommandContext {
  services: () => Promise<Services>;
  uri: () => Promise<string>;
  /** The domain list (services.listDomains, loading only the libvirt code it needs). */
  domains: () => Promise<DomainSummary[]>;
  fail: (error: unknown) => never;
}

const int = (what: string) => (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be a whole number, not '${value}'.`);
  return Number(value);
};

export function resolution(value: string): { width: number; height: number } {
  const m = value.match(/^(\d{3,5})x(\d{3,5})$/);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a resolution: write WIDTHxHEIGHT, e.g. 2560x1440.`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

const yesNo = (what: string) => (value: string): boolean => {
  if (!/^(yes|no)$/i.test(value)) throw new InvalidArgumentError(`${what} takes yes or no, not '${value}'.`);
  return value.toLowerCase() === 'yes';
};

/** The vm create options by the spec field they set, to name the option in an error. */
const CREATE_FLAGS: Record<string, string> = {
  name: '--name',
  os: '--os',
  vcpus: '--cpus',
  threads: '--threads',
  memoryMiB: '--memory',
  disk: '--disk',
  'disk.path': '--disk',
  'disk.sizeGiB': '--disk-size',
  network: '--network/--bridge',
  'network.name': '--network/--bridge',
  windowsIso: '--iso',
  virtioIso: '--virtio-iso',
  lookingGlassMiB: '--shmem',
  resolution: '--resolution',
  virtType: '--virt-type',
  cpuPinning: '--pin-cpus',
  'cpuPinning.cpus': '--pin-cpus',
  'unattended.user': '--windows-user',
  'unattended.password': '--windows-password-file',
  'unattended.language': '--windows-language',
  'unattended.keyboard': '--windows-keyboard',
  'unattended.timeZone': '--windows-timezone',
  'unattended.lookingGlassInstaller': '--lg-installer',
};

/** A CPU list option (`8-15,24-31`) as numbers. */
function cpuListOption(value: unknown): number[] {
  const text = String(value).trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) throw new VitrineError({ kind: 'invalid-argument', message: `'${text}' is not a CPU list.`, hint: 'Write host CPUs like 8-15,24-31 (see vitrine vm pinning).' });
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

/** The Windows password for an unattended install: from a file (`-`: standard input) or VITRINE_WINDOWS_PASSWORD, never from the command line (ps shows it). */
async function windowsPassword(opts: Record<string, unknown>): Promise<string> {
  const file = opts['windowsPasswordFile'];
  if (file === undefined) return process.env['VITRINE_WINDOWS_PASSWORD'] ?? '';
  const text = file === '-' ? await new Promise<string>((done) => {
    let data = '';
    process.stdin.setEncoding('utf8').on('data', (c) => (data += c)).on('end', () => done(data));
  }) : await readFile(String(file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new VitrineError({ kind: 'missing-file', message: `The password file '${String(file)}' cannot be read (${error.code ?? error.message}).`, hint: 'Give a readable file holding the password on its first line, or - to read it from standard input.' });
  });
  return text.split(/\r?\n/)[0] ?? '';
}

/**
 * The VM spec for `vm create`: the wizard's defaults for this host and
 * connection (services.vmDefaults, the one place that decides them), with each
 * given option over them. The disk follows the name, as in the wizard's form.
 */
export function specFromOptions(defaults: VmSpec, opts: Record<string, unknown>): unknown {
  const name = opts['name'] === undefined ? defaults.name : String(opts['name']);
  const diskDir = defaults.disk.path.slice(0, defaults.disk.path.lastIndexOf('/')) || '/';
  const network = opts['userNet']
    ? { type: 'user' }
    : opts['bridge'] !== undefined
      ? { type: 'bridge', name: opts['bridge'] }
      : opts['network'] !== undefined
        ? { type: 'network', name: opts['network'] }
        : defaults.network;
  return {
    ...defaults,
    name,
    os: opts['os'] ?? defaults.os,
    vcpus: opts['cpus'] ?? defaults.vcpus,
    threads: opts['threads'] ?? (opts['cpus'] !== undefined && (opts['cpus'] as number) % defaults.threads !== 0 ? 1 : defaults.threads),
    memoryMiB: opts['memory'] ?? defaults.memoryMiB,
    hugepages: opts['hugepages'] === undefined ? defaults.hugepages : Boolean(opts['hugepages']),
    disk: { path: (opts['disk'] as string | undefined) ?? `${diskDir}/${name}.qcow2`, sizeGiB: opts['diskSize'] ?? defaults.disk.sizeGiB },
    network,
    windowsIso: opts['iso'] ?? defaults.windowsIso,
    virtioIso: opts['virtioIso'] ?? defaults.virtioIso,
    lookingGlassMiB: opts['shmem'] ?? defaults.lookingGlassMiB,
    resolution: opts['resolution'] ?? defaults.resolution,
    virtType: opts['virtType'] ?? defaults.virtType,
  };
}

/** The vm xml options by the edit field they set. */
const XML_FLAGS: Record<string, string> = {
  attachPci: '--attach-gpu',
  'attachPci.rom': '--rom',
  detachPci: '--detach-gpu',
  shmemMiB: '--shmem',
  kvmfrMiB: '--kvmfr',
  hideHypervisor: '--hide-hypervisor',
  'hideHypervisor.vendorId': '--vendor-id',
  usb: '--usb',
  'lookingGlass.resolution': '--resolution',
  'lookingGlass.escapeKey': '--escape-key',
};

/** Check an existing VM name before it reaches virsh. */
/**
 * What shared/schemas.ts's vmName accepts (1–200 characters, no '/', no
 * control character), decided without loading zod: the test holds both to
 * the same answers. Only a refused name loads the schemas, for their message.
 */
export function isExistingVmName(name: string): boolean {
  return name.length >= 1 && name.length <= 200 && !name.includes('/') && !/\p{Cc}/u.test(name);
}

export async function existingName(name: string): Promise<string> {
  if (isExistingVmName(name)) return name;
  const { issuesText, vmName } = await schemas();
  const parsed = vmName.safeParse(name);
  if (!parsed.success) throw new VitrineError({ kind: 'invalid-argument', message: issuesText(parsed.error), hint: 'Give the name as vitrine vm list shows it.' });
  return name;
}

function table(domains: DomainSummary[]): string {
  if (domains.length === 0) return 'No virtual machines on this connection.\n';
  const rows = [['NAME', 'STATE', 'AUTOSTART', 'PERSISTENT'], ...domains.map((d) => [d.name, d.state, d.autostart ? 'yes' : 'no', d.persistent ? 'yes' : 'no'])];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** `vitrine vm …`: list, create, start, stop, kill, undefine, xml, history, restore. */
export function registerVmCommands(program: Command, ctx: VmCommandContext): void {
  const vm = program.command('vm').description('virtual machines');
  const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

  vm.command('list')
    .description('list the virtual machines and their state')
    .option('--json', 'print JSON: { uri, domains: [{ name, uuid, state, id, persistent, autostart }] }')
    .action(async (opts: { json?: boolean }) => {
      try {
        const domains = await ctx.domains();
        out(opts.json ? JSON.stringify({ uri: await ctx.uri(), domains }, null, 2) : table(domains));
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('create')
    .description('create a Windows game VM (q35, OVMF, virtio disk and network, the Windows and virtio-win ISOs); unset options take the values the setup wizard offers on this host')
    .requiredOption('--name <name>', 'the VM name (letters, digits, spaces, . _ + -)')
    .option('--os <os>', 'win10, or win11 (Secure Boot and a TPM)', 'win11')
    .requiredOption('--iso <path>', 'the Windows installation ISO')
    .requiredOption('--virtio-iso <path>', 'the virtio-win driver ISO')
    .option('--cpus <n>', "virtual CPUs (default: the host's threads but two)", int('--cpus'))
    .option('--threads <n>', 'threads per core (default: 2 on SMT hosts)', int('--threads'))
    .option('--memory <MiB>', "memory in MiB (default: half the host's memory, 1024 to 16384)", int('--memory'))
    .option('--hugepages', 'back the memory with huge pages')
    .option('--disk <path>', "the qcow2 disk to create (default: NAME.qcow2 in libvirt's image folder for this connection)")
    .option('--disk-size <GiB>', 'disk size in GiB (default 128)', int('--disk-size'))
    .option('--network <name>', 'libvirt network (default: user-mode networking on qemu:///session, else the network "default")')
    .option('--bridge <name>', 'host bridge instead of a libvirt network')
    .option('--user-net', 'user-mode networking (no host setup; the choice for qemu:///session)')
    .option('--resolution <WxH>', "guest resolution for Looking Glass (default: the primary monitor's)", resolution)
    .option('--shmem <MiB>', 'Looking Glass memory now (default: none until the GPU is attached)', int('--shmem'))
    .option('--virt-type <type>', 'kvm, or qemu (TCG, slow) on hosts without KVM (default: kvm when you may use /dev/kvm)')
    .option('--pin', "pin the vCPUs to whole host cores (planned from this host's topology; see vitrine vm pinning)")
    .option('--pin-cpus <list>', 'pin to these host CPUs instead of the proposal (all threads of each core), e.g. 8-15,24-31')
    .option('--windows-user <name>', 'install Windows unattended, creating this account (an answer-file ISO as a third CD-ROM)')
    .option('--windows-password-file <file>', "the account's password: the first line of FILE (- for standard input); default VITRINE_WINDOWS_PASSWORD or none")
    .option('--windows-language <tag>', "Windows' language, e.g. fr-FR (default: this host's)")
    .option('--windows-keyboard <tag>', 'keyboard: a language tag or an input locale like 040c:0000040c (default: this host\'s)')
    .option('--windows-timezone <name>', 'a Windows time zone name, e.g. "Romance Standard Time" (default: this host\'s)')
    .option('--lg-installer <path>', 'looking-glass-host-setup.exe (the release matching your client), installed at first logon')
    .option('--dry-run', 'print the domain XML and create nothing')
    .action(async (opts: Record<string, unknown>) => {
      try {
        const services = await ctx.services();
        const { requestSchemas } = await schemas();
        const defaults = await services.vmDefaults();
        const raw = specFromOptions(defaults.spec, opts) as Record<string, unknown>;
        if (opts['pin'] || opts['pinCpus'] !== undefined) raw['cpuPinning'] = opts['pinCpus'] !== undefined ? { cpus: cpuListOption(opts['pinCpus']) } : {};
        if (opts['windowsUser'] !== undefined) {
          raw['unattended'] = {
            user: String(opts['windowsUser']),
            password: await windowsPassword(opts),
            language: opts['windowsLanguage'] ?? defaults.locale.language,
            keyboard: opts['windowsKeyboard'] ?? defaults.locale.keyboard,
            timeZone: opts['windowsTimezone'] ?? defaults.locale.timeZone,
            lookingGlassInstaller: opts['lgInstaller'] ?? null,
          };
        } else if (['windowsPasswordFile', 'windowsLanguage', 'windowsKeyboard', 'windowsTimezone', 'lgInstaller'].some((k) => opts[k] !== undefined)) {
          throw new VitrineError({ kind: 'invalid-argument', message: 'The unattended install options go with --windows-user.', hint: 'Add --windows-user NAME (the Windows account to create).' });
        }
        const spec = parseOrExplain(requestSchemas['vm.create'], raw, CREATE_FLAGS, 'Correct the option; nothing was created.');
        if (opts['dryRun']) {
          out((await services.vm.create(spec, { dryRun: true })).xml);
          return;
        }
        // The same task as the wizard's (check, disk, define), its steps printed as they finish.
        const task = await services.createVm(spec);
        if (task.state === 'failed' && task.error) throw new VitrineError(task.error);
        const res = spec.resolution;
        const { rules } = await services.lookingGlass.client();
        out(
          `Created '${spec.name}' (disk ${spec.disk.path}, ${spec.vcpus} vCPUs, ${spec.memoryMiB} MiB).\n` +
            `Looking Glass ${rules.release} at ${res.width}x${res.height} will need ${lookingGlassMiBFor(rules, res.width, res.height)} MiB of shared memory.\n` +
            `Start it with: vitrine vm start ${JSON.stringify(spec.name)}`,
        );
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('start <name>')
    .description('start a VM')
    .action(async (name: string) => {
      try {
        const d = await (await ctx.services()).vm.start(await existingName(name));
        out(`'${d.name}' is ${d.state}.`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('stop <name>')
    .description('ask the guest to shut down (ACPI) and wait for it')
    .option('--timeout <seconds>', 'how long to wait', int('--timeout'), 120)
    .option('--force', 'force it off when it has not shut down within the timeout')
    .action(async (name: string, opts: { timeout: number; force?: boolean }) => {
      try {
        const { stopped } = await (await ctx.services()).vm.shutdown(await existingName(name), opts.timeout);
        if (stopped) out(`'${name}' is shut off.`);
        else if (opts.force) {
          await (await ctx.services()).vm.forceOff(name);
          out(`'${name}' did not shut down within ${opts.timeout} s and was forced off.`);
        } else {
          process.stderr.write(`vitrine: '${name}' did not shut down within ${opts.timeout} s — it may be busy or ignore ACPI; force it off with: vitrine vm kill ${JSON.stringify(name)}\n`);
          process.exitCode = 2;
        }
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('kill <name>')
    .description('force a VM off (like pulling the plug)')
    .action(async (name: string) => {
      try {
        const d = await (await ctx.services()).vm.forceOff(await existingName(name));
        out(`'${d.name}' is ${d.state}.`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('undefine <name>')
    .description('remove a VM definition, its UEFI variables and TPM state (its disk stays)')
    .action(async (name: string) => {
      try {
        const { keptDisks } = await (await ctx.services()).vm.undefine(await existingName(name));
        out(`'${name}' was removed; ${keptDisks.length ? `its disk was kept (${keptDisks.join(', ')})` : 'it had no disk'}. Its last definition is in the history.`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('xml [name]')
    .description('print, diff or apply passthrough edits to a VM (or a file); with no edit, --print writes the document back as read')
    .option('--file <path>', 'edit this domain XML file instead of a defined VM')
    .option('--attach-gpu <addresses>', 'attach these PCI functions, comma-separated (e.g. 0000:01:00.0,0000:01:00.1)')
    .option('--detach-gpu <addresses>', 'detach these PCI functions')
    .option('--rom <path>', 'ROM file for the first attached function')
    .option('--shmem <MiB>', 'Looking Glass <shmem> of this size', int('--shmem'))
    .option('--kvmfr <MiB>', 'Looking Glass through kvmfr of this size', int('--kvmfr'))
    .option('--hide-hypervisor <method>', 'a: CPUID hypervisor bit off; b: Hyper-V vendor_id + hypervclock')
    .option('--vendor-id <id>', 'Hyper-V vendor_id for method b (1-12 letters or digits)')
    .option('--video-none', 'no emulated display')
    .option('--no-tablet', 'remove the emulated USB tablet')
    .option('--usb <vid:pid...>', 'USB host devices to pass')
    .option('--memballoon-none', 'no memory balloon')
    .option('--pin', "pin the vCPUs to whole host cores (planned from this host's topology)")
    .option('--pin-vcpus <n>', 'with --pin: this many vCPUs (default: as many as the VM has)', int('--pin-vcpus'))
    .option('--pin-cpus <list>', 'pin to these host CPUs (all threads of each core), e.g. 8-15,24-31')
    .option('--hugepages <yes|no>', 'back the memory with hugepages (refused, with the reason, when the host has not reserved them)', yesNo('--hugepages'))
    .option('--resolution <WxH>', 'Looking Glass: the guest resolution the window is sized for', resolution)
    .option('--full-screen <yes|no>', 'Looking Glass: open full screen on the monitor of that resolution', yesNo('--full-screen'))
    .option('--escape-key <KEY_…>', 'Looking Glass: the escape key (a Linux key name, e.g. KEY_SCROLLLOCK)')
    .option('--hdr <yes|no>', 'Looking Glass: HDR (doubles the memory needed)', yesNo('--hdr'))
    .option('--print', 'print the resulting XML (default)')
    .option('--diff', 'print a unified diff instead')
    .option('--apply', 'define the result (previous definition kept in the history)')
    .action(async (name: string | undefined, opts: Record<string, unknown>) => {
      try {
        if ((name === undefined) === (opts['file'] === undefined)) {
          throw new VitrineError({ kind: 'invalid-argument', message: 'Give either a VM name or --file FILE.', hint: 'e.g. vitrine vm xml win11 --diff --video-none' });
        }
        const split = (v: unknown): string[] => String(v).split(',').map((s) => s.trim()).filter(Boolean);
        const request: EditRequest = {};
        if (opts['attachGpu']) request.attachPci = { addresses: split(opts['attachGpu']), rom: (opts['rom'] as string | undefined) ?? null };
        else if (opts['rom']) throw new VitrineError({ kind: 'invalid-argument', message: '--rom goes with --attach-gpu.', hint: 'Add --attach-gpu ADDRESS.' });
        if (opts['detachGpu']) request.detachPci = { addresses: split(opts['detachGpu']) };
        if (opts['shmem'] !== undefined) request.shmemMiB = opts['shmem'] as number;
        if (opts['kvmfr'] !== undefined) request.kvmfrMiB = opts['kvmfr'] as number;
        if (opts['hideHypervisor'] !== undefined) {
          const method = String(opts['hideHypervisor']).toLowerCase();
          if (method !== 'a' && method !== 'b') throw new VitrineError({ kind: 'invalid-argument', message: `--hide-hypervisor takes a or b, not '${method}'.`, hint: 'a: hypervisor CPUID bit off; b: Hyper-V vendor_id + hypervclock.' });
          request.hideHypervisor = opts['vendorId'] ? { method, vendorId: String(opts['vendorId']) } : { method };
        }
        if (opts['videoNone']) request.videoNone = true;
        if (opts['tablet'] === false) request.removeTablet = true;
        if (opts['usb']) request.usb = opts['usb'] as string[];
        if (opts['memballoonNone']) request.memballoonNone = true;
        if (opts['pin'] || opts['pinCpus'] !== undefined || opts['pinVcpus'] !== undefined) {
          request.cpuPinning = {};
          if (opts['pinCpus'] !== undefined) request.cpuPinning.cpus = cpuListOption(opts['pinCpus']);
          if (opts['pinVcpus'] !== undefined) request.cpuPinning.vcpus = opts['pinVcpus'] as number;
        }
        if (opts['hugepages'] !== undefined) request.hugepages = opts['hugepages'] as boolean;
        const lg: NonNullable<EditRequest['lookingGlass']> = {};
        if (opts['resolution']) lg.resolution = opts['resolution'] as { width: number; height: number };
        if (opts['fullScreen'] !== undefined) lg.fullScreen = opts['fullScreen'] as boolean;
        if (opts['escapeKey'] !== undefined) lg.escapeKey = String(opts['escapeKey']);
        if (opts['hdr'] !== undefined) lg.hdr = opts['hdr'] as boolean;
        if (Object.keys(lg).length > 0) request.lookingGlass = lg;
        // No edit option: nothing to check (the schema takes {} as it is, see schemas.test.ts), so zod is not loaded.
        const edits: EditRequest =
          Object.keys(request).length === 0 ? {} : parseOrExplain((await schemas()).requestSchemas['vm.applyEdits'].shape.edits, request, XML_FLAGS, 'Correct the option; nothing was changed.');

        if (name !== undefined) {
          // A defined VM: the same preview and apply as the VM page.
          const vmName = await existingName(name);
          if (opts['apply']) {
            const preview = await (await ctx.services()).vm.applyEdits(vmName, edits);
            if (!preview.diff) return out('Nothing to change.');
            out(preview.diff);
            const previous = (await (await ctx.services()).vm.history(vmName)).at(0);
            if (previous) out(`Previous definition kept as ${previous.id} (vitrine vm restore ${JSON.stringify(vmName)} ${previous.id}).`);
          } else {
            const preview = await (await ctx.services()).vm.previewEdits(vmName, edits);
            if (opts['diff']) {
              out(preview.diff || 'No change.');
              // Each generated line with its reason (CPU pinning).
              if (preview.reasons) out(['Why:', ...preview.reasons.map((r) => `  ${r.xml}\n      ${r.reason}`), ...(preview.notes ?? []).map((n) => `Note: ${n}`)].join('\n'));
            } else process.stdout.write(preview.after);
          }
          return;
        }
        const path = String(opts['file']);
        const info = await stat(path).catch(() => null);
        if (!info?.isFile()) throw new VitrineError({ kind: 'missing-file', message: `'${path}' does not exist or is not a file.`, hint: 'Give the path of a domain XML file.' });
        if (info.size > 10 * 1024 * 1024) throw new VitrineError({ kind: 'too-large', message: `'${path}' is over 10 MiB: not a domain XML.`, hint: 'Give the path of a domain XML file.' });
        const before = await readFile(path, 'utf8');
        if (edits.hugepages) throw new VitrineError({ kind: 'invalid-argument', message: '--hugepages needs a defined VM (the check reads its memory and this host).', hint: 'Define the file first (--apply), then: vitrine vm xml NAME --hugepages yes.' });
        const pinning = edits.cpuPinning ? await (await ctx.services()).vm.planPinning(edits.cpuPinning) : undefined;
        const { parseDomainXml, serializeXml } = await import('../libvirt/xml/document');
        const read = parseDomainXml(before, `'${path}'`);
        // No edit: the document as read (applyEdits would give it back unchanged), without loading the edits' code.
        const after = serializeXml(Object.keys(edits).length === 0 ? read : (await import('../libvirt/edits')).applyEdits(read, edits, { pinning }));
        if (opts['apply']) {
          // Define the edited file as a VM (a new one, or a new version with its previous kept).
          const result = await (await ctx.services()).vm.lifecycle.define(after, `vm xml --file ${Object.keys(edits).join(', ') || 'as read'}`);
          out(result.diff || `Defined '${result.name}'.`);
          if (result.previous) out(`Previous definition kept as ${result.previous.id} (vitrine vm restore ${JSON.stringify(result.name)} ${result.previous.id}).`);
        } else if (opts['diff']) out(before === after ? 'No change.' : await (await import('../libvirt/history')).unifiedDiff(before, after, path));
        else process.stdout.write(after);
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('pinning')
    .description("propose CPU pinning for this host (or check a choice of CPUs), each line with its reason")
    .option('--cpus <n>', 'vCPUs wanted (rounded up to whole cores)', int('--cpus'))
    .option('--pin-cpus <list>', 'check this choice of host CPUs, e.g. 8-15,24-31')
    .option('--gpu <address>', 'the passed GPU, whose NUMA node the cores should be on')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => {
      try {
        const { requestSchemas } = await schemas();
        const request = parseOrExplain(
          requestSchemas['vm.planPinning'],
          { ...(opts['cpus'] !== undefined ? { vcpus: opts['cpus'] } : {}), ...(opts['pinCpus'] !== undefined ? { cpus: cpuListOption(opts['pinCpus']) } : {}), ...(opts['gpu'] !== undefined ? { gpu: opts['gpu'] } : {}) },
          { vcpus: '--cpus', cpus: '--pin-cpus', gpu: '--gpu' },
          'Correct the option.',
        );
        const plan = await (await ctx.services()).vm.pinningPreview(request);
        if (opts['json']) return out(JSON.stringify(plan, null, 2));
        out([...plan.reasons.map((r) => `${r.xml}\n    ${r.reason}`), ...plan.notes.map((n) => `Note: ${n}`)].join('\n'));
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('finish-install <name>')
    .description('end an unattended install: remove the answer-file CD-ROM and delete its ISO (which holds the password)')
    .option('--force', "even when the guest agent does not answer (you finished the install yourself)")
    .action(async (name: string, opts: { force?: boolean }) => {
      try {
        const { removed } = await (await ctx.services()).vm.finishInstall(await existingName(name), Boolean(opts.force));
        out(removed ? `Removed the answer-file ISO ${removed} from '${name}'.` : `'${name}' has no answer-file ISO attached.`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('history <name>')
    .description('list the previous definitions of a VM')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      try {
        const entries = await (await ctx.services()).vm.history(await existingName(name));
        if (opts.json) out(JSON.stringify(entries, null, 2));
        else out(entries.length === 0 ? `No previous definitions of '${name}'.` : entries.map((e) => `${e.id}  ${e.savedAt}  ${e.reason}`).join('\n'));
      } catch (error) {
        ctx.fail(error);
      }
    });

  vm.command('restore <name> <id>')
    .description('define a previous version again (see vm history)')
    .action(async (name: string, id: string) => {
      try {
        const result = await (await ctx.services()).vm.restore(await existingName(name), id);
        out(result.diff || 'Restored (no difference).');
      } catch (error) {
        ctx.fail(error);
      }
    });
}
