import { type Command, InvalidArgumentError } from 'commander';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { PlanRequest } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { formatPciAddress, parsePciAddress } from '../common/pci-address';
import { parseOrExplain } from './parse';
import type { SetupService } from '../setup/service';

const mib = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 4096 || (n & (n - 1)) !== 0) throw new InvalidArgumentError(`'${value}' is not a power of two between 2 and 4096 (32 for 1080p, 64 for 1440p, 128 for 4K).`);
  return n;
};

/**
 * `--hugepages SIZE:COUNT` (`2M:4096`, `1G:16`) or `SIZE:MEMORY` with its
 * unit (`1G:16GiB`, `2M:8192MiB`: the pages for that much memory).
 */
export function parseHugepages(value: string): NonNullable<PlanRequest['hugepages']> {
  const m = value.trim().match(/^(2M|2MiB|1G|1GiB):([1-9][0-9]*)(MiB|GiB)?$/i);
  if (!m) throw new InvalidArgumentError(`'${value}' is not SIZE:COUNT or SIZE:MEMORY: the size is 2M or 1G, then the number of pages (2M:4096, 1G:16) or the memory they back with its unit (1G:16GiB, 2M:8192MiB).`);
  const size = m[1]!.toUpperCase().startsWith('2') ? '2M' : '1G';
  const n = Number(m[2]);
  if (!m[3]) return { size, pages: n };
  return { size, memoryMiB: m[3].toLowerCase() === 'gib' ? n * 1024 : n };
}

const rootDir = (value: string): string => {
  const dir = resolve(value); // relative to here; '//' and '/.' are '/'
  if (dir === '/') throw new InvalidArgumentError('--root is for a scratch folder; leave it out to change this host.');
  return dir;
};

/**
 * The scratch root a setup command works on, from its own `--root` and the
 * global `--setup-root` (undefined: this host). Either alone is used; both
 * must name the same folder, else nothing is done: a command must never
 * change one host while the user believes it changes another.
 */
export function setupRootFor(commandRoot: string | undefined, globalRoot: string | undefined): string | undefined {
  const own = commandRoot === undefined ? undefined : resolve(commandRoot);
  const global = globalRoot === undefined || resolve(globalRoot) === '/' ? undefined : resolve(globalRoot);
  if (own !== undefined && globalRoot !== undefined && own !== global) {
    throw new VitrineError({
      kind: 'invalid-argument',
      message: `--root ${own} and --setup-root ${global ?? '/'} name different hosts; nothing was done.`,
      hint: 'Give one of them (or the same folder to both).',
    });
  }
  return own ?? global;
}

/** ` --root DIR` for the commands a message suggests, when they are about a scratch root. */
const rootFlag = (root: string | undefined): string => (root === undefined ? '' : ` --root ${root}`);

/** `vitrine setup plan|apply|rollback|backups`: host preparation from a terminal (rollback works from a text console). */
export function registerSetupCommands(program: Command, ctx: { setup: (root?: string) => Promise<SetupService>; setupRoot: () => string | undefined; fail: (e: unknown) => never }): void {
  const setup = program.command('setup').description('prepare the host: bind the GPU to vfio-pci, Looking Glass memory access — as a reviewed plan, undoable');
  const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  /** Every setup command's host: its --root, else the global --setup-root, else this one (they must agree). */
  const rootOf = (opts: { root?: string }): string | undefined => setupRootFor(opts.root, ctx.setupRoot());

  setup
    .command('plan')
    .description('plan the host changes and print them as diffs (changes nothing)')
    .option('--gpu <addresses>', "the GPU's PCI functions, comma-separated (vitrine doctor shows them); leave out for the other items only")
    .option('--handover <when>', "how the GPU reaches its VM: boot (bound to vfio-pci at boot) or vm-start (handed over by a libvirt hook when the VM starts, no reboot)", 'boot')
    .option('--single-gpu', 'the GPU is the only one (the boot display): hand it over at VM start (same as --handover vm-start)')
    .option('--looking-glass <mode>', 'shm (a /dev/shm file) or kvmfr (the kernel module)', 'shm')
    .option('--lg-size <MiB>', 'Looking Glass memory for kvmfr (32 for 1080p, 64 for 1440p)', mib, 32)
    .option('--no-looking-glass-access', 'leave Looking Glass memory access alone')
    .option('--user <name>', 'the desktop user that runs Looking Glass (default: you, or $SUDO_USER under sudo)')
    .option('--ignore-msrs', 'also: kvm ignore_msrs=1 (against KMODE_EXCEPTION_NOT_HANDLED)')
    .option('--allow-unsafe-interrupts', 'also: vfio allow_unsafe_interrupts=1 (security cost: see the troubleshooter)')
    .option('--hugepages <size:count>', 'also: reserve hugepages for VM memory — 2M:COUNT (sysctl, at once when the memory is free) or 1G:COUNT (kernel parameters, at boot); SIZE:16GiB for the pages of 16 GiB', parseHugepages)
    .option('--root <dir>', 'plan for a scratch copy of a host instead of this one', rootDir)
    .option('--json', 'print the plan as JSON')
    .action(async (opts: Record<string, unknown>) => {
      try {
        const mode = String(opts['lookingGlass']);
        if (mode !== 'shm' && mode !== 'kvmfr') throw new VitrineError({ kind: 'invalid-argument', message: `--looking-glass takes shm or kvmfr, not '${mode}'.`, hint: 'shm is simplest; kvmfr needs the kvmfr module.' });
        const handover = opts['singleGpu'] ? 'vm-start' : String(opts['handover']);
        if (handover !== 'boot' && handover !== 'vm-start') throw new VitrineError({ kind: 'invalid-argument', message: `--handover takes boot or vm-start, not '${handover}'.`, hint: 'boot binds the card to vfio-pci at boot; vm-start hands it over when its VM starts.' });
        const request: PlanRequest = {
          gpu: String(opts['gpu'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
          ...(handover === 'vm-start' ? { handover } : {}),
          lookingGlass: opts['lookingGlassAccess'] === false ? null : { mode, sizeMiB: opts['lgSize'] as number },
          // Looked up only when not given: a plan for a scratch root reads nothing of this machine's /etc.
          user: String(opts['user'] ?? (process.env['SUDO_USER'] || userInfo().username)),
          ...(opts['ignoreMsrs'] ? { ignoreMsrs: true } : {}),
          ...(opts['allowUnsafeInterrupts'] ? { allowUnsafeInterrupts: true } : {}),
          ...(opts['hugepages'] ? { hugepages: opts['hugepages'] as NonNullable<PlanRequest['hugepages']> } : {}),
        };
        if (request.gpu.length === 0 && !request.lookingGlass && !request.ignoreMsrs && !request.allowUnsafeInterrupts && !request.hugepages) {
          throw new VitrineError({ kind: 'invalid-argument', message: 'Nothing to plan.', hint: 'Give --gpu ADDRESSES, and/or --looking-glass, --ignore-msrs, --allow-unsafe-interrupts, --hugepages SIZE:COUNT.' });
        }
        // The same schema and service as the Host page's plan.
        const { requestSchemas } = await import('../../shared/schemas');
        const checked = parseOrExplain(requestSchemas['setup.plan'], request, { gpu: '--gpu', lookingGlass: '--looking-glass', 'lookingGlass.sizeMiB': '--lg-size', user: '--user', hugepages: '--hugepages', 'hugepages.pages': '--hugepages', 'hugepages.memoryMiB': '--hugepages' }, 'Correct the option; nothing was planned.');
        const root = rootOf({ root: opts['root'] as string | undefined });
        const plan = await (await ctx.setup(root)).plan(checked);
        out(opts['json'] ? JSON.stringify(plan, null, 2) : `${(await import('../setup/format')).formatPlan(plan)}${plan.steps.length ? `\nApply it with: vitrine setup apply${rootFlag(root)}` : ''}`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  setup
    .command('apply')
    .description('apply the last plan (one password prompt; every file is backed up first)')
    .option('--root <dir>', 'the scratch copy of a host the plan was made for (by default: the last plan\'s host)', rootDir)
    .action(async (opts: { root?: string }) => {
      try {
        const given = rootOf(opts);
        // Without --root or --setup-root, the host the last plan was made for (this one, or the scratch folder of `plan --root`);
        // with one, it must be that host.
        const last = await (await ctx.setup(given)).lastPlan();
        const planned = resolve(last.root) === '/' ? undefined : resolve(last.root);
        if (given !== undefined && given !== planned) {
          throw new VitrineError({
            kind: 'setup-root',
            message: `The last plan was made for ${planned ?? 'this host'}, not ${given}: nothing was applied.`,
            hint: `Make a plan for it first: vitrine setup plan --root ${given} …`,
          });
        }
        if (planned === undefined && last.plan.steps.length > 0) out(`Applying plan ${last.plan.id.slice(0, 12)}… — the password dialog shows the command: check that the id after "apply" starts with ${last.plan.id.slice(0, 12)}.`);
        const result = await (await ctx.setup(planned)).apply((chunk) => process.stdout.write(chunk));
        if (result.backup) out(`\nDone. Undo with: vitrine setup rollback ${result.backup}${rootFlag(planned)}${result.plan.rebootRequired && planned === undefined ? '\nReboot, then check with: vitrine doctor' : ''}`);
        else out(result.output);
      } catch (error) {
        ctx.fail(error);
      }
    });

  setup
    .command('rollback [id]')
    .description('undo a change set (the last one by default): shows the undo first — files restored byte for byte, kernel parameters removed, boot files regenerated — and asks')
    .option('--root <dir>', 'a scratch copy of a host', rootDir)
    .option('--plan', 'only show what the undo does (changes nothing)')
    .option('--json', 'with --plan: print the undo plan as JSON')
    .option('-y, --yes', 'do not ask (for scripts; the undo is still printed first)')
    .action(async (id: string | undefined, opts: { root?: string; plan?: boolean; json?: boolean; yes?: boolean }) => {
      try {
        const root = rootOf(opts);
        const service = await ctx.setup(root);
        const undo = await service.undoPlan(id);
        if (opts.plan) {
          out(opts.json ? JSON.stringify(undo, null, 2) : `${(await import('../setup/format')).formatUndo(undo)}\nUndo it with: vitrine setup rollback ${undo.changeSet}${rootFlag(root)}`);
          return;
        }
        const { formatUndo } = await import('../setup/format');
        out(formatUndo(undo));
        if (!opts.yes) {
          if (!process.stdin.isTTY) {
            throw new VitrineError({ kind: 'invalid-argument', message: 'Not undone: there is no terminal to confirm on.', hint: `Read the undo above, then run it again with --yes: vitrine setup rollback ${undo.changeSet}${rootFlag(root)} --yes` });
          }
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question('Undo this change? [y/N] ').finally(() => rl.close());
          if (!/^(y|yes|o|oui)$/i.test(answer.trim())) {
            out('Not undone: nothing was changed.');
            return;
          }
        }
        await service.rollback(undo.changeSet, (chunk) => process.stdout.write(chunk), undo.id);
        out(root === undefined && undo.rebootRequired ? '\nUndone. Reboot, then check with: vitrine setup backups (it says whether the GPU is back on its own driver).' : '\nUndone.');
      } catch (error) {
        ctx.fail(error);
      }
    });

  setup
    .command('dump-rom <address>')
    .description("save a GPU's ROM to /var/lib/vitrine/roms (for a VM's hostdev); the card must not be in use")
    .option('--root <dir>', 'a scratch copy of a host', rootDir)
    .action(async (raw: string, opts: { root?: string }) => {
      try {
        const address = formatPciAddress(parsePciAddress(raw));
        const output = `/var/lib/vitrine/roms/${address.replace(/[:.]/g, '-')}.rom`;
        const run = await (await ctx.setup(rootOf(opts))).runHelper(['dump-rom', address, output]);
        if (run.code !== 0) throw (await import('../setup/service')).explainHelperExit(run.code, run.output);
        out(`${run.output.trim()}\nUse it with: vitrine vm xml NAME --attach-gpu ${address} --rom ${output} --diff`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  setup
    .command('backups')
    .description('list the change sets Vitrine made')
    .option('--root <dir>', 'a scratch copy of a host', rootDir)
    .option('--json', 'print JSON')
    .action(async (opts: { root?: string; json?: boolean }) => {
      try {
        const all = await (await ctx.setup(rootOf(opts))).backups();
        if (opts.json) out(JSON.stringify(all, null, 2));
        else {
          const sets = await (await ctx.setup(rootOf(opts))).changeSets();
          const undoNote = (u: (typeof sets)[number]['undo']): string => {
            if (u === null) return '';
            if (u.state === 'reboot') return '\n    undone; reboot to boot without it';
            const devices = u.devices.map((d) => (d.driver === 'vfio-pci' ? `${d.address} is still bound to vfio-pci` : d.driver ? `${d.address} uses ${d.driver} again` : `${d.address} has no driver (load its own)`));
            const args = u.leftArgs.length ? [`the running kernel line still has ${u.leftArgs.join(' ')}`] : [];
            return `\n    ${u.state === 'verified' ? 'undone and checked after the reboot' : 'undone, but after the reboot'}: ${[...devices, ...args].join('; ') || 'no vfio-pci ids left'}.`;
          };
          const hugeNote = (h: (typeof sets)[number]['hugepages']): string => {
            if (!h) return '';
            const size = h.sizeKiB === 2048 ? '2 MiB' : '1 GiB';
            if (h.state === 'reboot') return `\n    hugepages: ${h.wanted} pages of ${size} come at the next boot; reboot, then check here`;
            return h.state === 'verified' ? `\n    hugepages checked: the ${size} pool has ${h.total} pages (asked ${h.wanted})` : `\n    hugepages: the ${size} pool has only ${h.total} of the ${h.wanted} pages asked (memory not free in one piece); reboot to reserve them at boot`;
          };
          out(sets.length === 0 ? 'No changes made by Vitrine.' : sets.map((m) => `${m.id}  ${m.state}  ${m.reason}  (${m.files.length} changed, ${m.created.length} created)${undoNote(m.undo)}${hugeNote(m.hugepages)}`).join('\n'));
        }
      } catch (error) {
        ctx.fail(error);
      }
    });
}
