import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientLaunch, EditRequest, Monitor, VmDetails } from '../../../shared/api';
import { lookingGlassMiBFor, rulesFor } from '../../../shared/lg-release';
import { LgGuestSide } from './lg-client';
import { api } from '../api';
import { useErrorText, useMsg } from '../i18n/msg';

const PRESETS = ['1920x1080', '1920x1200', '2560x1080', '2560x1440', '3440x1440', '3840x2160'];
const KEYS = ['KEY_SCROLLLOCK', 'KEY_RIGHTCTRL', 'KEY_RIGHTALT', 'KEY_PAUSE', 'KEY_INSERT', 'KEY_F12'];
const SIZES = [16, 32, 64, 128, 256, 512];

/**
 * A VM's Looking Glass settings (kept in its domain) and its memory, with the
 * minimum the resolution needs computed as you choose; the client and memory
 * checks and the exact command underneath.
 */
export function LookingGlassSettings({ details, onPreview, busy, round }: { details: VmDetails; onPreview: (edits: EditRequest) => void; busy: boolean; round: number }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const errorText = useErrorText();
  const name = details.summary.name;
  const [launch, setLaunch] = useState<ClientLaunch | null>(null);
  const [monitors, setMonitors] = useState<Monitor[]>([]);
  const current = details.resolution ?? launch?.settings.resolution ?? { width: 1920, height: 1080 };
  const [resolution, setResolution] = useState(`${current.width}x${current.height}`);
  const [fullScreen, setFullScreen] = useState(details.lookingGlassSettings.fullScreen);
  const [escapeKey, setEscapeKey] = useState(details.lookingGlassSettings.escapeKey);
  const [hdr, setHdr] = useState(details.lookingGlassSettings.hdr);
  const [mode, setMode] = useState<'shmem' | 'kvmfr'>(details.lookingGlass?.mode ?? 'shmem');
  // 0: not chosen yet, the minimum for the resolution is offered.
  const [size, setSize] = useState(details.lookingGlass?.sizeMiB ?? 0);

  useEffect(() => {
    let live = true;
    void Promise.all([api.lg.launchInfo({ name }), api.monitors.list()]).then(([l, m]) => {
      if (!live) return;
      if (l.ok) {
        setLaunch(l.value);
        if (!details.resolution) setResolution(`${l.value.settings.resolution.width}x${l.value.settings.resolution.height}`);
      }
      if (m.ok) setMonitors(m.value);
    });
    return () => {
      live = false;
    };
  }, [name, round, details.resolution]);

  const [width, height] = resolution.split('x').map(Number) as [number, number];
  // The client's release decides the formula (B7's until the client is known).
  const rules = launch?.client.rules ?? rulesFor(null);
  const lookingGlassMiB = (w: number, h: number, withHdr: boolean): number => lookingGlassMiBFor(rules, w, h, withHdr);
  const needed = lookingGlassMiB(width, height, hdr);
  const sizeChoice = size || needed;
  const choices = [...new Set([...monitors.map((m) => `${m.width}x${m.height}`), ...PRESETS, resolution])];

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const edits: EditRequest = { lookingGlass: { resolution: { width, height }, fullScreen, escapeKey, hdr } };
    if (!details.lookingGlass || details.lookingGlass.mode !== mode || details.lookingGlass.sizeMiB !== sizeChoice) edits[mode === 'kvmfr' ? 'kvmfrMiB' : 'shmemMiB'] = sizeChoice;
    onPreview(edits);
  };

  return (
    <>
      <form className="edit-form" onSubmit={submit} aria-labelledby="lg-settings-title">
        <label className="field">
          <span>{t('lgSettings.resolution')}</span>
          <select
            value={resolution}
            onChange={(e) => {
              setResolution(e.target.value);
              const [w, h] = e.target.value.split('x').map(Number) as [number, number];
              setSize((s) => Math.max(s, lookingGlassMiB(w, h, hdr)));
            }}
          >
            {choices.map((c) => {
              const monitor = monitors.find((m) => `${m.width}x${m.height}` === c);
              return (
                <option key={c} value={c}>
                  {c.replace('x', '×')}
                  {monitor ? ` — ${t('lgSettings.monitor', { name: monitor.name })}` : ''}
                </option>
              );
            })}
          </select>
        </label>
        <label className="field">
          <span>{t('lgSettings.escapeKey')}</span>
          <select value={escapeKey} onChange={(e) => setEscapeKey(e.target.value)}>
            {[...new Set([escapeKey, ...KEYS])].map((k) => (
              <option key={k} value={k}>
                {t(`lgSettings.keys.${k}`, { defaultValue: k })}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('vm.lgMode')}</span>
          <select value={mode} onChange={(e) => setMode(e.target.value as 'shmem' | 'kvmfr')}>
            <option value="shmem">{t('vm.modeShmem')}</option>
            <option value="kvmfr">{t('vm.modeKvmfr')}</option>
          </select>
        </label>
        <div className="field">
          <label htmlFor="lg-size">{t('lgSettings.size')}</label>
          <select id="lg-size" value={sizeChoice} onChange={(e) => setSize(Number(e.target.value))} aria-describedby="lg-needed">
            {SIZES.map((s) => (
              <option key={s} value={s}>
                {t('vm.mib', { count: s })}
                {s < needed ? ` (${t('lgSettings.tooSmall')})` : ''}
              </option>
            ))}
          </select>
          <span id="lg-needed" className={sizeChoice < needed ? 'field-error' : 'muted'}>
            {t('lgSettings.neededRelease', { size: needed, resolution: resolution.replace('x', '×'), range: hdr ? 'HDR' : 'SDR', release: rules.release })}
          </span>
        </div>
        <label className="check-field">
          <input type="checkbox" checked={fullScreen} onChange={(e) => setFullScreen(e.target.checked)} /> {t('lgSettings.fullScreen')}
        </label>
        <label className="check-field">
          <input
            type="checkbox"
            checked={hdr}
            onChange={(e) => {
              setHdr(e.target.checked);
              setSize((s) => Math.max(s, lookingGlassMiB(width, height, e.target.checked)));
            }}
          /> {t('lgSettings.hdr')}
        </label>
        <div>
          <button type="submit" disabled={busy || sizeChoice < needed}>
            {t('lgSettings.preview')}
          </button>
        </div>
      </form>
      {launch && (
        <div className="lg-checks">
          <h3>{t('lgSettings.checks')}</h3>
          <ul className="plain">
            <li className={launch.client.problem ? 'check-fail' : launch.client.warning ? 'check-warn' : 'check-ok'}>
              {launch.client.problem ? (
                <>
                  {errorText(launch.client.problem).message} <span className="muted">{errorText(launch.client.problem).hint}</span>
                </>
              ) : (
                <>
                  {t('lgSettings.client', { path: launch.client.path, release: launch.client.release ?? '?' })}
                  {launch.client.warning && <span className="muted"> {tm(launch.client.warningMsg, launch.client.warning)}</span>}
                </>
              )}
            </li>
            {details.lookingGlass && (
              <li className="muted">
                {t('lgSettings.found', { mode: details.lookingGlass.mode === 'kvmfr' ? 'kvmfr' : 'shmem', device: details.lookingGlass.device, path: details.lookingGlass.path, size: details.lookingGlass.sizeMiB })}
              </li>
            )}
            {launch.memory.problems.length === 0 ? (
              <li className="check-ok">{t('lgSettings.memoryOk', { size: launch.memory.configuredMiB ?? 0 })}</li>
            ) : (
              launch.memory.problems.map((p) => (
                <li key={p.kind + p.message} className="check-fail">
                  {tm(p.msg?.message, p.message)} <span className="muted">{t('host.fix')} {tm(p.msg?.fix, p.fix)}</span>
                </li>
              ))
            )}
          </ul>
          <LgGuestSide client={launch.client} />
          <details>
            <summary>{t('lgSettings.command')}</summary>
            <pre className="mono">{[launch.client.path ?? 'looking-glass-client', ...launch.argv].join(' \\\n  ')}</pre>
            {launch.pending && <p className="muted">{tm(launch.pendingMsg, launch.pending)}</p>}
          </details>
        </div>
      )}
    </>
  );
}
