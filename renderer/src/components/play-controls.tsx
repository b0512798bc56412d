import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DomainSummary, LgStatus, Task } from '../../../shared/api';
import { api } from '../api';
import { useAction } from '../hooks';
import { STOP_TIMEOUT_SECONDS } from '../../../shared/enums';
import { ConfirmButton } from './confirm';
import { ErrorBanner } from './error-banner';
import { useMsg } from '../i18n/msg';
import { TaskProgress } from './task-progress';

const OPEN_STATES = new Set(['starting', 'waiting-for-guest', 'running', 'restarting']);

/** The time now, ticking every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/**
 * While Stop waits for Windows: the seconds left before it gives up, and
 * "Force off now" (confirmed: it is like pulling the plug). After a Stop
 * that timed out, the same Force off, since the VM still runs.
 */
export function StopCountdown({ name, since, timedOut, onForceOff, busy }: { name: string; since: number; timedOut: boolean; onForceOff: () => void; busy: boolean }) {
  const { t } = useTranslation();
  const now = useNow(!timedOut);
  const left = Math.max(0, STOP_TIMEOUT_SECONDS - Math.floor((now - since) / 1000));
  return (
    <div className={`stop-countdown ${timedOut ? 'banner banner-warn' : ''}`}>
      <p role="status">{timedOut ? t('play.stopTimedOut', { name, seconds: STOP_TIMEOUT_SECONDS }) : t('play.stopCountdown', { count: left })}</p>
      <div className="actions">
        <ConfirmButton className="danger" disabled={busy} label={timedOut ? t('vm.forceOff') : t('play.forceOffNow')} ariaLabel={t('play.forceOffNamed', { name })} question={t('vm.forceOffConfirm', { name })} yes={t('vm.forceOffYes', { name })} onConfirm={onForceOff} />
      </div>
    </div>
  );
}

/**
 * Play / Stop for one VM, with Looking Glass's state, the steps of the
 * current task, and the question when the window was closed while it runs.
 */
export function PlayControls({ domain, lg, task, compact = false, blocked = null }: { domain: DomainSummary; lg: LgStatus | null; task: Task | null; compact?: boolean; blocked?: string | null }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const { run, busy: pending, error } = useAction();
  const running = domain.state === 'running' || domain.state === 'paused' || domain.state === 'in-shutdown';
  const busy = pending || task?.state === 'running';
  const lgOpen = lg ? OPEN_STATES.has(lg.state) : false;
  const stopping = task?.kind === 'stop' && task.state === 'running';
  const stopTimedOut = task?.kind === 'stop' && task.state === 'failed' && task.error?.kind === 'shutdown-timeout' && running;
  // A finished task's error says nothing once the VM is shut off (e.g. "did not shut down" after a force off).
  const staleError = task?.state === 'failed' && task.kind === 'stop' && !running;
  const forceOff = (): void => void run(() => api.vm.forceOff({ name: domain.name }));
  return (
    <div className="play">
      <div className="actions" role="group" aria-label={t('play.group', { name: domain.name })}>
        {!running && (
          <button
            type="button"
            className="primary"
            disabled={busy || !!blocked}
            aria-describedby={blocked ? `blocked-${domain.uuid}` : undefined}
            onClick={() => void run(() => api.vm.play({ name: domain.name }))}
            aria-label={t('play.playNamed', { name: domain.name })}
          >
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
      {blocked && !running && (
        <p id={`blocked-${domain.uuid}`} className="visually-hidden">
          {blocked}
        </p>
      )}
      {(stopping || stopTimedOut) && task && <StopCountdown name={domain.name} since={Date.parse(task.startedAt)} timedOut={!!stopTimedOut} onForceOff={forceOff} busy={pending} />}
      {lg && (
        <p className={`lg-status lg-${lg.state}`} role="status">
          <span className="lg-state">{t(`lg.${lg.state}`)}</span>
          {lg.message && !compact ? ` — ${tm(lg.messageMsg, lg.message)}` : ''}
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
      {task && !staleError && (task.state === 'running' || !compact) && <TaskProgress task={task} />}
      {task && compact && task.state === 'failed' && task.error && !staleError && !stopTimedOut && <ErrorBanner error={task.error} vm={domain.name} />}
      {error && <ErrorBanner error={error} vm={domain.name} />}
    </div>
  );
}
