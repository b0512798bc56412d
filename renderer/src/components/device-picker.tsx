import { useTranslation } from 'react-i18next';
import type { HostCheck } from '../../../shared/api';
import { deviceName, resolveChoice, usbControllers, type DeviceChoice } from '../form/device-choice';
import { useMsg } from '../i18n/msg';

export { choiceEdits, deviceName, NO_DEVICES, resolveChoice, type DeviceChoice } from '../form/device-choice';

/**
 * Pick, don't type: the graphics card, what shares its IOMMU group (an
 * explicit, explained tick), USB controllers and USB devices, all from the
 * host check, by name; the PCI addresses are there, small, for experts.
 * `attached` marks what the VM already has.
 */
export function DevicePicker({ check, choice, onChange, attached = [], gpuChoice = true }: { check: HostCheck; choice: DeviceChoice; onChange: (choice: DeviceChoice) => void; attached?: string[]; gpuChoice?: boolean }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const byAddress = new Map(check.devices.map((d) => [d.address, d]));
  const gpu = check.gpus.find((g) => g.address === choice.gpu) ?? null;
  const own = new Set(gpu ? gpu.passWith.filter((a) => !gpu.sharesWith.includes(a)) : []);
  const { companions, blocked } = resolveChoice(check, choice);
  const controllers = usbControllers(check, own);
  const passedControllers = new Set(choice.controllers);
  // Every USB device once (by id), with the controller it is plugged into.
  const usbDevices = [...new Map(check.devices.flatMap((d) => d.usb.map((u) => [`${u.vendorId}:${u.productId}`, { ...u, controller: d.address }] as const))).values()];
  const already = (address: string): string => (attached.includes(address) ? ` ${t('devices.already')}` : '');
  const set = (patch: Partial<DeviceChoice>): void => onChange({ ...choice, ...patch });
  const toggle = (list: string[], item: string, on: boolean): string[] => (on ? [...new Set([...list, item])] : list.filter((x) => x !== item));

  return (
    <div className="device-picker">
      {gpuChoice && (
        <fieldset className="pick-list">
          <legend>{t('devices.gpu')}</legend>
          <label className="pick-option">
            <input type="radio" name="pick-gpu" checked={choice.gpu === null} onChange={() => set({ gpu: null })} />
            <span>{t('devices.noGpu')}</span>
          </label>
          {check.gpus.map((g) => {
            const usable = g.verdict !== 'boot-gpu' && g.verdict !== 'no-iommu';
            return (
              <label key={g.address} className={`pick-option ${usable ? '' : 'disabled'}`}>
                <input type="radio" name="pick-gpu" checked={choice.gpu === g.address} disabled={!usable} onChange={() => set({ gpu: g.address })} />
                <span>
                  <strong>{g.name}</strong> <span className="address">{g.address}</span>
                  {already(g.address)}
                  <span className="pick-detail">
                    <span className={`verdict verdict-${g.verdict}`}>{t(`host.verdict.${g.verdict}`)}</span> — {tm(g.sentenceMsg, g.sentence)}
                  </span>
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {!gpuChoice && gpu && (
        <p>
          {t('devices.theCard')} <strong>{gpu.name}</strong> <span className="address">{gpu.address}</span>
        </p>
      )}
      {gpu && own.size > 1 && (
        <p className="muted">
          {t('devices.functions', {
            devices: [...own]
              .filter((a) => a !== gpu.address)
              .map((a) => deviceName(byAddress.get(a), a))
              .join(', '),
          })}
        </p>
      )}
      {companions.length > 0 && (
        <div className={`group-accept ${blocked ? 'banner banner-warn' : 'accepted'}`}>
          <p id="group-why">{t('devices.groupWhy', { count: companions.length })}</p>
          <ul className="plain">
            {companions.map((d) => (
              <li key={d.address}>
                {deviceName(d, d.address)} <span className="address">{d.address}</span> <span className="muted">({t('host.group', { id: d.iommuGroup })})</span>
              </li>
            ))}
          </ul>
          <label className="check-field">
            <input type="checkbox" checked={!blocked} aria-describedby="group-why" onChange={(e) => set({ accepted: e.target.checked ? companions.map((d) => d.address) : [] })} /> {t('devices.wholeGroup', { count: companions.length })}
          </label>
        </div>
      )}
      <fieldset className="pick-list">
        <legend>{t('devices.controllers')}</legend>
        <p className="muted">{t('devices.controllersWhy')}</p>
        {controllers.length === 0 && <p className="muted">{t('devices.noControllers')}</p>}
        {controllers.map((c) => (
          <label key={c.address} className="pick-option">
            <input type="checkbox" checked={passedControllers.has(c.address)} onChange={(e) => set({ controllers: toggle(choice.controllers, c.address, e.target.checked) })} />
            <span>
              <strong>{deviceName(c, c.address)}</strong> <span className="address">{c.address}</span>
              {already(c.address)}
              <span className="pick-detail">{c.usb.length > 0 ? t('devices.plugged', { devices: c.usb.map((u) => u.name ?? `${u.vendorId}:${u.productId}`).join(', ') }) : t('devices.empty')}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="pick-list">
        <legend>{t('devices.usb')}</legend>
        <p className="muted">{t('devices.usbWhy')}</p>
        {usbDevices.length === 0 && <p className="muted">{t('devices.noUsb')}</p>}
        {usbDevices.map((u) => {
          const id = `${u.vendorId}:${u.productId}`;
          const viaController = passedControllers.has(u.controller);
          return (
            <label key={id} className={`pick-option ${viaController ? 'disabled' : ''}`}>
              <input type="checkbox" disabled={viaController} checked={viaController || choice.usb.includes(id)} onChange={(e) => set({ usb: toggle(choice.usb, id, e.target.checked) })} />
              <span>
                <strong>{u.name ?? t('devices.unnamedUsb')}</strong> <span className="address">{id}</span>
                {viaController && <span className="pick-detail">{t('devices.withController')}</span>}
              </span>
            </label>
          );
        })}
      </fieldset>
    </div>
  );
}
