import { useTranslation } from 'react-i18next';
import { Nav } from './nav';

/** Step 1: what the setup needs before it starts. */
export function Welcome({ onNext }: { onNext: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <p>{t('wizard.welcome.intro')}</p>
      <h3>{t('wizard.welcome.needTitle')}</h3>
      <ul>
        <li>{t('wizard.welcome.needGpu')}</li>
        <li>{t('wizard.welcome.needWindows')}</li>
        <li>{t('wizard.welcome.needVirtio')}</li>
        <li>{t('wizard.welcome.needMonitor')}</li>
      </ul>
      <p className="muted">{t('wizard.welcome.safe')}</p>
      <Nav back={null} next={onNext} nextLabel={t('wizard.welcome.start')} />
    </>
  );
}
