import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useAction, useRequest } from '../hooks';
import { ErrorBanner } from './error-banner';

/** The change sets Vitrine made to the host, newest first, each with Undo. */
export function Changes({ round }: { round: number }) {
  const { t } = useTranslation();
  const loaded = useRequest(() => api.setup.changes(), [round]);
  const changes = loaded.value ?? [];
  const undoing = useAction();
  const error = undoing.error ?? loaded.error;
  const [notice, setNotice] = useState<string | null>(null);

  const undo = async (id: string): Promise<void> => {
    const r = await undoing.run(() => api.setup.rollback({ id }));
    if (r.ok) setNotice(t('changes.undone'));
    loaded.reload();
  };

  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">{t('changes.title')}</h2>
      {error && <ErrorBanner error={error} />}
      {notice && <p role="status">{notice}</p>}
      {changes.length === 0 ? (
        <p className="muted">{t('changes.none')}</p>
      ) : (
        <ul className="history" aria-label={t('changes.title')}>
          {changes.map((c) => (
            <li key={c.id}>
              <span>{new Date(c.createdAt).toLocaleString()}</span>
              <span>{c.reason}</span>
              <span className="muted">{t(`changes.state.${c.state}`)}</span>
              {(c.state === 'applied' || c.state === 'applying') && (
                <button type="button" onClick={() => void undo(c.id)}>
                  {t('changes.undo')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
