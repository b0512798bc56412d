import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PlanOutcome, usePlanRequest } from './plan-preview';

const KiB = { '2M': 2048, '1G': 1024 * 1024 } as const;

/**
 * Host preparation for hugepages alone (the VM page's "Reserve hugepages"
 * leads here with the VM's memory): the page size, the memory to back, then
 * the plan to review and apply, like the GPU's.
 */
export function ReserveHugepages({ memoryMiB, user, onApplied }: { memoryMiB: number; user: string; onApplied: () => void }) {
  const { t } = useTranslation();
  const [size, setSize] = useState<'2M' | '1G'>('2M');
  const [memory, setMemory] = useState(String(memoryMiB));
  const planning = usePlanRequest();
  const mib = Number(memory);
  const valid = Number.isInteger(mib) && mib > 0;
  const pages = valid ? Math.ceil((mib * 1024) / KiB[size]) : 0;

  const makePlan = async (): Promise<void> => {
    await planning.ask({ gpu: [], lookingGlass: null, user, hugepages: { size, memoryMiB: mib } });
  };

  return (
    <section className="prepare" aria-labelledby="reserve-hugepages-title">
      <h3 id="reserve-hugepages-title">{t('prepare.hugepages.title')}</h3>
      <p className="muted">{t('prepare.hugepages.intro')}</p>
      <div className="edit-form">
        <label className="field">
          <span>{t('prepare.hugepages.size')}</span>
          <select value={size} onChange={(e) => setSize(e.target.value as '2M' | '1G')}>
            <option value="2M">{t('prepare.hugepages.option2M')}</option>
            <option value="1G">{t('prepare.hugepages.option1G')}</option>
          </select>
        </label>
        <label className="field">
          <span>{t('prepare.hugepages.memory')}</span>
          <input inputMode="numeric" value={memory} onChange={(e) => setMemory(e.target.value.trim())} aria-invalid={!valid} />
          {valid && <span className="muted">{t('prepare.hugepages.pages', { count: pages, size: t(size === '2M' ? 'prepare.hugepages.size2M' : 'prepare.hugepages.size1G') })}</span>}
        </label>
        <div>
          {/* Like the GPU plan: the plan names the desktop user (app.info), so wait for it. */}
          <button type="button" disabled={planning.busy || !valid || !user} onClick={() => void makePlan()}>
            {t('prepare.showPlan')}
          </button>
        </div>
      </div>
      <PlanOutcome state={planning} texts="hugepages" onApplied={onApplied} />
    </section>
  );
}
