import { memo, useMemo } from 'react';
import { dequal } from 'dequal/lite';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { DomainSummary, LgStatus, Task } from '../../../shared/api';
import { deviceName } from '../form/device-choice';
import { ErrorBanner } from '../components/error-banner';
import { NewVmHead } from '../components/new-vm-head';
import { StateBadge } from '../components/state-badge';
import { PlayControls } from '../components/play-controls';
import { useAppInfo, useDomains, useHostCheck, useLgStatus, useTasks } from '../hooks';
import { useCards, type CardData } from '../hooks/use-cards';
import { useErrorText } from '../i18n/msg';

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
  /** Its details and Looking Glass checks (useCards), undefined until first asked. */
  card: CardData | undefined;
}

/**
 * Whether a card would show the same: each event brings the whole list anew
 * (parsed from JSON), so the others' cards compare by value (dequal, no
 * strings built) and only the card of the VM that changed renders again.
 */
function sameCard(a: VmCardProps, b: VmCardProps): boolean {
  return a.card === b.card && dequal(a.domain, b.domain) && dequal(a.lg, b.lg) && dequal(a.task, b.task);
}

/** A card's title, a link to its VM's page: drawn again only for another VM (a change of state leaves it alone). */
const CardTitle = memo(function CardTitle({ name, uuid }: { name: string; uuid: string }) {
  return (
    <h2 id={`card-${uuid}`}>
      <Link to={`/machines/${encodeURIComponent(name)}`}>{name}</Link>
    </h2>
  );
});

/** One VM as a card: its state, its card, whether Play can work (and what fixes it), Play/Stop. */
const VmCard = memo(function VmCard({ domain, lg, task, card }: VmCardProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const page = `/machines/${encodeURIComponent(domain.name)}`;
  const d = card?.details.value ?? null;
  const hasPci = !!d && d.pciDevices.length > 0;
  // Looking Glass's checks matter once the VM has its card (without one, that is what Play needs first): main reads them only then.
  const launch = card?.launch;
  const info = launch?.value ?? null;
  // Details that could not be read: the card says why (its own error), instead of waiting.
  const unread = !d && card?.details.error ? card.details.error : null;
  const gpuText = !d ? (unread ? '—' : '…') : hasPci ? <GpuNames addresses={d.pciDevices.map((p) => p.address)} /> : t('dashboard.noGpu');

  const readiness = ((): Readiness | null => {
    if (unread) return { blocked: false, text: errorText(unread).message, action: null };
    if (!d) return null;
    if (!hasPci) return { blocked: true, text: t('dashboard.needGpu'), action: { label: t('dashboard.fixGpu'), to: page } };
    if (!info) return launch?.error ? { blocked: false, text: t('dashboard.cannotCheck'), action: null } : null;
    const memory = info.memory.problems[0];
    if (memory) return { blocked: true, text: t(`dashboard.memory.${memory.kind}`), action: { label: memory.kind === 'not-configured' || memory.kind === 'too-small' ? t('dashboard.fixMemory') : t('dashboard.explain'), to: memory.kind === 'not-configured' || memory.kind === 'too-small' ? page : '/troubleshoot' } };
    if (info.client.problem) return { blocked: true, text: t('dashboard.needClient'), action: { label: t('dashboard.fixClient'), to: '/settings' } };
    return { blocked: false, text: t('dashboard.ready', { size: info.memory.configuredMiB ?? 0, width: info.settings.resolution.width, height: info.settings.resolution.height }), action: null };
  })();

  return (
    <li className="vm-card" data-domain={domain.name} aria-labelledby={`card-${domain.uuid}`}>
      <div className="vm-card-head">
        <CardTitle name={domain.name} uuid={domain.uuid} />
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

/** The first item of each key, as Array.find would give it. */
function firstBy<T>(items: readonly T[], key: (item: T) => string) {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(key(item))) map.set(key(item), item);
  return map;
}

/** The home: every VM as a card with its state, its card, whether it can play, and Play/Stop. */
export function Dashboard() {
  const { t } = useTranslation();
  const snapshot = useDomains();
  const { info } = useAppInfo();
  const lg = useLgStatus();
  const tasks = useTasks();
  const cards = useCards(snapshot?.domains ?? null);
  // Each VM's client and task, looked up once per list rather than searched for every card.
  const lgOf = useMemo(() => firstBy(lg?.clients ?? [], (c) => c.vm), [lg]);
  const taskOf = useMemo(() => firstBy(tasks?.tasks ?? [], (x) => x.subject), [tasks]);
  return (
    <section aria-labelledby="dashboard-title">
      <NewVmHead id="dashboard-title" title={t('dashboard.title')} />
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
              <VmCard key={domain.uuid} domain={domain} lg={lgOf.get(domain.name) ?? null} task={taskOf.get(domain.name) ?? null} card={cards.get(domain.name)} />
            ))}
          </ul>
          <p className="muted">{t('dashboard.live')}</p>
        </>
      )}
    </section>
  );
}
