import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useRequest } from '../hooks';
import { ErrorBanner } from './error-banner';

/**
 * Before Play for a VM whose card is handed over at VM start: what holds the
 * card now, what the hook will stop (and restore in reverse when the VM
 * stops), what must be closed first; for the boot display (single-GPU mode),
 * that there is no Looking Glass and how to get the desktop back.
 */
export function HandoverPanel({ gpu }: { gpu: string }) {
  const { t } = useTranslation();
  const view = useRequest(() => api.host.handover({ gpu }), [gpu]);
  const v = view.value;
  return (
    <section className="handover" aria-labelledby="handover-title">
      <h3 id="handover-title">{t('handover.title')}</h3>
      {view.error && <ErrorBanner error={view.error} />}
      {!v && !view.error && <p role="status">{t('host.checking')}</p>}
      {v && (
        <>
          {v.holders.bootDisplay && (
            <div className="banner banner-warn" role="note">
              <p>
                <strong>{t('handover.singleTitle')}</strong>
              </p>
              <p>{t('handover.noLookingGlass')}</p>
              <p>{t('handover.getBack')}</p>
            </div>
          )}
          <p>{t('handover.willStop')}</p>
          <ol>
            {v.steps.map((s) => (
              <li key={s.key}>{t(s.key, s.values)}</li>
            ))}
          </ol>
          <p className="muted">{t('handover.restores')}</p>
          {v.holders.processes.length > 0 && (
            <>
              <p>{t('handover.holders')}</p>
              <ul className="plain mono">
                {v.holders.processes.map((p) => (
                  <li key={p.pid}>
                    {p.comm} ({p.pid}) — {t(`handover.role.${p.role}`)}: {p.nodes.join(', ')}
                  </li>
                ))}
              </ul>
            </>
          )}
          {v.blockers.length > 0 && <p className="banner banner-error">{t('handover.blockers', { list: v.blockers.map((p) => `${p.comm} (${p.pid})`).join(', ') })}</p>}
        </>
      )}
    </section>
  );
}
