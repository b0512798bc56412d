import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { UnattendedInstall, VmDefaults } from '../../../shared/api';
import { PathField } from './file-picker';

/**
 * The unattended Windows install, opt-in: what it does is shown before the
 * box is ticked; then the account, the locale (from the host, editable) and
 * the Looking Glass installer to run at first logon.
 */
export function UnattendedFields({ value, locale, onChange }: { value: UnattendedInstall | undefined; locale: VmDefaults['locale']; onChange: (value: UnattendedInstall | undefined) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const on = value !== undefined;
  const set = (patch: Partial<UnattendedInstall>): void => onChange({ ...value!, ...patch });
  return (
    <fieldset className="form-section" aria-describedby={`${id}-what`}>
      <legend>{t('unattended.title')}</legend>
      <p id={`${id}-what`} className="muted">
        {t('unattended.what')}
      </p>
      <label className="check-field">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => onChange(e.target.checked ? { user: '', password: '', language: locale.language, keyboard: locale.keyboard, timeZone: locale.timeZone, lookingGlassInstaller: null } : undefined)}
        />
        <span>{t('unattended.enable')}</span>
      </label>
      {on && (
        <>
          <label className="field">
            <span>{t('unattended.user')}</span>
            <input value={value.user} autoComplete="off" maxLength={20} onChange={(e) => set({ user: e.target.value })} aria-invalid={value.user === ''} />
          </label>
          <label className="field">
            <span>{t('unattended.password')}</span>
            <input type="password" value={value.password} autoComplete="new-password" maxLength={127} onChange={(e) => set({ password: e.target.value })} />
            <span className="muted">{t('unattended.passwordHint')}</span>
          </label>
          <label className="field">
            <span>{t('unattended.language')}</span>
            <input value={value.language} onChange={(e) => set({ language: e.target.value })} className="mono" />
          </label>
          <label className="field">
            <span>{t('unattended.keyboard')}</span>
            <input value={value.keyboard} onChange={(e) => set({ keyboard: e.target.value })} className="mono" />
          </label>
          <label className="field">
            <span>{t('unattended.timeZone')}</span>
            <input value={value.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
          </label>
          <PathField
            label={t('unattended.lgInstaller')}
            value={value.lookingGlassInstaller ?? ''}
            extension=".exe"
            onChange={(p) => set({ lookingGlassInstaller: p === '' ? null : p })}
            hint={t('unattended.lgHint')}
          />
        </>
      )}
    </fieldset>
  );
}
