import { useTranslation } from 'react-i18next';

/** The host check (filled by the host-check work). */
export function HostPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">{t('host.title')}</h1>
      <p className="muted">{t('host.pending')}</p>
    </section>
  );
}
