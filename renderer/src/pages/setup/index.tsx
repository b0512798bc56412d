import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WizardStep, WizardView } from '../../../../shared/api';
import { WIZARD_STEPS } from '../../../../shared/enums';
import { api } from '../../api';
import { ErrorBanner } from '../../components/error-banner';
import { useAction, useDomains, useHostCheck, useRequest } from '../../hooks';
import { AttachStep } from './attach';
import { CreateStep } from './create';
import { GpuStep } from './gpu';
import { HostStep } from './host';
import { InstallStep } from './install';
import { PlayStep } from './play';
import { PrepareStep } from './prepare';
import type { Patch } from './types';
import { Welcome } from './welcome';

const STEPS: readonly WizardStep[] = WIZARD_STEPS;

/**
 * The first-time setup: eight steps from an unprepared host to Play. Where it
 * is lives on the service side (wizard.json), so it resumes after the reboot
 * host preparation needs, and each step says why it matters.
 */
export function SetupPage() {
  const { t } = useTranslation();
  const loaded = useRequest(() => api.wizard.get(), []);
  // What the service answered to the last save; until then, what it loaded.
  const [saved, setSaved] = useState<WizardView | null>(null);
  const saving = useAction();
  // One save at a time: a double click on Next or Apply moves (and applies) once.
  const pending = useRef(false);
  const wizard = saved ?? loaded.value;
  const error = saving.error ?? loaded.error;
  const domains = useDomains();
  const { check } = useHostCheck();
  // What the check on load found changed since the wizard was last here.
  const [stale, setStale] = useState<string | null>(null);

  const run = saving.run;
  const save = useCallback(
    async (patch: Patch): Promise<void> => {
      if (pending.current) return;
      pending.current = true;
      try {
        const r = await run(() => api.wizard.set(patch));
        if (r.ok) setSaved(r.value);
      } finally {
        pending.current = false;
      }
    },
    [run],
  );

  // Each load checks the saved state against libvirt and the host, once each (later changes are the
  // wizard's own: a VM it just created may not be in the list yet): a VM deleted elsewhere sends the
  // wizard back to step 5, a card no longer on the host back to step 3, with a message saying why.
  const index = wizard ? STEPS.indexOf(wizard.step) : -1;
  const checkedVm = useRef(false);
  const checkedGpu = useRef(false);
  useEffect(() => {
    if (!wizard || pending.current) return;
    if (check && !checkedGpu.current) {
      checkedGpu.current = true;
      if (wizard.gpu && !check.gpus.some((g) => g.address === wizard.gpu) && index > STEPS.indexOf('gpu')) {
        const said = t('wizard.gpuGone', { address: wizard.gpu });
        void save({ step: 'gpu', gpu: null, reached: 'gpu' }).then(() => setStale(said));
        return;
      }
    }
    if (domains && !domains.error && !checkedVm.current) {
      checkedVm.current = true;
      if (wizard.vm && !domains.domains.some((d) => d.name === wizard.vm)) {
        const said = t('wizard.vmGone', { name: wizard.vm });
        void save(index > STEPS.indexOf('create') ? { vm: null, step: 'create', reached: 'create' } : { vm: null }).then(() => setStale(said));
      }
    }
  }, [wizard, domains, check, index, save, t]);

  if (!wizard) return <section aria-labelledby="setup-title">{error ? <ErrorBanner error={error} /> : <p role="status">{t('wizard.loading')}</p>}</section>;
  const reached = Math.max(index, STEPS.indexOf(wizard.reached ?? wizard.step));
  const go = (step: WizardStep, patch: Patch = {}): void => void save({ ...patch, step });
  const next = (patch: Patch = {}): void => go(STEPS[Math.min(index + 1, STEPS.length - 1)]!, patch);
  const back = index > 0 ? () => go(STEPS[index - 1]!) : null;

  return (
    <section aria-labelledby="setup-title" className="wizard">
      <h1 id="setup-title">{t('wizard.title')}</h1>
      <nav aria-label={t('wizard.stepsLabel')}>
        <ol className="wizard-steps">
          {STEPS.map((step, i) => (
            <li key={step} className={i === index ? 'step-current' : i <= reached ? 'step-past' : 'step-future'}>
              {i !== index && i <= reached ? (
                <button type="button" className="linkish" disabled={saving.busy} onClick={() => go(step)}>
                  {i + 1}. {t(`wizard.${step}.title`)}
                </button>
              ) : (
                <span aria-current={i === index ? 'step' : undefined}>
                  {i + 1}. {t(`wizard.${step}.title`)}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      {stale && (
        <p role="status" className="banner banner-warn">
          {stale}
        </p>
      )}
      {error && <ErrorBanner error={error} />}
      <div className="wizard-step" role="region" aria-labelledby="step-title" aria-busy={saving.busy}>
        <h2 id="step-title">{t('wizard.stepOf', { n: index + 1, total: STEPS.length, title: t(`wizard.${wizard.step}.title`) })}</h2>
        <p className="why">
          <strong>{t('wizard.why')}</strong> {t(`wizard.${wizard.step}.why`)}
        </p>
        {wizard.step === 'welcome' && <Welcome onNext={() => next()} />}
        {wizard.step === 'host' && <HostStep back={back} onNext={() => next()} />}
        {wizard.step === 'gpu' && <GpuStep wizard={wizard} back={back} onNext={(gpu, handover) => next({ gpu, handover })} />}
        {wizard.step === 'prepare' && <PrepareStep wizard={wizard} back={back} save={save} onNext={() => next()} />}
        {wizard.step === 'create' && <CreateStep wizard={wizard} back={back} onNext={(vm) => next({ vm })} />}
        {wizard.step === 'install' && <InstallStep wizard={wizard} back={back} onNext={() => next()} />}
        {wizard.step === 'attach' && <AttachStep wizard={wizard} back={back} onNext={() => next()} />}
        {wizard.step === 'play' && <PlayStep wizard={wizard} back={back} onFinish={() => save({ done: true })} />}
      </div>
    </section>
  );
}
