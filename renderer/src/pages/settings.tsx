import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSettings, ErrorInfo } from '../../../shared/api';
import { api } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { LgGetClient, LgGuestSide } from '../components/lg-client';
import { useAction, useAppInfo, useRequest } from '../hooks';
import { LANGUAGES, setLanguage, type Language } from '../i18n';

/** The text fields of the form, as typed. */
interface Fields {
  clientPath: string;
  uri: string;
  fallback: string;
}

function fieldsOf(settings: AppSettings | null): Fields {
  return {
    clientPath: settings?.clientPath ?? '',
    uri: settings?.libvirtUri ?? '',
    fallback: settings?.fallbackResolution ? `${settings.fallbackResolution.width}x${settings.fallbackResolution.height}` : '',
  };
}

/** What this Vitrine is connected to, Looking Glass's defaults, and the UI language. */
export function SettingsPage() {
  const { t, i18n } = useTranslation();
  const { info, error } = useAppInfo();
  const loaded = useRequest(() => api.settings.get(), []);
  const [saves, setSaves] = useState(0);
  // The client as the saved settings find it (re-read after each save).
  const client = useRequest(() => api.lg.client(), [saves]);
  // The settings as last saved; until a save, as loaded.
  const [stored, setStored] = useState<AppSettings | null>(null);
  const settings = stored ?? loaded.value;
  // The fields as typed; until the first keystroke, as loaded.
  const [typed, setTyped] = useState<Fields | null>(null);
  const { clientPath, uri, fallback } = typed ?? fieldsOf(loaded.value);
  const edit = (patch: Partial<Fields>): void => setTyped({ clientPath, uri, fallback, ...patch });
  const saving = useAction();
  const [invalid, setInvalid] = useState<ErrorInfo | null>(null);
  const saveError = invalid ?? saving.error ?? (stored ? null : loaded.error);
  const [saved, setSaved] = useState(false);

  const save = async (patch: Partial<AppSettings>): Promise<void> => {
    setSaved(false);
    setInvalid(null);
    const r = await saving.run(() => api.settings.set(patch));
    if (!r.ok) return;
    setStored(r.value);
    setSaves((n) => n + 1);
    setSaved(true);
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const m = fallback.trim().match(/^(\d{3,5})\s*[x×]\s*(\d{3,5})$/);
    if (fallback.trim() && !m) {
      setInvalid({ kind: 'invalid-argument', message: t('settings.badResolution', { value: fallback }), hint: t('settings.resolutionHint') });
      return;
    }
    void save({ libvirtUri: uri.trim() || null, clientPath: clientPath.trim() || null, fallbackResolution: m ? { width: Number(m[1]), height: Number(m[2]) } : null });
  };

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
        <select
          value={i18n.language}
          onChange={(event) => {
            setLanguage(event.target.value as Language);
            void save({ language: event.target.value as Language });
          }}
        >
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>

      {settings && (
        <form className="settings-form" onSubmit={submit}>
          <fieldset className="edit-form">
            <legend>{t('settings.connectionTitle')}</legend>
            <label className="field field-wide">
              <span>{t('settings.uriSetting')}</span>
              <input value={uri} onChange={(e) => edit({ uri: e.target.value })} placeholder="qemu:///system" aria-describedby="uri-hint" />
              <span id="uri-hint" className="muted">
                {t('settings.uriSettingHint')}
              </span>
            </label>
          </fieldset>
          <fieldset className="edit-form">
            <legend>{t('settings.lgTitle')}</legend>
            <label className="field field-wide">
              <span>{t('settings.clientPath')}</span>
              <input value={clientPath} onChange={(e) => edit({ clientPath: e.target.value })} placeholder="/usr/local/bin/looking-glass-client" aria-describedby="client-hint" />
              <span id="client-hint" className="muted">
                {t('settings.clientHint')}
              </span>
            </label>
            <label className="field">
              <span>{t('settings.fallback')}</span>
              <input value={fallback} onChange={(e) => edit({ fallback: e.target.value })} placeholder="2560x1440" aria-describedby="fallback-hint" />
              <span id="fallback-hint" className="muted">
                {t('settings.fallbackHint')}
              </span>
            </label>
            <label className="field">
              <span>{t('settings.onClose')}</span>
              <select value={settings.onClientClose} onChange={(e) => void save({ onClientClose: e.target.value as AppSettings['onClientClose'] })}>
                <option value="ask">{t('settings.onCloseAsk')}</option>
                <option value="keep-running">{t('settings.onCloseKeep')}</option>
                <option value="shut-down">{t('settings.onCloseShutDown')}</option>
              </select>
            </label>
          </fieldset>
          <fieldset className="edit-form">
            <legend>{t('settings.desktopTitle')}</legend>
            <label className="check-field">
              <input type="checkbox" checked={settings.startAtLogin} onChange={(e) => void save({ startAtLogin: e.target.checked })} /> {t('settings.startAtLogin')}
            </label>
          </fieldset>
          <div>
            <button type="submit" className="primary">
              {t('settings.save')}
            </button>
          </div>
        </form>
      )}
      {client.value && (
        <section className="lg-client-setup" aria-labelledby="lg-get-client">
          <h3 id="lg-get-client">{t('lgClient.getTitle')}</h3>
          <LgGetClient setup={client.value} />
          <LgGuestSide client={client.value} />
        </section>
      )}
      {saved && (
        <p role="status" className="banner banner-ok">
          {t('settings.saved')}
        </p>
      )}
      {saveError && <ErrorBanner error={saveError} />}
    </section>
  );
}
