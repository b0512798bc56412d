import type { ArgsOf, Channel, PlanView, Result, ResultOf } from '../../shared/api';
import { toErrorInfo } from '../common/errors';
import type { Services } from '../services/index';
import { issuesText, requestSchemas } from '../../shared/schemas';
import { fileDiff } from '../setup/format';
import { locateHelper } from '../setup/service';
import { createVmTask } from '../libvirt/create-task';
import { openConsole } from '../libvirt/console';
import { listFolder } from '../common/files';

type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

/** The one handler table, used by Electron IPC (main/shell/ipc.ts) and `vitrine serve`. */
export interface Registry {
  dispatch(channel: string, args: unknown): Promise<Result<unknown>>;
  channels(): Channel[];
}

/** Bind every request of the contract to its service. */
export function createRegistry(services: Services): Registry {
  const handlers: Handlers = {
    'app.info': async () => services.info(),
    'domains.list': async () => services.listDomains(),
    'host.check': async () => services.hostCheck(),
    'vm.details': async ({ name }) => services.vm.details(name),
    'vm.start': async ({ name }) => services.vm.start(name),
    'vm.shutdown': async ({ name, timeoutSeconds }) => services.vm.shutdown(name, timeoutSeconds),
    'vm.forceOff': async ({ name }) => services.vm.forceOff(name),
    'vm.previewEdits': async ({ name, edits }) => services.vm.previewEdits(name, edits),
    'vm.applyEdits': async ({ name, edits }) => services.vm.applyEdits(name, edits),
    'vm.history': async ({ name }) => services.vm.history(name),
    'vm.restore': async ({ name, id }) => services.vm.restore(name, id),
    'diagnose.run': async ({ name, texts }) => services.diagnose.run(name, texts),
    'diagnose.search': async ({ query }) => services.diagnose.search(query),
    'setup.plan': async (request) => {
      const plan = await services.setup.plan(request, services.setupRoot);
      const diffs: Record<string, string> = {};
      for (const step of plan.steps) if (step.kind === 'write') diffs[step.path] = fileDiff(step.path, step.before, step.after);
      let prompt: PlanView['prompt'] = null;
      if (services.setupRoot === '/') {
        try {
          const helper = locateHelper();
          prompt = { kind: helper.prompt, program: helper.argv[0]! };
        } catch (error) {
          prompt = { kind: 'unavailable', reason: toErrorInfo(error).message };
        }
      }
      return { ...plan, diffs, prompt };
    },
    'setup.apply': async () => {
      // The initramfs rebuild takes a while: its output is the step's detail, live.
      const task = services.tasks.begin('prepare', 'host', 'Prepare the host', [{ id: 'apply', label: 'Apply the changes' }]);
      task.step('apply', 'running');
      let last = '';
      try {
        const { backup, output } = await services.setup.apply((chunk) => {
          const line = chunk.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
          if (line && line !== last) task.step('apply', 'running', (last = line.slice(0, 200)));
        });
        task.step('apply', 'done', backup ? `Backed up as ${backup}.` : '');
        task.finish();
        return { backup, output };
      } catch (error) {
        task.step('apply', 'failed');
        task.finish(error);
        throw error;
      }
    },
    'setup.changes': async () => (await services.setup.backups(services.setupRoot)).reverse(),
    'setup.rollback': async ({ id }) => ({ output: await services.setup.rollback(services.setupRoot, id) }),
    'lg.launchInfo': async ({ name }) => services.lookingGlass.launchInfo(name),
    'lg.open': async ({ name }) => services.lookingGlass.open(name),
    'lg.close': async ({ name }) => services.lookingGlass.close(name),
    'vm.play': async ({ name }) => services.lookingGlass.play(name),
    'vm.stop': async ({ name }) => services.lookingGlass.stop(name),
    'settings.get': async () => services.settings.get(),
    'settings.set': async (patch) => services.updateSettings(patch),
    'monitors.list': async () => services.monitors(),
    'wizard.get': async () => services.wizard.get(),
    'wizard.set': async (patch) => services.wizard.set(patch),
    'vm.defaults': async () => services.vmDefaults(),
    'vm.create': async (spec) => createVmTask(services.vm, services.tasks, spec),
    'vm.console': async ({ name }) => openConsole(services.info().libvirtUri, name),
    'files.list': async ({ dir, extension }) => listFolder(dir, extension),
    'task.cancel': async ({ id }) => services.tasks.cancel(id),
  };
  const channels = Object.keys(handlers) as Channel[];
  return {
    channels: () => [...channels],
    async dispatch(channel, args) {
      if (!isChannel(channel)) {
        return {
          ok: false,
          error: {
            kind: 'unknown-request',
            message: `Unknown request '${String(channel).slice(0, 80)}'.`,
            hint: 'The window and the service are from different Vitrine versions: reload the window.',
          },
        };
      }
      const parsed = requestSchemas[channel].safeParse(args);
      if (!parsed.success) {
        const issues = issuesText(parsed.error);
        return {
          ok: false,
          error: { kind: 'invalid-argument', message: `Invalid arguments for '${channel}': ${issues}`, hint: 'Correct the value and try again.' },
        };
      }
      try {
        const handler = handlers[channel] as (a: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },
  };

  function isChannel(name: string): name is Channel {
    return Object.prototype.hasOwnProperty.call(handlers, name);
  }
}
