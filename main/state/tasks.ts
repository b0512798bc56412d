import type { ErrorInfo, StepState, Task, TasksSnapshot } from '../../shared/api';
import { toErrorInfo, VitrineError } from '../common/errors';
import { english } from '../common/text';
import { randomId } from '../common/random';
import { isMsg, msg, type Msg } from '../../shared/i18n/message';

const KEEP = 20;

/** One task's handle: move its steps along, then finish it. */
export interface TaskHandle {
  readonly id: string;
  /** A detail is a catalogue message (shown in the user's language; its English for the CLI) or plain text. */
  step(id: string, state: StepState, detail?: string | Msg): void;
  /** Run `work` as step `id`: running, then done (with its detail) or failed (and rethrow). */
  run<T>(id: string, work: () => Promise<T>, detail?: (value: T) => string | Msg): Promise<T>;
  finish(error?: unknown): Task;
  /** Whether the task may still be cancelled (set false once past the point of no return). */
  setCancellable(cancellable: boolean): void;
  /** Throws a 'cancelled' error if the user cancelled; call between steps. */
  checkCancelled(): void;
}

/**
 * Work that takes more than a second (Play, Stop), step by step, pushed as
 * `task.progress` snapshots of the recent tasks (the newest first).
 */
/** A task's title as a message: the catalogue's words for its kind when they are the title's (the English stays the title). */
function titleOf(task: Task): Msg | string {
  const title = msg(`task.title.${task.kind}`, { name: task.subject });
  return english(title) === task.title ? title : task.title;
}

export class TaskTracker {
  private tasks: Task[] = [];
  private readonly listeners = new Set<(snapshot: TasksSnapshot) => void>();

  snapshot(): TasksSnapshot {
    return { tasks: this.tasks.map((t) => ({ ...t, steps: t.steps.map((s) => ({ ...s })) })) };
  }

  subscribe(listener: (snapshot: TasksSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  /** The running task of this kind on this subject, if any (to refuse doing it twice at once). */
  running(subject: string): Task | null {
    return this.tasks.find((t) => t.subject === subject && t.state === 'running') ?? null;
  }

  private readonly cancelled = new Set<string>();

  /** Ask a task to stop at its next safe point; null when there is no such running task. */
  cancel(id: string): Task | null {
    const task = this.tasks.find((t) => t.id === id && t.state === 'running');
    if (!task) return null;
    if (!task.cancellable) throw VitrineError.of('not-cancellable', msg('error.state.notCancellable', { title: titleOf(task) }), msg('error.waitHint'));
    this.cancelled.add(id);
    return { ...task };
  }

  begin(kind: Task['kind'], subject: string, title: string, steps: { id: string; label: string }[], options: { cancellable?: boolean } = {}): TaskHandle {
    const task: Task = { id: randomId(), kind, subject, title, cancellable: options.cancellable ?? false, steps: steps.map((s) => ({ ...s, state: 'pending', detail: '' })), state: 'running', error: null, startedAt: new Date().toISOString() };
    this.tasks = [task, ...this.tasks].slice(0, KEEP);
    this.emit();
    const step = (id: string, state: StepState, detail?: string | Msg): void => {
      const s = task.steps.find((x) => x.id === id);
      if (!s) throw new Error(`unknown step ${id}`);
      s.state = state;
      if (detail !== undefined) {
        s.detail = isMsg(detail) ? english(detail) : detail;
        if (isMsg(detail)) s.detailMsg = detail;
        else delete s.detailMsg;
      }
      this.emit();
    };
    return {
      id: task.id,
      step,
      run: async (id, work, detail) => {
        step(id, 'running');
        try {
          const value = await work();
          step(id, 'done', detail ? detail(value) : undefined);
          return value;
        } catch (error) {
          const info = toErrorInfo(error);
          step(id, 'failed', info.msg?.message ?? info.message);
          throw error;
        }
      },
      setCancellable: (cancellable) => {
        task.cancellable = cancellable;
        this.emit();
      },
      checkCancelled: () => {
        if (this.cancelled.has(task.id)) throw VitrineError.of('cancelled', msg('error.state.cancelled', { title: titleOf(task) }), msg('error.state.cancelledHint'));
      },
      finish: (error?: unknown) => {
        this.cancelled.delete(task.id);
        task.cancellable = false;
        const info: ErrorInfo | null = error === undefined ? null : toErrorInfo(error);
        task.state = info ? 'failed' : 'done';
        task.error = info;
        for (const s of task.steps) if (s.state === 'pending' || s.state === 'running') s.state = info ? 'skipped' : s.state === 'running' ? 'done' : 'skipped';
        this.emit();
        return this.snapshot().tasks.find((t) => t.id === task.id)!;
      },
    };
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of [...this.listeners]) listener(snapshot);
  }
}
