import type { z } from 'zod';
import type { Channel, ErrorInfo, ParsedArgsOf, Result, ResultOf } from '../../shared/api';
import { issuesText, requestSchemas } from '../../shared/schemas';
import { msg, type MsgValue } from '../../shared/i18n/message';
import { errorInfo, toErrorInfo } from '../common/errors';
import type { Services } from '../services/index';

type Handlers = { [C in Channel]: (args: ParsedArgsOf<C>) => Promise<ResultOf<C>> };

/** The one handler table, used by Electron IPC (main/shell/ipc.ts) and `vitrine serve`. */
export interface Registry {
  dispatch(channel: string, args: unknown): Promise<Result<unknown>>;
  channels(): Channel[];
}

/** Every request of the contract to its service: one line each, no logic here. */
function handlers(services: Services): Handlers {
  return {
    'app.info': async () => services.info(),
    'app.notices': async () => services.notices(),
    'domains.list': () => services.listDomains(),
    'host.check': () => services.hostCheck(),
    'host.handover': (args) => services.hostHandover(args.gpu),
    'vm.details': ({ name }) => services.vm.details(name),
    'vm.cards': ({ names }) => services.lookingGlass.cards(names),
    'vm.start': ({ name }) => services.vm.start(name),
    'vm.shutdown': ({ name, timeoutSeconds }) => services.vm.shutdown(name, timeoutSeconds),
    'vm.forceOff': ({ name }) => services.vm.forceOff(name),
    'vm.previewEdits': ({ name, edits }) => services.vm.previewEdits(name, edits),
    'vm.applyEdits': ({ name, edits }) => services.vm.applyEdits(name, edits),
    'vm.undefine': ({ name, deleteDisks }) => services.vm.undefine(name, deleteDisks === undefined ? {} : { deleteDisks }),
    'vm.clone': ({ name, newName }) => services.vm.clone(name, newName),
    'vm.history': ({ name }) => services.vm.history(name),
    'vm.restore': ({ name, id }) => services.vm.restore(name, id),
    'vm.play': ({ name }) => services.lookingGlass.play(name),
    'vm.stop': ({ name }) => services.lookingGlass.stop(name),
    'vm.defaults': () => services.vmDefaults(),
    'vm.planPinning': (request) => services.vm.pinningPreview(request),
    'vm.finishInstall': ({ name, force }) => services.vm.finishInstall(name, force),
    'vm.create': (spec) => services.createVm(spec),
    'vm.console': ({ name }) => services.openConsole(name),
    'diagnose.run': ({ name, texts }) => services.diagnose.run(name, texts),
    'diagnose.search': async ({ query }) => services.diagnose.searchDetailed(query),
    'setup.plan': (request) => services.hostPreparation.plan(request),
    'setup.apply': () => services.hostPreparation.apply(),
    'setup.changes': () => services.hostPreparation.changes(),
    'setup.undoPlan': ({ id }) => services.hostPreparation.undoPlan(id),
    'setup.rollback': ({ id, undoId }) => services.hostPreparation.rollback(id, undoId),
    'lg.launchInfo': ({ name }) => services.lookingGlass.launchInfo(name),
    'lg.open': ({ name }) => services.lookingGlass.open(name),
    'lg.close': ({ name }) => services.lookingGlass.close(name),
    'lg.client': () => services.lookingGlass.client(),
    'settings.get': () => services.settings.get(),
    'settings.set': (patch) => services.updateSettings(patch),
    'monitors.list': () => services.monitors(),
    'wizard.get': () => services.wizard.get(),
    'wizard.set': (patch) => services.wizard.set(patch),
    'files.list': ({ dir, extension }) => services.listFolder(dir, extension),
    'task.cancel': async ({ id }) => services.tasks.cancel(id),
  };
}

/** Bind every request of the contract to its service, behind its schema. */
export function createRegistry(services: Services): Registry {
  const table = handlers(services);
  const channels = Object.keys(table) as Channel[];
  const isChannel = (name: string): name is Channel => Object.prototype.hasOwnProperty.call(table, name);
  return {
    channels: () => [...channels],
    async dispatch(channel, args) {
      if (!isChannel(channel)) {
        return {
          ok: false,
          // The English names the request (for logs); the UI's words do not.
          error: { ...errorInfo('unknown-request', msg('error.unknownRequest'), msg('error.unknownRequestHint')), message: `Unknown request '${String(channel).slice(0, 80)}'.` },
        };
      }
      return run(channel, args);
    },
  };

  async function run<C extends Channel>(channel: C, args: unknown): Promise<Result<unknown>> {
    const parsed = requestSchemas[channel].safeParse(args);
    if (!parsed.success) {
      return {
        ok: false,
        error: { ...invalidArguments(parsed.error), message: `Invalid arguments for '${channel}': ${issuesText(parsed.error)}` },
      };
    }
    try {
      // parsed.data is ParsedArgsOf<C> by definition (z.output of C's schema);
      // the compiler does not follow the correlation through the index.
      return { ok: true, value: await table[channel](parsed.data as ParsedArgsOf<C>) };
    } catch (error) {
      return { ok: false, error: toErrorInfo(error) };
    }
  }
}

/** Fields the UI names in words when a value is refused (the rest are "a value"). */
const FIELDS = new Set(['name', 'os', 'vcpus', 'threads', 'memoryMiB', 'hugepages', 'disk', 'network', 'windowsIso', 'virtioIso', 'lookingGlassMiB', 'attachPci', 'detachPci', 'shmemMiB', 'kvmfrMiB', 'usb', 'path', 'sizeGiB', 'dir', 'gpu', 'rom']);

/**
 * What is wrong with a value, in the catalogue's words where the schema's check
 * is a plain bound or type (the form says the same: validation.*); a schema's
 * own sentence otherwise.
 */
function problemOf(issue: z.core.$ZodIssue): MsgValue {
  if (issue.code === 'too_small' && (issue.origin === 'number' || issue.origin === 'int')) return msg('validation.tooSmall', { min: String(issue.minimum) });
  if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) return msg('validation.tooBig', { max: String(issue.maximum) });
  if (issue.code === 'invalid_type' && (issue.expected === 'int' || issue.expected === 'number')) return msg(issue.expected === 'int' ? 'validation.whole' : 'validation.number');
  return issue.message;
}

/**
 * A refused request as the UI says it: each field by its name in words and
 * what is wrong with it, never the channel or a property name (the English
 * message keeps those for the CLI and logs).
 */
function invalidArguments(error: z.ZodError): ErrorInfo {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const field = [...issue.path].reverse().find((p): p is string => typeof p === 'string' && FIELDS.has(p));
    return msg('error.issue', { field: field ? msg(`field.${field}`) : msg('field.value'), problem: problemOf(issue) });
  });
  return errorInfo('invalid-argument', msg('error.invalid', { issues }), msg('error.invalidHint'));
}
