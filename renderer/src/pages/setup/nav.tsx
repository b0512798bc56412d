import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Back } from './types';

/** A step's buttons: Back, the step's own actions, then Next (or the step's label for it). */
export function Nav({ back, next, nextLabel, disabled = false, children }: { back: Back; next?: () => void; nextLabel?: string; disabled?: boolean; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="actions wizard-nav">
      {back && (
        <button type="button" onClick={back}>
          {t('wizard.back')}
        </button>
      )}
      {children}
      {next && (
        <button type="button" className="primary" onClick={next} disabled={disabled}>
          {nextLabel ?? t('wizard.next')}
        </button>
      )}
    </div>
  );
}
