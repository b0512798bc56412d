import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo, GpuAssessment, PlanView } from '../../../preload/api';
import { api } from '../api';
import { DiffView } from './diff-view';
import { ErrorBanner } from './error-banner';

/** Host preparation for one GPU: choices, the plan as diffs, one Apply, the result. */
export function PrepareHost({ gpu, user, onApplied }: { gpu: GpuAssessment; user: string; onApplied: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'shm' | 'kvmfr' | 'none'>('shm');
  const [size, setSize] = useState(32);
  const [ignoreMsrs, setIgnoreMsrs] = useState(false);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [result, setResult] = useState<{ backup: string | null; output: string } | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const makePlan = async (): Promise<void> => {
    setBusy(t('prepare.planning'));
    setError(null);
    setResult(null);
    const r = await api.setup.plan({ gpu: gpu.passWith, lookingGlass: mode === 'none' ? null : { mode, sizeMiB: size }, user, ...(ignoreMsrs ? { ignoreMsrs: true } : {}) });
    setBusy(null);
    if (r.ok) setPlan(r.value);
    else setError(r.error);
  };
  const apply = async (): Promise<void> => {
    setBusy(t('prepare.applying'));
    setError(null);
    const r = await api.setup.apply();
    setBusy(null);
    if (r.ok) {
      setResult(r.value);
      setPlan(null);
      onApplied();
    } else setError(r.error);
  };

  return (
    <section className="prepare" aria-label={t('prepare.title', { name: gpu.name })}>
      <h3>{t('prepare.title', { name: gpu.name })}</h3>
      <p className="muted">{t('prepare.why', { devices: gpu.passWith.join(', ') })}</p>
      <div className="edit-form">
        <label className="field">
          <span>{t('prepare.lgMode')}</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as 'shm' | 'kvmfr' | 'none')}>
            <option value="shm">{t('prepare.shm')}</option>
            <option value="kvmfr">{t('prepare.kvmfr')}</option>
            <option value="none">{t('prepare.noLg')}</option>
          </select>
        </label>
        {mode === 'kvmfr' && (
          <label className="field">
            <span>{t('prepare.size')}</span>
            <select value={size} onChange={(e) => setSize(Number(e.target.value))}>
              {[32, 64, 128, 256].map((s) => (
                <option key={s} value={s}>
                  {t('vm.mib', { count: s })}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="check-field">
          <input type="checkbox" checked={ignoreMsrs} onChange={(e) => setIgnoreMsrs(e.target.checked)} /> {t('prepare.ignoreMsrs')}
        </label>
        <div>
          <button type="button" disabled={!!busy} onClick={() => void makePlan()}>
            {t('prepare.showPlan')}
          </button>
        </div>
      </div>
      {busy && !plan && (
        <p role="status" className="progress">
          {busy}
        </p>
      )}
      {error && !plan && <ErrorBanner error={error} />}
      {plan && plan.steps.length === 0 && <p role="status">{t('prepare.nothing')}</p>}
      {plan && plan.steps.length > 0 && (
        <div className="plan">
          <p>{plan.reason}</p>
          {plan.steps.map((step, i) =>
            step.kind === 'write' ? (
              <div key={i}>
                <p className="muted">{step.reason}</p>
                <DiffView diff={plan.diffs[step.path] ?? ''} label={t('prepare.fileDiff', { path: step.path })} />
              </div>
            ) : null,
          )}
          <h4>{t('prepare.commands')}</h4>
          <ul className="commands">
            {plan.steps.map((step, i) =>
              step.kind === 'run' ? (
                <li key={i}>
                  <code>{step.argv.join(' ')}</code> <span className="muted">— {step.reason}</span>
                </li>
              ) : null,
            )}
          </ul>
          {plan.warnings.map((w, i) => (
            <p key={i} className="banner banner-warn">
              {w}
            </p>
          ))}
          {plan.rebootRequired && <p>{t('prepare.reboot')}</p>}
          {error && <ErrorBanner error={error} />}
          <button type="button" disabled={!!busy} onClick={() => void apply()}>
            {t('prepare.apply')}
          </button>
          {busy && (
            <p role="status" className="progress">
              {busy}
            </p>
          )}
        </div>
      )}
      {result && (
        <div role="status" className="banner banner-ok">
          <p>{t('prepare.done', { backup: result.backup ?? '' })}</p>
          <pre className="output">{result.output}</pre>
        </div>
      )}
    </section>
  );
}
