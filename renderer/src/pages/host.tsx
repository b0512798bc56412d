import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { GpuAssessment, PciDevice } from '../../../shared/api';
import { ErrorBanner } from '../components/error-banner';
import { Changes } from '../components/changes';
import { PrepareHost } from '../components/prepare-host';
import { ReserveHugepages } from '../components/reserve-hugepages';
import { useAppInfo, useHostCheck } from '../hooks';
import { CheckRow, deviceName } from '../components/check-row';
import { useMsg } from '../i18n/msg';
import { Icon } from '../components/icons';

const BRIDGE = /^0x060[49]/;

function GpuCard({ gpu, onPrepare, chosen, onChoose }: { gpu: GpuAssessment; onPrepare: (gpu: GpuAssessment) => void; chosen: boolean; onChoose: () => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  return (
    <article className={`gpu gpu-${gpu.verdict}${chosen ? ' gpu-chosen' : ''}`} aria-label={`${gpu.name}, ${gpu.address}`}>
      <header>
        <Icon name="gpu" /> <span className="gpu-name" translate="no">{gpu.name}</span> <span className="mono muted">{gpu.address}</span>{' '}
        <span className={`verdict verdict-${gpu.verdict}`}>{t(`host.verdict.${gpu.verdict}`)}</span>
      </header>
      <p>{tm(gpu.sentenceMsg, gpu.sentence)}</p>
      {gpu.passWith.length > 0 && (
        <p className="muted">
          {t('host.passWith')} <span className="mono">{gpu.passWith.join(', ')}</span>
        </p>
      )}
      <div className="actions">
        {(gpu.verdict === 'passable' || gpu.verdict === 'ready') && (
          <button type="button" onClick={() => onPrepare(gpu)}>
            {t('prepare.start')}
          </button>
        )}
        {gpu.verdict !== 'no-iommu' && (
          <button type="button" aria-pressed={chosen} onClick={onChoose}>
            {t('host.showInMap')}
          </button>
        )}
      </div>
    </article>
  );
}

function DeviceRow({ device, gpu, goes = false }: { device: PciDevice; gpu: GpuAssessment | undefined; goes?: boolean }) {
  const { t } = useTranslation();
  const bridge = BRIDGE.test(device.class);
  return (
    <li className={`device${gpu ? ` device-gpu verdict-border-${gpu.verdict}` : ''}${bridge ? ' device-bridge' : ''}${goes ? ' device-chosen' : ''}`}>
      <div className="device-line">
        <span className="mono">{device.address.slice(5)}</span> <span className="device-name" translate="no">{deviceName(device)}</span>
        {gpu && <span className={`verdict verdict-${gpu.verdict}`}>{t(`host.verdict.${gpu.verdict}`)}</span>}
        {goes && <span className="goes">{t('host.goesToVm')}</span>}
      </div>
      <div className="device-meta muted">
        <span className="mono">
          [{device.vendorId}:{device.deviceId}]
        </span>{' '}
        · {device.driver ? t('host.driver', { driver: device.driver }) : t('host.noDriver')} ·{' '}
        {device.resettable ? t('host.reset', { methods: device.resetMethods.join('/') || '✓' }) : t('host.noReset')}
        {device.bootVga ? ` · ${t('host.bootVga')}` : ''}
        {bridge ? ` · ${t('host.bridge')}` : ''}
        {device.block.some((b) => b.holdsRoot) ? ` · ${t('host.rootDisk')}` : ''}
      </div>
    </li>
  );
}

/** The host check: the readiness checklist, the GPUs with their verdicts, the IOMMU group map. */
export function HostPage() {
  const { t } = useTranslation();
  const { check, error, busy, refresh: run } = useHostCheck();
  const [preparing, setPreparing] = useState<GpuAssessment | null>(null);
  const [changesRound, setChangesRound] = useState(0);
  const { info } = useAppInfo();
  const [picked, setPicked] = useState<string | null>(null);
  // The VM page's "Reserve hugepages" comes here with the VM's memory (#/host?hugepages=MiB).
  const [search] = useSearchParams();
  const hugepagesFor = Number(search.get('hugepages') ?? '');


  const byAddress = new Map((check?.devices ?? []).map((d) => [d.address, d]));
  const gpuOf = new Map((check?.gpus ?? []).map((g) => [g.address, g]));
  // The card the map highlights: the one the user picked, else the first that can be passed.
  const chosenGpu = check?.gpus.find((g) => g.address === picked) ?? check?.gpus.find((g) => g.verdict === 'ready' || g.verdict === 'passable') ?? null;
  const goes = new Set(chosenGpu?.passWith ?? []);
  const counts = (check?.checks ?? []).reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }), {});

  return (
    <section aria-labelledby="host-title">
      <div className="page-head">
        <h1 id="host-title">{t('host.title')}</h1>
        <button type="button" onClick={run} disabled={busy}>
          {busy ? t('host.checking') : t('host.recheck')}
        </button>
      </div>
      {error && <ErrorBanner error={error} />}
      {!check && !error && <p role="status">{t('host.checking')}</p>}
      {check && (
        <>
          <p className="summary" role="status">
            {t('host.summary', { ok: counts['ok'] ?? 0, warn: counts['warn'] ?? 0, fail: counts['fail'] ?? 0, unknown: counts['unknown'] ?? 0 })}
          </p>
          {/* Asked for from a VM's page: first, where the user lands. */}
          {Number.isInteger(hugepagesFor) && hugepagesFor > 0 && <ReserveHugepages key={hugepagesFor} memoryMiB={hugepagesFor} user={info?.user ?? ''} onApplied={() => setChangesRound((n) => n + 1)} />}
          <h2>{t('host.checklist')}</h2>
          <ul className="checklist" aria-label={t('host.checklist')}>
            {check.checks.map((c) => (
              <CheckRow key={c.id} check={c} />
            ))}
          </ul>

          <h2>{t('host.gpus')}</h2>
          {check.gpus.length === 0 ? <p className="muted">{t('host.noGpu')}</p> : check.gpus.map((g) => <GpuCard key={g.address} gpu={g} onPrepare={setPreparing} chosen={g.address === chosenGpu?.address} onChoose={() => setPicked(g.address)} />)}
          {preparing && <PrepareHost key={preparing.address} gpu={preparing} user={info?.user ?? ''} onApplied={() => setChangesRound((n) => n + 1)} />}
          <Changes round={changesRound} />

          <h2>{t('host.groups')}</h2>
          {check.groups.length === 0 ? (
            <>
              <p className="muted">{t('host.noGroups')}</p>
              <ul className="group-devices">
                {check.devices.map((d) => (
                  <DeviceRow key={d.address} device={d} gpu={gpuOf.get(d.address)} />
                ))}
              </ul>
            </>
          ) : (
            <>
              {chosenGpu && (
                <p className="map-legend">
                  <span className="legend-swatch" aria-hidden="true" /> {t('host.mapLegend', { name: chosenGpu.name })}
                </p>
              )}
              <div className="group-map" aria-label={t('host.groups')}>
                {check.groups.map((group) => (
                  <section
                    key={group.id}
                    className={`group${group.devices.some((a) => gpuOf.has(a)) ? ' group-has-gpu' : ''}${group.devices.some((a) => goes.has(a)) ? ' group-chosen' : ''}`}
                    aria-label={t('host.group', { id: group.id })}
                  >
                    <h3>{t('host.group', { id: group.id })}</h3>
                    <ul className="group-devices">
                      {group.devices.map((address) => {
                        const device = byAddress.get(address);
                        return device ? <DeviceRow key={address} device={device} gpu={gpuOf.get(address)} goes={goes.has(address)} /> : null;
                      })}
                    </ul>
                  </section>
                ))}
              </div>
            </>
          )}
          {!check.pciIds && <p className="muted">{t('host.noPciIds')}</p>}
        </>
      )}
    </section>
  );
}
