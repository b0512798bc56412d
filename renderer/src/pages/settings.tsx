import { useTranslation } from 'react-i18next';
import { ErrorBanner } from '../components/error-banner';
import { useAppInfo } from '../hooks';
import { LANGUAGES, setLanguage, type Language } from '../i18n';

/** What this Vitrine is connected to, and the UI language. */
export function SettingsPage() {
  const { t, i18n } = useTranslation();
  const { info, error } = useAppInfo();
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      {error && <ErrorBanner error={error} />}
      {info && (
        <dl className="facts">
          <dt>{t('settings.version')}</dt>
          <dd>{info.version}</dd>
          <dt>{t('settings.uri')}</dt>
          <dd>
            <code>{info.libvirtUri}</code>
            <div className="muted">{t('settings.uriHint')}</div>
          </dd>
          <dt>{t('settings.mode')}</dt>
          <dd>{info.mode === 'electron' ? t('settings.modeElectron') : t('settings.modeServe')}</dd>
        </dl>
      )}
      <label className="field">
        <span>{t('settings.language')}</span>
        <select value={i18n.language} onChange={(event) => setLanguage(event.target.value as Language)}>
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
    </section>
  );
}
