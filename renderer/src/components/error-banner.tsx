import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../preload/api';

/** An error as the user should see it: what happened, then what to do. */
export function ErrorBanner({ error }: { error: ErrorInfo }) {
  const { t } = useTranslation();
  return (
    <div className="banner banner-error" role="alert">
      <p className="banner-message">{error.message}</p>
      <p className="banner-hint">
        <strong>{t('error.whatToDo')}</strong> {error.hint}
      </p>
    </div>
  );
}
