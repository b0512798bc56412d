import { useTranslation } from 'react-i18next';
import type { ClientInfo, ClientSetup } from '../../../shared/api';
import { useMsg } from '../i18n/msg';

/**
 * The Windows side of Looking Glass that matches the installed client: B7's
 * host service (with a monitor or dummy plug on the card) or B8's display
 * driver (a virtual monitor), with its silent-install command. Client and
 * guest side must be the same release.
 */
export function LgGuestSide({ client }: { client: ClientInfo }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const release = client.release ?? client.rules.release;
  return (
    <div className="lg-guest" aria-label={t('lgClient.guestTitle')}>
      <p>
        <strong>{t('lgClient.guestTitle')}</strong>{' '}
        {t(client.guest.kind === 'idd' ? 'lgClient.guestIdd' : 'lgClient.guestHostService', { release, file: client.guest.file })}
      </p>
      <p>
        {t('lgClient.silent')} <code className="mono">{client.guest.silent}</code>
      </p>
      <p className="muted">
        {t(client.guest.needsDummyPlug ? 'lgClient.dummyPlug' : 'lgClient.noDummyPlug')} {t('lgClient.sameRelease')}
      </p>
      {!client.path && <p className="muted">{t('lgClient.noClient', { release })}</p>}
      {client.rules.note && client.path && <p className="muted">{tm(client.rules.noteMsg, client.rules.note)}</p>}
    </div>
  );
}

/** How to get the client (and kvmfr) on this host's distribution family. */
export function LgGetClient({ setup }: { setup: ClientSetup }) {
  const { t } = useTranslation();
  const { install } = setup;
  return (
    <div className="lg-get-client">
      <p>
        {setup.path ? t('lgClient.found', { path: setup.path, release: setup.release ?? '?' }) : t('lgClient.missing')}
        {install.distro ? ` ${t('lgClient.distro', { distro: install.distro })}` : ''}
      </p>
      <p>{t(`lgClient.how.${install.family}`)}</p>
      <pre className="mono">{install.commands.join('\n')}</pre>
      <p className="muted">{t(`lgClient.kvmfr.${install.family}`)}</p>
    </div>
  );
}
