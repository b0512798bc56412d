import { useTranslation } from 'react-i18next';
import type { EditPreview } from '../../../shared/api';
import { useMsg } from '../i18n/msg';
import { DiffView } from './diff-view';

/** An edit shown before it is applied: the diff, then Apply (only if something changes) and Cancel. */
export function EditPreviewPanel({ preview, busy, onApply, onCancel }: { preview: EditPreview; busy: boolean; onApply: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  return (
    <section className="preview" aria-label={t('vm.previewTitle')}>
      <h3>{t('vm.previewTitle')}</h3>
      {preview.diff ? <DiffView diff={preview.diff} label={t('vm.diff')} /> : <p>{t('vm.noDiff')}</p>}
      {preview.reasons && preview.reasons.length > 0 && (
        <table className="domains reasons" aria-label={t('pinning.reasons')}>
          <thead>
            <tr>
              <th scope="col">{t('pinning.line')}</th>
              <th scope="col">{t('pinning.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.reasons.map((r) => (
              <tr key={r.xml}>
                <td className="mono">{r.xml}</td>
                <td>{tm(r.reasonMsg, r.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.notes?.map((n, i) => (
        <p key={n} className="banner banner-warn">
          {tm(preview.notesMsg?.[i], n)}
        </p>
      ))}
      <div className="actions">
        {preview.diff && (
          <button type="button" disabled={busy} onClick={onApply}>
            {t('vm.apply')}
          </button>
        )}
        <button type="button" onClick={onCancel}>
          {t('vm.cancel')}
        </button>
      </div>
    </section>
  );
}
