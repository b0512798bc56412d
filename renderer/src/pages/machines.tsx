import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ErrorBanner } from '../components/error-banner';
import { NewVmHead } from '../components/new-vm-head';
import { StateBadge } from '../components/state-badge';
import { useDomains } from '../hooks';

/** The VMs in detail: identity and how libvirt keeps them. */
export function MachinesPage() {
  const { t } = useTranslation();
  const snapshot = useDomains();
  // What the VM page said on its way here (a VM deleted, its disks kept).
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  return (
    <section aria-labelledby="machines-title">
      <NewVmHead id="machines-title" title={t('machines.title')} />
      {notice && (
        <p role="status" className="banner banner-ok">
          {notice}
        </p>
      )}
      {snapshot?.error && <ErrorBanner error={snapshot.error} />}
      {!snapshot && <p role="status">{t('dashboard.loading')}</p>}
      {snapshot && (
        <table className="domains" aria-label={t('dashboard.tableLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('dashboard.name')}</th>
              <th scope="col">{t('dashboard.state')}</th>
              <th scope="col">{t('machines.uuid')}</th>
              <th scope="col">{t('machines.persistent')}</th>
              <th scope="col">{t('dashboard.autostart')}</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.domains.map((domain) => (
              <tr key={domain.uuid}>
                <th scope="row">
                  <Link to={`/machines/${encodeURIComponent(domain.name)}`}>{domain.name}</Link>
                </th>
                <td>
                  <StateBadge state={domain.state} />
                </td>
                <td className="mono">{domain.uuid}</td>
                <td>{domain.persistent ? t('yes') : t('machines.transient')}</td>
                <td>{domain.autostart ? t('yes') : t('no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
