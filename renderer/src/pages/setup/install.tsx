import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WizardView } from '../../../../shared/api';
import { api } from '../../api';
import { ErrorBanner } from '../../components/error-banner';
import { LgGuestSide } from '../../components/lg-client';
import { useAction, useRequest } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

const ITEMS = ['boot', 'viostor', 'netkvm', 'tools', 'gpuDriver', 'lgHost', 'ivshmem'] as const;

/** Step 6: installing Windows in the VM's console, as a checklist of what to do there. */
export function InstallStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: () => void }) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState<string | null>(null);
  const { run, busy, error } = useAction();
  const client = useRequest(() => api.lg.client(), []);
  const name = wizard.vm ?? '';
  // Start the VM if it is not running, then open its console.
  const open = async (): Promise<void> => {
    const r = await run(async () => {
      const details = await api.vm.details({ name });
      if (details.ok && details.value.summary.state !== 'running') {
        const started = await api.vm.start({ name });
        if (!started.ok) return started;
      }
      return api.vm.console({ name });
    });
    if (r.ok) setOpened(r.value.viewer);
  };
  return (
    <>
      <ol className="install-list">
        {ITEMS.map((item) => (
          <li key={item}>
            <label className="check-field">
              <input type="checkbox" /> {t(`wizard.install.${item}`)}
            </label>
          </li>
        ))}
      </ol>
      {client.value && <LgGuestSide client={client.value} />}
      {opened && <p className="banner banner-ok">{t('wizard.install.opened', { viewer: opened })}</p>}
      {error && <ErrorBanner error={error} vm={name} />}
      <Nav back={back} next={onNext}>
        <button type="button" disabled={busy} onClick={() => void open()}>
          {t('wizard.install.console')}
        </button>
      </Nav>
    </>
  );
}
