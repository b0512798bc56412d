import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DomainSummary, LgStatus, Task } from '../../../shared/api';
import { api } from '../api';
import { useAction } from '../hooks';
import { ErrorBanner } from './error-banner';
import { TaskProgress } from './task-progress';

const OPEN_STATES = new Set(['starting', 'waiting-for-guest', 'running', 'restarting']);

/**
 * Play / Stop for one VM, with Looking Glass's state, the steps of the
 * current task, and the question when the window was closed while it runs.
 */
export function PlayControls({ domain, lg, task, compact = false }: { domain: DomainSummary; lg: LgStatus | null; task: Task | null; compact?: boolean }) {
  const { t } = useTranslation();
  const { run, busy: pending, error } = useAction();
  const running = domain.state === 'running' || domain.state === 'paused' || domain.state === 'in-shutdown';
  const busy = pending || task?.state === 'running';
  const lgOpen = lg ? OPEN_STATES.has(lg.state) : false;
  return (
    <div className="play">
      <div className="actions" role="group" aria-label={t('play.group', { name: domain.name })}>
        {!running && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run(() => api.vm.play({ name: domain.name }))} aria-label={t('play.playNamed', { name: domain.name })}>
            ▶ {t('play.play')}
          </button>
        )}
        {running && (
          <button type="button" disabled={busy} onClick={() => void run(() => api.vm.stop({ name: domain.name }))} aria-label={t('play.stopNamed', { name: domain.name })}>
            ■ {t('play.stop')}
          </button>
        )}
        {running && !lgOpen && (
          <button type="button" disabled={busy} onClick={() => void run(() => api.lg.open({ name: domain.name }))} aria-label={t('play.openNamed', { name: domain.name })}>
            {t('play.open')}
          </button>
        )}
        {running && lgOpen && !compact && (
          <button type="button" disabled={busy} onClick={() => void run(() => api.lg.close({ name: domain.name }))}>
            {t('play.close')}
          </button>
        )}
      </div>
      {lg && (
        <p className={`lg-status lg-${lg.state}`} role="status">
          <span className="lg-state">{t(`lg.${lg.state}`)}</span>
          {lg.message && !compact ? ` — ${lg.message}` : ''}
          {lg.problem && (
            <>
              {' '}
              <Link to="/troubleshoot" state={{ name: domain.name }}>
                {t('lg.explain')}
              </Link>
            </>
          )}
        </p>
      )}
      {lg?.ask && running && (
        <div className="banner banner-warn" role="alertdialog" aria-label={t('play.askTitle')}>
          <p>{t('play.ask', { name: domain.name })}</p>
          <div className="actions">
            <button type="button" onClick={() => void run(() => api.vm.stop({ name: domain.name }))}>
              {t('play.askShutDown')}
            </button>
            <button type="button" onClick={() => void run(() => api.lg.close({ name: domain.name }))}>
              {t('play.askKeep')}
            </button>
          </div>
        </div>
      )}
      {task && (task.state === 'running' || !compact) && <TaskProgress task={task} />}
      {task && compact && task.state === 'failed' && task.error && <ErrorBanner error={task.error} vm={domain.name} />}
      {error && <ErrorBanner error={error} vm={domain.name} />}
    </div>
  );
}
