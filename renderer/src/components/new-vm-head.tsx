import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/**
 * The head of a page that lists VMs: its title and the New VM button. A
 * memo: the page draws again with each live event, this part stays as it is
 * (react-router's Link and i18next's t() were a third of the dashboard's work
 * per event).
 */
export const NewVmHead = memo(function NewVmHead({ id, title }: { id: string; title: string }) {
  const { t } = useTranslation();
  return (
    <div className="page-head">
      <h1 id={id}>{title}</h1>
      <Link className="button" to="/machines/new">
        {t('vm.newVm')}
      </Link>
    </div>
  );
});
