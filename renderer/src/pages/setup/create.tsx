import { useTranslation } from 'react-i18next';
import type { WizardView } from '../../../../shared/api';
import { VmForm } from '../../components/vm-form';
import { Nav } from './nav';
import type { Back } from './types';

/** Step 5: the VM's settings (prefilled from the host), a summary to review, then the create task. */
export function CreateStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: (vm: string) => void }) {
  const { t } = useTranslation();
  if (wizard.vm) {
    return (
      <>
        <p className="banner banner-ok">{t('wizard.create.exists', { name: wizard.vm })}</p>
        <Nav back={back} next={() => onNext(wizard.vm!)} />
      </>
    );
  }
  return <VmForm onCreated={onNext} nav={(b) => <Nav back={b.back ?? back} next={b.next} nextLabel={b.nextLabel} disabled={b.disabled} />} />;
}
