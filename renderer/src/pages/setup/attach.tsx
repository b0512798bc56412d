import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EditRequest, WizardView } from '../../../../shared/api';
import { lookingGlassMiBFor, rulesFor } from '../../../../shared/lg-release';
import { api } from '../../api';
import { choiceEdits, DevicePicker, resolveChoice, type DeviceChoice } from '../../components/device-picker';
import { DiffView } from '../../components/diff-view';
import { ErrorBanner } from '../../components/error-banner';
import { useAction, useHostCheck, useRequest, useSingleFlight } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

/**
 * Step 7: the card (and, explicitly accepted, what shares its IOMMU group),
 * USB controllers and devices picked from the host check; the Looking Glass
 * memory and the display changes; shown as a diff of the domain and applied.
 */
export function AttachStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: () => void }) {
  const { t } = useTranslation();
  const { check } = useHostCheck();
  const [applied, setApplied] = useState(false);
  const [choice, setChoice] = useState<DeviceChoice>({ gpu: wizard.gpu, accepted: [], controllers: [], usb: [] });
  const name = wizard.vm ?? '';
  const gpu = check?.gpus.find((g) => g.address === (choice.gpu ?? wizard.gpu));
  const single = wizard.handover === 'vm-start' && gpu?.verdict === 'boot-gpu';
  const loaded = useRequest(() => api.vm.details({ name }), [name]);
  const client = useRequest(() => api.lg.client(), []);
  const details = loaded.value;
  const resolved = check ? resolveChoice(check, choice) : null;

  const edits = (): EditRequest | null => {
    if (!check || !details || !choice.gpu || (!client.value && !client.error)) return null;
    const devices = choiceEdits(check, choice);
    if (!devices) return null;
    const res = details.resolution ?? { width: 1920, height: 1080 };
    const size = Math.max(lookingGlassMiBFor(client.value?.rules ?? rulesFor(null), res.width, res.height, details.lookingGlassSettings.hdr), wizard.lookingGlass?.sizeMiB ?? 0);
    return {
      ...devices,
      // Single-GPU mode: no Looking Glass memory (the monitor is on the card).
      ...(single ? {} : wizard.lookingGlass?.mode === 'kvmfr' ? { kvmfrMiB: size } : { shmemMiB: size }),
      ...(wizard.handover === 'vm-start' ? { handover: 'vm-start' as const } : {}),
      hideHypervisor: { method: 'b' },
      videoNone: true,
      removeTablet: true,
    };
  };

  // Recomputed when the inputs (or the user's choice) change.
  const request = edits();
  const key = JSON.stringify(request);
  const previewed = useRequest(request ? () => api.vm.previewEdits({ name: name, edits: request }) : null, [key, details?.summary.uuid, client.value?.rules.formula]);
  const preview = request ? previewed.value : null;
  const applying = useAction();
  // One apply, even for a double click.
  const once = useSingleFlight();
  const error = applying.error ?? (request ? previewed.error : null) ?? loaded.error;

  const apply = async (): Promise<void> => {
    const request = edits();
    if (!request) return;
    await once(async () => {
      const r = await applying.run(() => api.vm.applyEdits({ name: name, edits: request }));
      if (r.ok) setApplied(true);
    });
  };

  return (
    <>
      {check ? (
        <DevicePicker
          check={check}
          choice={choice}
          onChange={(c) => {
            setChoice(c);
            setApplied(false);
          }}
          attached={details?.pciDevices.map((p) => p.address) ?? []}
        />
      ) : (
        <p role="status">{t('host.checking')}</p>
      )}
      <ul>
        <li>{t(single ? 'wizard.attach.noMemory' : 'wizard.attach.memory')}</li>
        {wizard.handover === 'vm-start' && <li>{t('wizard.attach.handover')}</li>}
        <li>{t('wizard.attach.hide')}</li>
        <li>{t('wizard.attach.display')}</li>
      </ul>
      {!choice.gpu && <p className="banner banner-warn">{t('wizard.attach.pickGpu')}</p>}
      {resolved?.blocked && <p className="banner banner-warn">{t('wizard.attach.acceptGroup')}</p>}
      {details?.summary.state === 'running' && <p className="banner banner-warn">{t('wizard.attach.running')}</p>}
      {preview && (preview.diff ? <DiffView diff={preview.diff} label={t('vm.diff')} /> : <p className="banner banner-ok">{t('wizard.attach.nothing')}</p>)}
      {applied && <p className="banner banner-ok">{t('wizard.attach.applied')}</p>}
      {error && <ErrorBanner error={error} vm={name} />}
      <Nav back={back} next={onNext} disabled={!applied && (!preview || !!preview.diff)}>
        {preview?.diff && !applied && (
          <button type="button" disabled={applying.busy} onClick={() => void apply()}>
            {t('vm.apply')}
          </button>
        )}
      </Nav>
    </>
  );
}
