import { useTranslation } from 'react-i18next';
import type { PlanCommand } from '../../../shared/api';
import { useMsg } from '../i18n/msg';

/** The commands a plan or an undo runs as root, each with its reason (the plan and undo previews). */
export function CommandList({ steps }: { steps: readonly { kind: string }[] }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const commands = steps.filter((s): s is PlanCommand => s.kind === 'run');
  if (commands.length === 0) return null;
  return (
    <>
      <h4>{t('prepare.commands')}</h4>
      <ul className="commands">
        {commands.map((step, i) => (
          <li key={i}>
            <code>{step.argv.join(' ')}</code> <span className="muted">— {tm(step.reasonMsg, step.reason)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
