import { useTranslation } from 'react-i18next';
import type { DomainState } from '../../../shared/api';

/** A domain state as a coloured, labelled badge. */
export function StateBadge({ state }: { state: DomainState }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      {t(`state.${state}`)}
    </span>
  );
}
