import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChangeSet, ErrorInfo } from '../../../shared/api';
import { api } from '../api';
import { ErrorBanner } from './error-banner';

/** The change sets Vitrine made to the host, newest first, each with Undo. */
export function Changes({ round }: { round: number }) {
  const { t } = useTranslation();
  const [changes, setChanges] = useState<ChangeSet[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [local, setLocal] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.setup.changes().then((r) => {
      if (!live) return;
      if (r.ok) setChanges(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [round, local]);

  const undo = async (id: string): Promise<void> => {
    setError(null);
    const r = await api.setup.rollback(id);
    if (r.ok) setNotice(t('changes.undone'));
    else setError(r.error);
    setLocal((n) => n + 1);
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
