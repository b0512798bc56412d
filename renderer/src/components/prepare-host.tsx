import { useEffect, useState } from 'react';
import { lookingGlassMiBFor } from '../../../shared/lg-release';
import { useTranslation } from 'react-i18next';
import type { GpuAssessment, GpuHandover } from '../../../shared/api';
import { api } from '../api';
import { PlanOutcome, usePlanRequest } from './plan-preview';

/** Host preparation for one GPU: the choices, then the plan to review and apply. */
export function PrepareHost({ gpu, user, handover = 'boot', onApplied }: { gpu: GpuAssessment; user: string; handover?: GpuHandover; onApplied: (backup: string | null, lookingGlass: { mode: 'shm' | 'kvmfr'; sizeMiB: number } | null) => void }) {
  const { t } = useTranslation();
  // Single-GPU mode has no Looking Glass: the picture is on the card's own outputs.
  const single = handover === 'vm-start' && gpu.verdict === 'boot-gpu';
  const [mode, setMode] = useState<'shm' | 'kvmfr' | 'none'>(single ? 'none' : 'shm');
  const [size, setSize] = useState(32);
  // The kvmfr size the primary monitor needs on the installed client's release (B7's formula without a client).
  const [suggested, setSuggested] = useState<{ size: number; resolution: string; release: string } | null>(null);
  useEffect(() => {
    let live = true;
    void Promise.all([api.lg.client(), api.monitors.list()]).then(([c, m]) => {
      const monitor = m.ok ? (m.value.find((x) => x.primary) ?? m.value[0]) : undefined;
      if (!live || !c.ok || !monitor) return;
      const needed = lookingGlassMiBFor(c.value.rules, monitor.width, monitor.height);
      setSuggested({ size: needed, resolution: `${monitor.width}×${monitor.height}`, release: c.value.rules.release });
      setSize((s) => (s === 32 ? Math.max(needed, 32) : s));
    });
    return () => {
      live = false;
    };
  }, []);
  const [ignoreMsrs, setIgnoreMsrs] = useState(false);
  const planning = usePlanRequest();

  const makePlan = async (): Promise<void> => {
    await planning.ask({ gpu: gpu.passWith, lookingGlass: mode === 'none' ? null : { mode, sizeMiB: size }, user, ...(handover === 'vm-start' ? { handover } : {}), ...(ignoreMsrs ? { ignoreMsrs: true } : {}) });
  };

  return (
    <section className="prepare" aria-label={t('prepare.title', { name: gpu.name })}>
      <h3>{t('prepare.title', { name: gpu.name })}</h3>
      <p className="muted">{t(handover === 'vm-start' ? 'prepare.whyHandover' : 'prepare.why', { devices: gpu.passWith.join(', ') })}</p>
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
              {[...new Set([32, 64, 128, 256, size])].map((s) => (
                <option key={s} value={s}>
                  {t('vm.mib', { count: s })}
                </option>
              ))}
            </select>
            {suggested && <span className="muted">{t('prepare.sizeHint', suggested)}</span>}
          </label>
        )}
        <label className="check-field">
          <input type="checkbox" checked={ignoreMsrs} onChange={(e) => setIgnoreMsrs(e.target.checked)} /> {t('prepare.ignoreMsrs')}
        </label>
        <div>
          {/* The plan names the desktop user (app.info): wait for it rather than send an empty name. */}
          <button type="button" disabled={planning.busy || !user} onClick={() => void makePlan()}>
            {t('prepare.showPlan')}
          </button>
        </div>
      </div>
      <PlanOutcome state={planning} onApplied={(backup) => onApplied(backup, mode === 'none' ? null : { mode, sizeMiB: size })} />
    </section>
  );
}
