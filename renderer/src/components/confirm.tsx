import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A button whose action waits for a confirmation that states the
 * consequence (Force off, Delete): the first click opens the question, only
 * "yes" runs the action, Cancel (or a second click) closes it. `children`
 * are choices that belong to the question (Delete: the disk too).
 */
export function ConfirmButton({ label, question, yes, onConfirm, disabled = false, className = '', ariaLabel, children }: { label: ReactNode; question: string; yes: string; onConfirm: () => void; disabled?: boolean; className?: string; ariaLabel?: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <button type="button" className={className} disabled={disabled} aria-expanded={open} aria-label={ariaLabel} onClick={() => setOpen((o) => !o)}>
        {label}
      </button>
      {open && (
        <div className="banner banner-warn confirm" role="alertdialog" aria-labelledby={id}>
          <p id={id}>{question}</p>
          {children}
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setOpen(false);
                onConfirm();
              }}
            >
              {yes}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {t('vm.cancel')}
            </button>
          </div>
        </div>
      )}
    </>
  );
}
