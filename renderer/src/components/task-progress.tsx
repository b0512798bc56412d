import { useTranslation } from 'react-i18next';
import { useMsg } from '../i18n/msg';
import type { Task } from '../../../shared/api';
import { api } from '../api';
import { ErrorBanner } from './error-banner';

const MARK: Record<Task['steps'][number]['state'], string> = { pending: '○', running: '◌', done: '✓', failed: '✗', skipped: '–' };

/** A long task step by step, read out as it changes. */
export function TaskProgress({ task }: { task: Task }) {
  const { t } = useTranslation();
  const tm = useMsg();
  return (
    <section className={`task task-${task.state}`} aria-label={t('task.label', { title: t(`task.title.${task.kind}`, { name: task.subject }) })}>
      <ol className="steps" aria-live="polite">
        {task.steps.map((step) => (
          <li key={step.id} className={`step step-${step.state}`}>
            <span className="step-mark" aria-hidden="true">
              {MARK[step.state]}
            </span>{' '}
            <span className="step-label">{t(`task.step.${step.id}`, { defaultValue: step.label })}</span>
            <span className="visually-hidden"> ({t(`task.state.${step.state}`)})</span>
            {step.detail && <span className="step-detail"> — {tm(step.detailMsg, step.detail)}</span>}
          </li>
        ))}
      </ol>
      {task.state === 'running' && task.cancellable && (
        <button type="button" onClick={() => void api.task.cancel({ id: task.id })}>
          {t('task.cancel')}
        </button>
      )}
      {task.error && <ErrorBanner error={task.error} vm={task.subject} />}
    </section>
  );
}
