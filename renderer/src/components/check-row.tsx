import { useTranslation } from 'react-i18next';
import type { CheckItem, PciDevice } from '../../../shared/api';
import { useMsg } from '../i18n/msg';
import { InlineText } from './inline-text';

/** A device's name for people: vendor and model from pci.ids, else its class or ids. */
export function deviceName(d: PciDevice): string {
  if (d.deviceName) return d.vendorName ? `${d.vendorName} ${d.deviceName}` : d.deviceName;
  return d.className ?? `[${d.vendorId}:${d.deviceId}]`;
}

/** One item of the readiness checklist, with its fix. */
export function CheckRow({ check }: { check: CheckItem }) {
  const { t } = useTranslation();
  const tm = useMsg();
  return (
    <li className={`check check-${check.status}`} data-check={check.id}>
      <span className={`status status-${check.status}`}>{t(`host.status.${check.status}`)}</span>
      <div>
        <div className="check-title">{tm(check.msg.title, check.title)}</div>
        <div className="check-detail">{tm(check.msg.detail, check.detail)}</div>
        {check.fix && (
          <div className="check-fix">
            <strong>{t('host.fix')}</strong> <InlineText text={tm(check.msg.fix, check.fix)} />
          </div>
        )}
      </div>
    </li>
  );
}

