import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EditRequest, WizardView } from '../../../../shared/api';
import { lookingGlassMiBFor, rulesFor } from '../../../../shared/lg-release';
import { api } from '../../api';
import { DiffView } from '../../components/diff-view';
import { ErrorBanner } from '../../components/error-banner';
import { useAction, useHostCheck, useRequest } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

/** Step 7: the GPU, the Looking Glass memory and the display changes, shown as a diff of the domain and applied. */
export function AttachStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: () => void }) {
  const { t } = useTranslation();
  const { check } = useHostCheck();
  const [applied, setApplied] = useState(false);
  const name = wizard.vm ?? '';
  const gpu = check?.gpus.find((g) => g.address === wizard.gpu);
  const single = wizard.handover === 'vm-start' && gpu?.verdict === 'boot-gpu';
  const loaded = useRequest(() => api.vm.details({ name }), [name]);
  const client = useRequest(() => api.lg.client(), []);
  const details = loaded.value;

  const edits = (): EditRequest | null => {
    if (!gpu || !details || (!client.value && !client.error)) return null;
    const res = details.resolution ?? { width: 1920, height: 1080 };
    const size = Math.max(lookingGlassMiBFor(client.value?.rules ?? rulesFor(null), res.width, res.height, details.lookingGlassSettings.hdr), wizard.lookingGlass?.sizeMiB ?? 0);
    return {
      attachPci: { addresses: gpu.passWith, rom: null },
      // Single-GPU mode: no Looking Glass memory (the monitor is on the card).
      ...(single ? {} : wizard.lookingGlass?.mode === 'kvmfr' ? { kvmfrMiB: size } : { shmemMiB: size }),
      ...(wizard.handover === 'vm-start' ? { handover: 'vm-start' as const } : {}),
      hideHypervisor: { method: 'b' },
      videoNone: true,
      removeTablet: true,
    };
  };

  // Recomputed when the inputs arrive.
  const request = edits();
  const previewed = useRequest(request ? () => api.vm.previewEdits({ name: name, edits: request }) : null, [gpu?.address, details?.summary.uuid, client.value?.rules.formula]);
  const preview = previewed.value;
  const applying = useAction();
  const error = applying.error ?? previewed.error ?? loaded.error;

  const apply = async (): Promise<void> => {
    const request = edits();
    if (!request) return;
    const r = await applying.run(() => api.vm.applyEdits({ name: name, edits: request }));
    if (r.ok) setApplied(true);
  };

  return (
    <>
      <ul>
        <li>{t('wizard.attach.gpu', { devices: gpu?.passWith.join(', ') ?? '…' })}</li>
        <li>{t(single ? 'wizard.attach.noMemory' : 'wizard.attach.memory')}</li>
        {wizard.handover === 'vm-start' && <li>{t('wizard.attach.handover')}</li>}
        <li>{t('wizard.attach.hide')}</li>
        <li>{t('wizard.attach.display')}</li>
      </ul>
      {details?.summary.state === 'running' && <p className="banner banner-warn">{t('wizard.attach.running')}</p>}
      {preview && (preview.diff ? <DiffView diff={preview.diff} label={t('vm.diff')} /> : <p className="banner banner-ok">{t('wizard.attach.nothing')}</p>)}
      {applied && <p className="banner banner-ok">{t('wizard.attach.applied')}</p>}
      {error && <ErrorBanner error={error} vm={name} />}
      <Nav back={back} next={onNext} disabled={!applied && !!preview?.diff}>
        {preview?.diff && !applied && (
          <button type="button" onClick={() => void apply()}>
            {t('vm.apply')}
          </button>
        )}
      </Nav>
    </>
  );
}
