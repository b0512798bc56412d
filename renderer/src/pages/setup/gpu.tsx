import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostCheck, WizardView } from '../../../../shared/api';
import { ErrorBanner } from '../../components/error-banner';
import { useHostCheck } from '../../hooks';
import { useMsg } from '../../i18n/msg';
import { Nav } from './nav';
import type { Back } from './types';

const SELECTABLE = new Set(['ready', 'passable']);

/** Step 3: which GPU goes to the VM, with what must go with it (its IOMMU group). */
export function GpuStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: (gpu: string) => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const { check, error } = useHostCheck();
  const [picked, setChosen] = useState<string | null>(wizard.gpu);
  // Until the user picks, the first GPU that can be passed.
  const chosen = picked ?? check?.gpus.find((g) => SELECTABLE.has(g.verdict))?.address ?? null;
  const groupOf = (address: string): number | null => check?.devices.find((d) => d.address === address)?.iommuGroup ?? null;
  return (
    <>
      {error && <ErrorBanner error={error} />}
      {!check && !error && <p role="status">{t('host.checking')}</p>}
      {check && check.gpus.length === 0 && <p className="banner banner-warn">{t('host.noGpu')}</p>}
      {check && (
        <fieldset className="gpu-choice">
          <legend>{t('wizard.gpu.choose')}</legend>
          {check.gpus.map((gpu) => {
            const selectable = SELECTABLE.has(gpu.verdict);
            return (
              <label key={gpu.address} className={`gpu-option ${selectable ? '' : 'disabled'}`}>
                <input type="radio" name="gpu" value={gpu.address} checked={chosen === gpu.address} disabled={!selectable} onChange={() => setChosen(gpu.address)} />
                <span>
                  <strong>{gpu.name}</strong> <span className="mono muted">{gpu.address}</span> — <span className={`verdict verdict-${gpu.verdict}`}>{t(`host.verdict.${gpu.verdict}`)}</span>
                  <br />
                  <span className="muted">{tm(gpu.sentenceMsg, gpu.sentence)}</span>
                  {selectable && (
                    <>
                      <br />
                      {t('wizard.gpu.goesWith', { group: groupOf(gpu.address) ?? '?', devices: gpu.passWith.map((a) => deviceLabel(check, a)).join('; ') })}
                    </>
                  )}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {check && check.groups.length > 0 && (
        <details>
          <summary>{t('wizard.gpu.groupMap')}</summary>
          <ul className="plain mono">
            {check.groups.map((g) => (
              <li key={g.id}>
                {t('host.group', { id: g.id })}: {g.devices.map((a) => deviceLabel(check, a)).join(' · ')}
              </li>
            ))}
          </ul>
        </details>
      )}
      <Nav back={back} next={() => chosen && onNext(chosen)} disabled={!chosen} />
    </>
  );
}

function deviceLabel(check: HostCheck, address: string): string {
  const d = check.devices.find((x) => x.address === address);
  return d ? `${address} ${d.deviceName ?? d.className ?? `${d.vendorId}:${d.deviceId}`}` : address;
}
