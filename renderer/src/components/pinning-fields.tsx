import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSpec } from '../../../shared/api';
import { api } from '../api';
import { useRequest } from '../hooks';
import { useMsg } from '../i18n/msg';
import { formatCpuList, parseCpuList } from '../../../shared/cpu-list';
import { ErrorBanner } from './error-banner';

type Pinning = NonNullable<VmSpec['cpuPinning']>;

/**
 * CPU pinning, opt-in: the planner's proposal for this host (whole cores with
 * their SMT threads, one CCD, the host keeps a core per CCD), each generated
 * line with its reason, and the host CPUs as an editable list (checked by the
 * same rules).
 */
export function PinningFields({ vcpus, value, onChange }: { vcpus: number; value: Pinning | undefined; onChange: (value: Pinning | undefined) => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const on = value !== undefined;
  const plan = useRequest(on ? () => api.vm.planPinning(value.cpus ? { cpus: value.cpus } : { vcpus }) : null, [on, vcpus, value?.cpus?.join(',')]);
  // What the user typed; until then (or after "back to the proposal"), the proposal's CPUs.
  const [edited, setEdited] = useState<string | null>(null);
  const text = edited ?? (plan.value ? formatCpuList(plan.value.guestCpus) : '');
  // An empty list is no choice at all: the field wants CPUs.
  const parsed = parseCpuList(text);
  const typed = parsed && parsed.length > 0 ? parsed : null;
  return (
    <fieldset className="form-section">
      <legend>{t('pinning.title')}</legend>
      <p className="muted">{t('pinning.what')}</p>
      <label className="check-field">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setEdited(null);
            onChange(e.target.checked ? {} : undefined);
          }}
        />
        <span>{t('pinning.enable')}</span>
      </label>
      {on && (
        <>
          <label className="field">
            <span>{t('pinning.cpus')}</span>
            <input
              className="mono"
              value={text}
              aria-invalid={typed === null}
              onChange={(e) => setEdited(e.target.value)}
              onBlur={() => {
                if (typed && formatCpuList(typed) !== formatCpuList(plan.value?.guestCpus ?? [])) onChange({ cpus: typed });
              }}
            />
            <span className="muted">{typed === null ? t('pinning.badList') : t('pinning.cpusHint')}</span>
          </label>
          {value.cpus && (
            <button
              type="button"
              onClick={() => {
                setEdited(null);
                onChange({});
              }}
            >
              {t('pinning.reset')}
            </button>
          )}
          {plan.error && <ErrorBanner error={plan.error} />}
          {plan.value && (
            <>
              <p>
                {t('pinning.summary', {
                  vcpus: plan.value.vcpus,
                  cores: t('pinning.count.cores', { count: plan.value.topology.cores }),
                  threads: t('pinning.count.threads', { count: plan.value.topology.threads }),
                  guest: formatCpuList(plan.value.guestCpus),
                  host: formatCpuList(plan.value.hostCpus),
                })}
              </p>
              <table className="domains reasons" aria-label={t('pinning.reasons')}>
                <thead>
                  <tr>
                    <th scope="col">{t('pinning.line')}</th>
                    <th scope="col">{t('pinning.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.value.reasons.map((r) => (
                    <tr key={r.xml}>
                      <td className="mono">{r.xml}</td>
                      <td>{tm(r.reasonMsg, r.reason)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {plan.value.notes.map((n, i) => (
                <p key={n} className="banner banner-warn">
                  {tm(plan.value!.notesMsg?.[i], n)}
                </p>
              ))}
            </>
          )}
        </>
      )}
    </fieldset>
  );
}
