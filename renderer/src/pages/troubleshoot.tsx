import { useTranslation } from 'react-i18next';

/** The troubleshooter (filled by the troubleshooter work). */
export function TroubleshootPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="troubleshoot-title">
      <h1 id="troubleshoot-title">{t('troubleshoot.title')}</h1>
      <p className="muted">{t('troubleshoot.pending')}</p>
    </section>
  );
}
