import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WizardStep, WizardView } from '../../../../shared/api';
import { WIZARD_STEPS } from '../../../../shared/enums';
import { api } from '../../api';
import { ErrorBanner } from '../../components/error-banner';
import { useAction, useRequest } from '../../hooks';
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
  const wizard = saved ?? loaded.value;
  const error = saving.error ?? loaded.error;

  const save = async (patch: Patch): Promise<void> => {
    const r = await saving.run(() => api.wizard.set(patch));
    if (r.ok) setSaved(r.value);
  };

  if (!wizard) return <section aria-labelledby="setup-title">{error ? <ErrorBanner error={error} /> : <p role="status">{t('wizard.loading')}</p>}</section>;
  const index = STEPS.indexOf(wizard.step);
  const go = (step: WizardStep, patch: Patch = {}): void => void save({ ...patch, step });
  const next = (patch: Patch = {}): void => go(STEPS[Math.min(index + 1, STEPS.length - 1)]!, patch);
  const back = index > 0 ? () => go(STEPS[index - 1]!) : null;

  return (
    <section aria-labelledby="setup-title" className="wizard">
      <h1 id="setup-title">{t('wizard.title')}</h1>
      <nav aria-label={t('wizard.stepsLabel')}>
        <ol className="wizard-steps">
          {STEPS.map((step, i) => (
            <li key={step} className={i < index ? 'step-past' : i === index ? 'step-current' : 'step-future'}>
              {i < index ? (
                <button type="button" className="linkish" onClick={() => go(step)}>
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
      {error && <ErrorBanner error={error} />}
      <div className="wizard-step" role="region" aria-labelledby="step-title">
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
