import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { VmForm } from '../components/vm-form';

/** New VM outside the wizard: the wizard's create form, then the new VM's page. */
export function NewVmPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <section aria-labelledby="new-vm-title">
      <p>
        <Link to="/machines">← {t('nav.machines')}</Link>
      </p>
      <h1 id="new-vm-title">{t('vm.newVmTitle')}</h1>
      <p className="why">{t('vm.newVmWhy')}</p>
      <VmForm
        onCreated={(name) => void navigate(`/machines/${encodeURIComponent(name)}`)}
        nav={(b) => (
          <div className="actions">
            {b.back && (
              <button type="button" onClick={b.back}>
                {t('wizard.back')}
              </button>
            )}
            <button type="button" className="primary" onClick={b.next} disabled={b.disabled}>
              {b.nextLabel}
            </button>
          </div>
        )}
      />
    </section>
  );
}
