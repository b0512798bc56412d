import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuAssessment, WizardView } from '../../../../shared/api';
import { PrepareHost } from '../../components/prepare-host';
import { useAppInfo, useHostCheck } from '../../hooks';
import { Nav } from './nav';
import type { Back, Patch } from './types';

/** Step 4: the host changes for the chosen GPU, then the restart and a check that the card is on vfio-pci. */
export function PrepareStep({ wizard, back, save, onNext }: { wizard: WizardView; back: Back; save: (patch: Patch) => Promise<void>; onNext: () => void }) {
  const { t } = useTranslation();
  const { info } = useAppInfo();
  const { check, refresh, busy } = useHostCheck();
  const [asked, setAsked] = useState(false);
  const gpu: GpuAssessment | undefined = check?.gpus.find((g) => g.address === wizard.gpu);
  // After "check": bound to vfio-pci is done; the same boot means no restart yet; else it did not take.
  const verified = !asked || busy || !gpu ? 'idle' : gpu.verdict === 'ready' ? 'ok' : wizard.rebooted === false ? 'not-rebooted' : 'not-bound';

  if (!check) return <p role="status">{t('host.checking')}</p>;
  if (!gpu) return <Nav back={back}><p className="banner banner-warn">{t('wizard.prepare.noGpu')}</p></Nav>;
  if (gpu.verdict === 'ready' && !wizard.changeSet) {
    return (
      <>
        <p className="banner banner-ok">{t('wizard.prepare.already', { name: gpu.name })}</p>
        <Nav back={back} next={onNext} />
      </>
    );
  }
  if (!wizard.changeSet) {
    return (
      <>
        <PrepareHost gpu={gpu} user={info?.user ?? ''} handover={wizard.handover ?? 'boot'} onApplied={(backup, lookingGlass) => void save({ changeSet: backup ?? 'applied', lookingGlass })} />
        <Nav back={back} />
      </>
    );
  }
  if (wizard.handover === 'vm-start') {
    // The card stays with its driver: the hook hands it over when the VM starts.
    return (
      <>
        <div className="banner banner-ok" role="status">
          <p>
            <strong>{t('wizard.prepare.hookTitle')}</strong>
          </p>
          <p>{t('wizard.prepare.hook')}</p>
        </div>
        <Nav back={back} next={onNext} />
      </>
    );
  }
  return (
    <>
      <div className="banner banner-warn" role="status">
        <p>
          <strong>{t('wizard.prepare.restartTitle')}</strong>
        </p>
        <p>{t('wizard.prepare.restart')}</p>
      </div>
      {verified === 'ok' && <p className="banner banner-ok">{t('wizard.prepare.verified', { name: gpu.name })}</p>}
      {verified === 'not-rebooted' && <p className="banner banner-warn">{t('wizard.prepare.notRebooted')}</p>}
      {verified === 'not-bound' && <p className="banner banner-error">{t('wizard.prepare.notBound', { name: gpu.name })}</p>}
      <Nav back={back} next={onNext} disabled={verified !== 'ok'}>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            // Saving returns `rebooted` as of now; the fresh scan is busy before `asked` can show a verdict.
            void save({}).then(() => {
              refresh();
              setAsked(true);
            })
          }
        >
          {t('wizard.prepare.verify')}
        </button>
      </Nav>
    </>
  );
}
