import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ErrorInfo } from '../../../shared/api';
import { useErrorText } from '../i18n/msg';

/** An error as the user should see it: what happened, what to do, and a way into the troubleshooter. */
export function ErrorBanner({ error, vm }: { error: ErrorInfo; vm?: string }) {
  const { t } = useTranslation();
  const text = useErrorText()(error);
  return (
    <div className="banner banner-error" role="alert">
      <p className="banner-message">{text.message}</p>
      <p className="banner-hint">
        <strong>{t('error.whatToDo')}</strong> {text.hint}
      </p>
      {error.detail && (
        <p>
          <Link to="/troubleshoot" state={{ text: error.detail, name: vm ?? null }}>
            {t('error.troubleshoot')}
          </Link>
        </p>
      )}
    </div>
  );
}
