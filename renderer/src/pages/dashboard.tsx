import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorBanner } from '../components/error-banner';
import { StateBadge } from '../components/state-badge';
import { PlayControls } from '../components/play-controls';
import { useAppInfo, useDomains, useLgStatus, useTasks } from '../hooks';

/** Every VM with its live state, Play/Stop and Looking Glass's state. */
export function Dashboard() {
  const { t } = useTranslation();
  const snapshot = useDomains();
  const { info } = useAppInfo();
  const lg = useLgStatus();
  const tasks = useTasks();
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      {snapshot?.error && <ErrorBanner error={snapshot.error} />}
      {!snapshot && <p role="status">{t('dashboard.loading')}</p>}
      {snapshot && snapshot.domains.length === 0 && !snapshot.error && (
        <div className="empty">
          <p>{t('dashboard.empty', { uri: info?.libvirtUri ?? '' })}</p>
          <p>
            <Link className="button primary" to="/setup">
              {t('dashboard.startSetup')}
            </Link>
          </p>
        </div>
      )}
      {snapshot && snapshot.domains.length > 0 && (
        <>
          <table className="domains" aria-label={t('dashboard.tableLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.name')}</th>
                <th scope="col">{t('dashboard.state')}</th>
                <th scope="col">{t('dashboard.play')}</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.domains.map((domain) => (
                <tr key={domain.uuid} data-domain={domain.name}>
                  <th scope="row">
                    <Link to={`/machines/${encodeURIComponent(domain.name)}`}>{domain.name}</Link>
                  </th>
                  <td>
                    <StateBadge state={domain.state} />
                  </td>
                  <td>
                    <PlayControls domain={domain} lg={lg?.clients.find((c) => c.vm === domain.name) ?? null} task={tasks?.tasks.find((x) => x.subject === domain.name) ?? null} compact />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{t('dashboard.live')}</p>
        </>
      )}
    </section>
  );
}
