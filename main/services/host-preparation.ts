import type { ChangeSet, PlanRequest, PlanView, UndoView } from '../../shared/api';
import type { TaskTracker } from '../state/tasks';
import { fileDiff } from '../setup/format';
import type { SetupService } from '../setup/service';
import { msg } from '../../shared/i18n/message';

/** Host preparation as the UI uses it: plans with their diffs, apply as a task, the change sets, undo. */
export interface HostPreparation {
  /** Plan (changes nothing) and show each file's diff and what the password prompt will say. */
  plan(request: PlanRequest): Promise<PlanView>;
  /** Apply the last plan with one password prompt; the initramfs rebuild's output is the task step's detail, live. */
  apply(): Promise<{ backup: string | null; output: string }>;
  /** The change sets, newest first. */
  changes(): Promise<ChangeSet[]>;
  /** What undoing a change set does (the last one by default), with each file's diff when known. */
  undoPlan(id?: string): Promise<UndoView>;
  /** Undo as reviewed: the helper refuses unless its own undo has `undoId`. */
  rollback(id: string, undoId: string): Promise<{ output: string }>;
}

/** Host preparation on the root the setup service's elevation changes ('/' normally, a scratch folder in tests). */
export function hostPreparation(setup: SetupService, tasks: TaskTracker): HostPreparation {
  return {
    async plan(request) {
      const plan = await setup.plan(request);
      const diffs: Record<string, string> = {};
      for (const step of plan.steps) if (step.kind === 'write') diffs[step.path] = fileDiff(step.path, step.before, step.after);
      return { ...plan, diffs, prompt: setup.prompt() };
    },

    async apply() {
      const task = tasks.begin('prepare', 'host', 'Prepare the host', [{ id: 'apply', label: 'Apply the changes' }]);
      task.step('apply', 'running');
      let last = '';
      try {
        const { backup, output } = await setup.apply((chunk) => {
          const line = chunk.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
          if (line && line !== last) task.step('apply', 'running', (last = line.slice(0, 200)));
        });
        task.step('apply', 'done', backup ? msg('prepare.backedUp', { backup }) : '');
        task.finish();
        return { backup, output };
      } catch (error) {
        task.step('apply', 'failed');
        task.finish(error);
        throw error;
      }
    },

    changes: async () => (await setup.changeSets()).reverse(),
    async undoPlan(id) {
      const plan = await setup.undoPlan(id);
      const diffs: Record<string, string> = {};
      for (const step of plan.steps) {
        if (step.kind !== 'write') continue;
        diffs[step.path] = step.before !== undefined ? fileDiff(step.path, step.before, step.after ?? null) : '';
      }
      return { ...plan, diffs, prompt: setup.prompt() };
    },
    async rollback(id, undoId) {
      const task = tasks.begin('prepare', 'host', 'Undo a host change', [{ id: 'undo', label: 'Undo the change' }]);
      task.step('undo', 'running');
      let last = '';
      try {
        const output = await setup.rollback(id, (chunk) => {
          const line = chunk.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
          if (line && line !== last) task.step('undo', 'running', (last = line.slice(0, 200)));
        }, undoId);
        task.step('undo', 'done');
        task.finish();
        return { output };
      } catch (error) {
        task.step('undo', 'failed');
        task.finish(error);
        throw error;
      }
    },
  };
}
