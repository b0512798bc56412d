import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useRequest } from '../hooks';
import { ErrorBanner } from './error-banner';

/**
 * A path field with a Browse button. The browser's own file dialog gives no
 * path, so the folders are listed by Vitrine (as the user, through the API).
 * `folder` picks a folder instead of a file.
 */
export function PathField({ label, value, onChange, extension, folder = false, hint, error }: { label: string; value: string; onChange: (path: string) => void; extension?: string; folder?: boolean; hint?: string; error?: string | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <div className="field field-wide">
      <label htmlFor={id}>{label}</label>
      <div className="path-row">
        <input
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className="mono"
          aria-invalid={error ? true : undefined}
          aria-describedby={[error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined}
        />
        <button type="button" onClick={() => setOpen(true)} aria-label={t('picker.browseFor', { label })}>
          {t('picker.browse')}
        </button>
      </div>
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
      {hint && (
        <span id={`${id}-hint`} className="muted">
          {hint}
        </span>
      )}
      {open && (
        <FilePicker
          title={label}
          start={value ? (folder ? value : value.slice(0, value.lastIndexOf('/')) || '/') : ''}
          extension={extension}
          folder={folder}
          onPick={(path) => {
            onChange(path);
            setOpen(false);
          }}
          onCancel={() => setOpen(false)}
        />
      )}
    </div>
  );
}

function FilePicker({ title, start, extension, folder, onPick, onCancel }: { title: string; start: string; extension: string | undefined; folder: boolean; onPick: (path: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [dir, setDir] = useState(start);
  const { value: listing, error } = useRequest(async () => {
    // No start: the user's home.
    const target = dir || (await api.app.info().then((r) => (r.ok ? r.value.home : '/')));
    return api.files.list(extension === undefined ? { dir: target } : { dir: target, extension });
  }, [dir, extension]);

  return (
    <div className="picker" role="dialog" aria-modal="false" aria-label={t('picker.title', { title })}>
      <p className="mono">{listing?.dir ?? dir}</p>
      {listing?.freeGiB !== null && listing?.freeGiB !== undefined && <p className="muted">{t('picker.free', { size: listing.freeGiB })}</p>}
      {error && <ErrorBanner error={error} />}
      <ul className="picker-list" aria-label={t('picker.entries')}>
        {listing?.parent && (
          <li>
            <button type="button" className="linkish" onClick={() => setDir(listing.parent!)}>
              ↑ {t('picker.up')}
            </button>
          </li>
        )}
        {listing?.entries.map((e) => (
          <li key={e.path}>
            {e.kind === 'dir' ? (
              <button type="button" className="linkish" onClick={() => setDir(e.path)}>
                📁 {e.name}
              </button>
            ) : (
              <button type="button" className="linkish" onClick={() => onPick(e.path)} disabled={folder}>
                {e.name} <span className="muted">({Math.max(1, Math.round(e.sizeBytes / 1024 / 1024))} MiB)</span>
              </button>
            )}
          </li>
        ))}
        {listing && listing.entries.length === 0 && <li className="muted">{t('picker.empty', { extension: extension ?? '' })}</li>}
      </ul>
      <div className="actions">
        {folder && listing && (
          <button type="button" onClick={() => onPick(listing.dir)}>
            {t('picker.chooseFolder')}
          </button>
        )}
        <button type="button" onClick={onCancel}>
          {t('vm.cancel')}
        </button>
      </div>
    </div>
  );
}
