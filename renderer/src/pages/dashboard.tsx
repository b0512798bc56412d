import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DomainSummary, LgStatus, Task } from '../../../shared/api';
import { api } from '../api';
import { deviceName } from '../form/device-choice';
import { ErrorBanner } from '../components/error-banner';
import { StateBadge } from '../components/state-badge';
import { PlayControls } from '../components/play-controls';
import { limiter } from '../api/limit';
import { useAppInfo, useDomains, useHostCheck, useLgStatus, useRequest, useTasks } from '../hooks';

/** What Play needs that a VM lacks, first missing first, with the one action that fixes it. */
interface Readiness {
  /** Play cannot work: its button is disabled with this reason. */
  blocked: boolean;
  text: string;
  action: { label: string; to: string } | null;
}

/** The names of the graphics cards among a VM's PCI devices (the host check is read only for a VM that has some). */
function GpuNames({ addresses }: { addresses: string[] }) {
  const { check } = useHostCheck();
  const gpus = addresses.filter((a) => {
    const device = check?.devices.find((x) => x.address === a);
    return !device || device.class.startsWith('0x03');
  });
  return <>{gpus.map((a) => deviceName(check?.devices.find((x) => x.address === a), a)).join(', ')}</>;
}

interface VmCardProps {
  domain: DomainSummary;
  lg: LgStatus | null;
  task: Task | null;
}

/**
 * Whether a card would show the same: each event brings the whole list anew
 * (parsed from JSON), so the others' cards compare by value and only the card
 * of the VM that changed renders again.
 */
function sameCard(a: VmCardProps, b: VmCardProps): boolean {
  return JSON.stringify(a.domain) === JSON.stringify(b.domain) && JSON.stringify(a.lg) === JSON.stringify(b.lg) && JSON.stringify(a.task) === JSON.stringify(b.task);
}

/** The cards' own requests, a few at a time (each costs virsh runs on the other side). */
const cardRequests = limiter(3);

/** One VM as a card: its state, its card, whether Play can work (and what fixes it), Play/Stop. */
const VmCard = memo(function VmCard({ domain, lg, task }: VmCardProps) {
  const { t } = useTranslation();
  const page = `/machines/${encodeURIComponent(domain.name)}`;
  const details = useRequest(() => cardRequests(() => api.vm.details({ name: domain.name })), [domain.name, domain.state]);
  const d = details.value;
  const hasPci = !!d && d.pciDevices.length > 0;
  // Looking Glass's checks matter once the VM has its card (without one, that is what Play needs first).
  const launch = useRequest(hasPci ? () => cardRequests(() => api.lg.launchInfo({ name: domain.name })) : null, [hasPci, domain.name, domain.state]);
  const info = launch.value;
  const gpuText = !d ? '…' : hasPci ? <GpuNames addresses={d.pciDevices.map((p) => p.address)} /> : t('dashboard.noGpu');

  const readiness = ((): Readiness | null => {
    if (!d) return null;
    if (!hasPci) return { blocked: true, text: t('dashboard.needGpu'), action: { label: t('dashboard.fixGpu'), to: page } };
    if (!info) return launch.error ? { blocked: false, text: t('dashboard.cannotCheck'), action: null } : null;
    const memory = info.memory.problems[0];
    if (memory) return { blocked: true, text: t(`dashboard.memory.${memory.kind}`), action: { label: memory.kind === 'not-configured' || memory.kind === 'too-small' ? t('dashboard.fixMemory') : t('dashboard.explain'), to: memory.kind === 'not-configured' || memory.kind === 'too-small' ? page : '/troubleshoot' } };
    if (info.client.problem) return { blocked: true, text: t('dashboard.needClient'), action: { label: t('dashboard.fixClient'), to: '/settings' } };
    return { blocked: false, text: t('dashboard.ready', { size: info.memory.configuredMiB ?? 0, width: info.settings.resolution.width, height: info.settings.resolution.height }), action: null };
  })();

  return (
    <li className="vm-card" data-domain={domain.name} aria-labelledby={`card-${domain.uuid}`}>
      <div className="vm-card-head">
        <h2 id={`card-${domain.uuid}`}>
          <Link to={page}>{domain.name}</Link>
        </h2>
        <StateBadge state={domain.state} />
      </div>
      <p className="vm-card-gpu">
        <span className="muted">{t('dashboard.gpu')}</span> {gpuText}
      </p>
      {readiness && (
        <p className={`readiness ${readiness.blocked ? 'readiness-missing' : 'readiness-ok'}`}>
          <span>{readiness.text}</span>
          {readiness.action && (
            <>
              {' '}
              <Link to={readiness.action.to}>{readiness.action.label}</Link>
            </>
          )}
        </p>
      )}
      <PlayControls domain={domain} lg={lg} task={task} compact blocked={readiness?.blocked ? t('dashboard.playBlocked', { reason: readiness.text }) : null} />
    </li>
  );
}, sameCard);

/** The home: every VM as a card with its state, its card, whether it can play, and Play/Stop. */
export function Dashboard() {
  const { t } = useTranslation();
  const snapshot = useDomains();
  const { info } = useAppInfo();
  const lg = useLgStatus();
  const tasks = useTasks();
  return (
    <section aria-labelledby="dashboard-title">
      <div className="page-head">
        <h1 id="dashboard-title">{t('dashboard.title')}</h1>
        <Link className="button" to="/machines/new">
          {t('vm.newVm')}
        </Link>
      </div>
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
          <ul className="vm-cards" aria-label={t('dashboard.tableLabel')}>
            {snapshot.domains.map((domain) => (
              <VmCard key={domain.uuid} domain={domain} lg={lg?.clients.find((c) => c.vm === domain.name) ?? null} task={tasks?.tasks.find((x) => x.subject === domain.name) ?? null} />
            ))}
          </ul>
          <p className="muted">{t('dashboard.live')}</p>
        </>
      )}
    </section>
  );
}
