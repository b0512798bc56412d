import type { Command } from 'commander';
import type { ClientLaunch, LgStatus, Task } from '../../shared/api';
import { parseRelease } from '../../shared/lg-release';
import { VitrineError } from '../common/errors';
import type { Services } from '../services/index';
import type { BatchResult } from '../libvirt/virsh';
import { existingName } from './vm';

/** What `vitrine play` runs on (services/core.ts: libvirt, settings, tasks and Looking Glass, without the rest). */
export type PlayServices = Pick<Services, 'tasks' | 'lookingGlass' | 'settings' | 'close'>;

export interface LgCommandContext {
  services: () => Promise<Services>;
  playServices: () => Promise<PlayServices>;
  /**
   * Start Play's first virsh run (the VM's dominfo and definition) on the
   * command's connection; resolves once it runs, with its outcome to come.
   */
  readDomain: (name: string) => Promise<{ run: Promise<BatchResult | null> }>;
  fail: (error: unknown) => never;
}

const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** The launch check as text: client, memory, argv. */
export function formatLaunch(name: string, launch: ClientLaunch): string {
  const lines = [`Looking Glass for ${name}`];
  const c = launch.client;
  lines.push(c.problem ? `  client:  ✗ ${c.problem.message} — ${c.problem.hint}` : `  client:  ${c.path}${c.release ? ` (${c.release})` : ''}${c.warning ? `\n           ! ${c.warning}` : ''}`);
  lines.push(`  rules:   ${c.rules.release}${c.rules.known ? ` (table row ${c.rules.row})` : ` (${c.rules.row} rules)`}: ${c.rules.shmOption}, ${c.rules.setGuestRes ? 'win:setGuestRes=yes' : 'no win:setGuestRes'}, ${c.rules.formula.toUpperCase()} memory formula`);
  lines.push(`  guest:   ${c.guest.file} (silent: ${c.guest.silent})${c.guest.needsDummyPlug ? '; the card needs a monitor or a dummy plug' : '; a virtual monitor, no dummy plug'}`);
  const m = launch.memory;
  const { width, height } = launch.settings.resolution;
  lines.push(`  memory:  ${m.mode ? `${m.configuredMiB} MiB ${m.mode === 'kvmfr' ? 'kvmfr' : 'shmem'}${m.device ? ` device ${m.device}` : ''} at ${m.path}` : 'none'}; ${width}×${height}${launch.settings.hdr ? ' HDR' : ''} needs ${m.neededMiB} MiB`);
  for (const p of m.problems) lines.push(`           ✗ ${p.message}\n             fix: ${p.fix}`);
  lines.push(`  monitor: ${launch.monitor ? `${launch.monitor.name} ${launch.monitor.width}×${launch.monitor.height} at +${launch.monitor.x}+${launch.monitor.y}` : 'not detected (set a resolution on the VM page or in Settings)'}`);
  if (launch.pending) lines.push(`  note:    ${launch.pending}`);
  lines.push(`  argv:    ${[c.path ?? 'looking-glass-client', ...launch.argv].join(' ')}`);
  return lines.join('\n');
}

/** A --release value the client could print (B7, B7-247-gbc96319b, B8-rc1, B8, B9…). */
function checkRelease(release: string | undefined): void {
  if (release !== undefined && !parseRelease(release)) {
    throw new VitrineError({ kind: 'invalid-argument', message: `--release: "${release}" is not a Looking Glass release name.`, hint: 'Give it as the client prints it: B7, B7-247-gbc96319b, B8-rc1, B8.' });
  }
}

function printStep(task: Task, seen: Map<string, string>): void {
  for (const step of task.steps) {
    const key = `${step.state}:${step.detail}`;
    if (seen.get(step.id) === key || step.state === 'pending') continue;
    seen.set(step.id, key);
    const mark = { running: '…', done: '✓', failed: '✗', skipped: '-', pending: ' ' }[step.state];
    out(`${mark} ${step.label}${step.detail ? `: ${step.detail}` : ''}`);
  }
}

/** `vitrine lg args|check NAME` and `vitrine play NAME`. */
export function registerLgCommands(program: Command, ctx: LgCommandContext): void {
  const lg = program.command('lg').description('Looking Glass: the client command and its checks');

  lg.command('args <name>')
    .description('print the exact looking-glass-client argv Vitrine uses for a VM')
    .option('--release <release>', "the argv for this Looking Glass release (B7, B7-247-gbc96319b, B8-rc1, B8) instead of the installed client's")
    .option('--json', 'print JSON: { command, release, argv, pending, note }')
    .action(async (name: string, opts: { json?: boolean; release?: string }) => {
      const services = await ctx.services();
      try {
        checkRelease(opts.release);
        const launch = await services.lookingGlass.launchInfo(await existingName(name), opts.release);
        const command = launch.client.path ?? 'looking-glass-client';
        const note = launch.client.rules.note;
        out(opts.json ? JSON.stringify({ command, release: launch.client.rules.release, argv: launch.argv, pending: launch.pending, note }, null, 2) : [command, ...launch.argv].join('\n'));
        if (!opts.json && note) process.stderr.write(`note: ${note}\n`);
        if (launch.pending && !opts.json) process.stderr.write(`note: ${launch.pending}\n`);
      } catch (error) {
        ctx.fail(error);
      }
    });

  lg.command('client')
    .description("the Looking Glass client Vitrine found, its release, the rules Vitrine follows for it, the matching Windows side, and how to get it on this distribution")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      try {
        const c = await (await ctx.services()).lookingGlass.client();
        if (opts.json) return out(JSON.stringify(c, null, 2));
        const lines = [c.path ? `client:  ${c.path} (${c.release ?? 'release unknown'})` : `client:  ✗ ${c.problem?.message ?? 'not found'}`];
        if (c.warning) lines.push(`         ! ${c.warning}`);
        lines.push(`rules:   ${c.rules.release}: ${c.rules.shmOption}, ${c.rules.setGuestRes ? 'win:setGuestRes=yes' : 'no win:setGuestRes'}, ${c.rules.formula.toUpperCase()} memory formula`);
        lines.push(`windows: ${c.guest.file}; silent: ${c.guest.silent}${c.guest.needsDummyPlug ? '; needs a monitor or dummy plug on the card' : '; virtual monitor, no dummy plug'}`);
        lines.push(`get it (${c.install.distro ?? c.install.family}): ${c.install.how}`, ...c.install.commands.map((x) => `  ${x}`), `kvmfr:   ${c.install.kvmfr}`);
        out(lines.join('\n'));
      } catch (error) {
        ctx.fail(error);
      }
    });

  lg.command('check <name>')
    .description('check the client and the shared memory for a VM; exits 1 when something must be fixed')
    .option('--release <release>', "check against this Looking Glass release's rules instead of the installed client's")
    .option('--json', 'print the whole check as JSON')
    .action(async (name: string, opts: { json?: boolean; release?: string }) => {
      try {
        checkRelease(opts.release);
        const launch = await (await ctx.services()).lookingGlass.launchInfo(await existingName(name), opts.release);
        out(opts.json ? JSON.stringify(launch, null, 2) : formatLaunch(name, launch));
        process.exit(launch.client.problem || launch.memory.problems.length > 0 ? 1 : 0);
      } catch (error) {
        ctx.fail(error);
      }
    });

  program
    .command('play <name>')
    .description('start a VM and open its Looking Glass window; stays until the VM stops (Ctrl+C closes the window, the VM keeps running)')
    .action(async (name: string) => {
      // A name vmName accepts is read at once, in one virsh process, while the code Play runs loads.
      const read = (await ctx.readDomain(name).catch(() => ({ run: Promise.resolve(null) }))).run.catch(() => null);
      const services = await ctx.playServices();
      try {
        const checked = await existingName(name);
        const seen = new Map<string, string>();
        const unsubscribe = services.tasks.subscribe((snapshot) => {
          const task = snapshot.tasks.find((t) => t.subject === name && t.kind === 'play');
          if (task) printStep(task, seen);
        });
        // A run that did not happen or failed outright (null) is made again by Play itself, for its own error.
        const task = await services.lookingGlass.play(checked, read);
        unsubscribe();
        if (task.error) throw new VitrineError(task.error);
        out(`Looking Glass is open for ${name}. It closes when the VM stops; Ctrl+C closes it and leaves the VM running.`);
        const onSignal = (): void => {
          void services.lookingGlass.close(name).then(() => {
            out(`Looking Glass closed; ${name} keeps running (vitrine vm stop ${JSON.stringify(name)} shuts it down).`);
            process.exit(130);
          });
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const { onClientClose } = await services.settings.get();
        let last = '';
        services.lookingGlass.subscribe((snapshot) => {
          const status: LgStatus | undefined = snapshot.clients.find((c) => c.vm === name);
          if (!status) return;
          const line = `[${status.state}] ${status.message}`;
          if (line !== last) out(line);
          last = line;
          if (status.state === 'stopped') void services.close().then(() => process.exit(0));
          else if (status.state === 'failed') {
            process.stderr.write(`vitrine: Looking Glass failed — see what happened with: vitrine diagnose ${JSON.stringify(name)}\n`);
            void services.close().then(() => process.exit(1));
          } else if (status.state === 'closed' && onClientClose !== 'shut-down') {
            out(`${name} keeps running (vitrine vm stop ${JSON.stringify(name)} shuts it down; vitrine play ${JSON.stringify(name)} reopens the window).`);
            void services.close().then(() => process.exit(0));
          }
        });
      } catch (error) {
        await services.close();
        ctx.fail(error);
      }
    });
}
