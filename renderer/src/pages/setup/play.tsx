import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { WizardView } from '../../../../shared/api';
import { HandoverPanel } from '../../components/handover-panel';
import { PlayControls } from '../../components/play-controls';
import { useDomains, useLgStatus, useTasks } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

/** Step 8: Play for the new VM, then Finish to the dashboard. */
export function PlayStep({ wizard, back, onFinish }: { wizard: WizardView; back: Back; onFinish: () => Promise<void> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const domains = useDomains();
  const lg = useLgStatus();
  const tasks = useTasks();
  const domain = domains?.domains.find((d) => d.name === wizard.vm) ?? null;
  return (
    <>
      <p>{t('wizard.play.intro')}</p>
      {wizard.handover === 'vm-start' && wizard.gpu && <HandoverPanel gpu={wizard.gpu} />}
      {domain ? (
        <PlayControls domain={domain} lg={lg?.clients.find((c) => c.vm === domain.name) ?? null} task={tasks?.tasks.find((x) => x.subject === domain.name) ?? null} />
      ) : (
        <p role="status">{t('wizard.loading')}</p>
      )}
      <Nav back={back} next={() => void onFinish().then(() => navigate('/'))} nextLabel={t('wizard.play.finish')} />
    </>
  );
}
