import { useTranslation } from 'react-i18next';
import { CheckRow } from '../../components/check-row';
import { ErrorBanner } from '../../components/error-banner';
import { useHostCheck } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

/** Step 2: the host checklist, blocking items first; Next only when nothing blocks. */
export function HostStep({ back, onNext }: { back: Back; onNext: () => void }) {
  const { t } = useTranslation();
  const { check, error, busy, refresh } = useHostCheck();
  const blocking = check?.checks.filter((c) => c.status === 'fail') ?? [];
  return (
    <>
      {busy && <p role="status">{t('host.checking')}</p>}
      {error && <ErrorBanner error={error} />}
      {check && (
        <>
          {blocking.length > 0 ? <p className="banner banner-error">{t('wizard.host.blocking', { count: blocking.length })}</p> : <p className="banner banner-ok">{t('wizard.host.ready')}</p>}
          <ul className="checklist" aria-label={t('host.checklist')}>
            {[...blocking, ...check.checks.filter((c) => c.status !== 'fail')].map((c) => (
              <CheckRow key={c.id} check={c} />
            ))}
          </ul>
        </>
      )}
      <Nav back={back} next={onNext} disabled={!check || blocking.length > 0}>
        <button type="button" onClick={refresh} disabled={busy}>
          {t('host.recheck')}
        </button>
      </Nav>
    </>
  );
}
