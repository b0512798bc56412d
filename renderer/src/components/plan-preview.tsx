import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo, PlanRequest, PlanView } from '../../../shared/api';
import { api } from '../api';
import { useAction } from '../hooks';
import { CommandList } from './command-list';
import { DiffView } from './diff-view';
import { ErrorBanner } from './error-banner';
import { useMsg } from '../i18n/msg';

/** A host plan as the user reviews it: each file's diff, the commands, then one Apply and its result (`texts`: the GPU's words, or the hugepages'). */
export function PlanPreview({ plan, onApplied, texts = 'gpu' }: { plan: PlanView; onApplied?: (backup: string | null) => void; texts?: 'gpu' | 'hugepages' }) {
  const { t } = useTranslation();
  const words = texts === 'hugepages' ? 'prepare.hugepages' : 'prepare';
  const tm = useMsg();
  const { run, busy, error } = useAction();
  const [result, setResult] = useState<{ backup: string | null; output: string } | null>(null);

  const apply = async (): Promise<void> => {
    const r = await run(() => api.setup.apply());
    if (!r.ok) return;
    setResult(r.value);
    onApplied?.(r.value.backup);
  };

  if (result) {
    return (
      <div role="status" className="banner banner-ok">
        <p>{t(texts === 'hugepages' && !plan.rebootRequired ? 'prepare.hugepages.doneNow' : `${words}.done`, { backup: result.backup ?? '' })}</p>
        <pre className="output">{result.output}</pre>
      </div>
    );
  }
  if (plan.steps.length === 0) return <p role="status">{t(`${words}.nothing`)}</p>;
  return (
    <div className="plan">
      <p>{tm(plan.reasonMsg, plan.reason)}</p>
      {plan.steps.map((step, i) =>
        step.kind === 'write' ? (
          <div key={i}>
            <p className="muted">{tm(step.reasonMsg, step.reason)}</p>
            <DiffView diff={plan.diffs[step.path] ?? ''} label={t('prepare.fileDiff', { path: step.path })} />
          </div>
        ) : null,
      )}
      <CommandList steps={plan.steps} />
      {plan.warnings.map((w, i) => (
        <p key={i} className="banner banner-warn">
          {tm(plan.warningMsgs?.[i], w)}
        </p>
      ))}
      {plan.rebootRequired && <p>{t(`${words}.reboot`)}</p>}
      {error && <ErrorBanner error={error} />}
      {plan.prompt && (
        <p className={plan.prompt.kind === 'unavailable' ? 'banner banner-warn' : 'muted'}>
          {plan.prompt.kind === 'unavailable' ? tm(plan.prompt.reasonMsg, plan.prompt.reason) : t(`prepare.prompt.${plan.prompt.kind}`, { program: plan.prompt.program, id: plan.id.slice(0, 12) })}
        </p>
      )}
      <button type="button" disabled={busy} onClick={() => void apply()}>
        {t('prepare.apply')}
      </button>
      {busy && (
        <p role="status" className="progress">
          {t('prepare.applying')}
        </p>
      )}
    </div>
  );
}

/** A host-preparation plan asked for from a panel (the GPU's, hugepages'): the request, its progress, its error and the plan. */
export function usePlanRequest(): { plan: PlanView | null; busy: boolean; error: ErrorInfo | null; ask: (request: PlanRequest) => Promise<void> } {
  const [plan, setPlan] = useState<PlanView | null>(null);
  const { run, busy, error } = useAction();
  const ask = async (request: PlanRequest): Promise<void> => {
    setPlan(null);
    const r = await run(() => api.setup.plan(request));
    if (r.ok) setPlan(r.value);
  };
  return { plan, busy, error, ask };
}

/** Below a panel's Show-the-plan button: "Planning…", the refusal, or the plan to review and apply. */
export function PlanOutcome({ state, texts, onApplied }: { state: ReturnType<typeof usePlanRequest>; texts?: 'gpu' | 'hugepages'; onApplied: (backup: string | null) => void }) {
  const { t } = useTranslation();
  return (
    <>
      {state.busy && (
        <p role="status" className="progress">
          {t('prepare.planning')}
        </p>
      )}
      {state.error && <ErrorBanner error={state.error} />}
      {state.plan && <PlanPreview key={state.plan.id} plan={state.plan} {...(texts ? { texts } : {})} onApplied={onApplied} />}
    </>
  );
}
