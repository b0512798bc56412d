import { randomUUID } from 'node:crypto';
import type { ErrorInfo, StepState, Task, TasksSnapshot } from '../preload/api';
import { toErrorInfo } from './errors';

const KEEP = 20;

/** One task's handle: move its steps along, then finish it. */
export interface TaskHandle {
  readonly id: string;
  step(id: string, state: StepState, detail?: string): void;
  /** Run `work` as step `id`: running, then done (with its detail) or failed (and rethrow). */
  run<T>(id: string, work: () => Promise<T>, detail?: (value: T) => string): Promise<T>;
  finish(error?: unknown): Task;
}

/**
 * Work that takes more than a second (Play, Stop), step by step, pushed as
 * `task.progress` snapshots of the recent tasks (the newest first).
 */
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

  begin(kind: Task['kind'], subject: string, title: string, steps: { id: string; label: string }[]): TaskHandle {
    const task: Task = { id: randomUUID(), kind, subject, title, steps: steps.map((s) => ({ ...s, state: 'pending', detail: '' })), state: 'running', error: null, startedAt: new Date().toISOString() };
    this.tasks = [task, ...this.tasks].slice(0, KEEP);
    this.emit();
    const step = (id: string, state: StepState, detail?: string): void => {
      const s = task.steps.find((x) => x.id === id);
      if (!s) throw new Error(`unknown step ${id}`);
      s.state = state;
      if (detail !== undefined) s.detail = detail;
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
          step(id, 'failed', toErrorInfo(error).message);
          throw error;
        }
      },
      finish: (error?: unknown) => {
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
