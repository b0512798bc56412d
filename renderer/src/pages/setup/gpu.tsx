import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuHandover, HostCheck, WizardView } from '../../../../shared/api';
import { api } from '../../api';
import { ErrorBanner } from '../../components/error-banner';
import { useHostCheck, useRequest } from '../../hooks';
import { useMsg } from '../../i18n/msg';
import { Nav } from './nav';
import type { Back } from './types';

const SELECTABLE = new Set(['ready', 'passable']);

/** Step 3: which GPU goes to the VM, with what must go with it (its IOMMU group), and how it is handed over. */
export function GpuStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: (gpu: string, handover: GpuHandover) => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const { check, error } = useHostCheck();
  const [picked, setChosen] = useState<string | null>(wizard.gpu);
  const [pickedMode, setMode] = useState<GpuHandover | null>(wizard.handover ?? null);
  const [canReach, setCanReach] = useState(false);
  // A boot display alone in its group can only be handed over at VM start: single-GPU mode,
  // offered when the host has no other card that can be passed (then that one is the safer choice).
  const otherUsable = check?.gpus.some((g) => SELECTABLE.has(g.verdict)) ?? false;
  const single = (g: { verdict: string; sharesWith: string[] }): boolean => g.verdict === 'boot-gpu' && g.sharesWith.length === 0 && !otherUsable;
  const selectable = (g: { verdict: string; sharesWith: string[] }): boolean => SELECTABLE.has(g.verdict) || single(g);
  // Until the user picks, the first GPU that can be passed.
  const chosen = picked ?? check?.gpus.find((g) => SELECTABLE.has(g.verdict))?.address ?? check?.gpus.find(single)?.address ?? null;
  const chosenGpu = check?.gpus.find((g) => g.address === chosen) ?? null;
  const singleGpu = chosenGpu !== null && single(chosenGpu);
  const mode: GpuHandover = singleGpu ? 'vm-start' : (pickedMode ?? 'boot');
  const ssh = useRequest(singleGpu && chosen ? () => api.host.handover({ gpu: chosen }) : null, [singleGpu, chosen]);
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
            const canPick = selectable(gpu);
            return (
              <label key={gpu.address} className={`gpu-option ${canPick ? '' : 'disabled'}`}>
                <input type="radio" name="gpu" value={gpu.address} checked={chosen === gpu.address} disabled={!canPick} onChange={() => setChosen(gpu.address)} />
                <span>
                  <strong>{gpu.name}</strong> <span className="mono muted">{gpu.address}</span> — <span className={`verdict verdict-${gpu.verdict}`}>{t(`host.verdict.${gpu.verdict}`)}</span>
                  <br />
                  <span className="muted">{tm(gpu.sentenceMsg, gpu.sentence)}</span>
                  {canPick && (
                    <>
                      <br />
                      {t('wizard.gpu.goesWith', { group: groupOf(gpu.address) ?? '?', devices: gpu.passWith.map((a) => deviceLabel(check, a)).join('; ') })}
                    </>
                  )}
                  {single(gpu) && (
                    <>
                      <br />
                      <strong>{t('wizard.gpu.singleOffered')}</strong>
                    </>
                  )}
                  {gpu.resetBug && (
                    <>
                      <br />
                      <span className={gpu.resetBug.vendorReset ? '' : 'muted'}>{tm(gpu.resetBug.sentenceMsg, gpu.resetBug.sentence)}</span>
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
      {chosenGpu && (
        <fieldset className="handover-choice">
          <legend>{t('wizard.gpu.handover')}</legend>
          <label className={singleGpu ? 'disabled' : ''}>
            <input type="radio" name="handover" value="boot" checked={mode === 'boot'} disabled={singleGpu} onChange={() => setMode('boot')} /> <strong>{t('wizard.gpu.boot')}</strong>
            <br />
            <span className="muted">{t('wizard.gpu.bootWhy')}</span>
          </label>
          <label>
            <input type="radio" name="handover" value="vm-start" checked={mode === 'vm-start'} onChange={() => setMode('vm-start')} /> <strong>{t('wizard.gpu.vmStart')}</strong>
            <br />
            <span className="muted">{t('wizard.gpu.vmStartWhy')}</span>
          </label>
        </fieldset>
      )}
      {singleGpu && (
        <div className="banner banner-warn" role="note" aria-labelledby="single-risks">
          <p>
            <strong id="single-risks">{t('wizard.gpu.risksTitle')}</strong>
          </p>
          <ul>
            <li>{t('wizard.gpu.riskDesktop')}</li>
            <li>{t('wizard.gpu.riskNoLg')}</li>
            <li>{t('wizard.gpu.riskBack')}</li>
          </ul>
          <p>{ssh.value ? t(ssh.value.sshServer ? 'wizard.gpu.sshFound' : 'wizard.gpu.sshMissing') : t('host.checking')}</p>
          <label className="check-field">
            <input type="checkbox" checked={canReach} onChange={(e) => setCanReach(e.target.checked)} /> {t('wizard.gpu.canReach')}
          </label>
        </div>
      )}
      <Nav back={back} next={() => chosen && onNext(chosen, mode)} disabled={!chosen || (singleGpu && !canReach)} />
    </>
  );
}

function deviceLabel(check: HostCheck, address: string): string {
  const d = check.devices.find((x) => x.address === address);
  return d ? `${address} ${d.deviceName ?? d.className ?? `${d.vendorId}:${d.deviceId}`}` : address;
}
