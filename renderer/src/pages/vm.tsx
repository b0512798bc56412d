import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { historyReason } from '../i18n/history';
import { Link, useNavigate, useParams } from 'react-router';
import type { EditPreview, EditRequest, ErrorInfo } from '../../../shared/api';
import { api } from '../api';
import { EditPreviewPanel } from '../components/edit-preview';
import { ErrorBanner } from '../components/error-banner';
import { StateBadge } from '../components/state-badge';
import { LookingGlassSettings } from '../components/lg-settings';
import { HandoverPanel } from '../components/handover-panel';
import { PlayControls } from '../components/play-controls';
import { useDomains, useLgStatus, useRequest, useTasks } from '../hooks';

interface EditForm {
  attach: string;
  rom: string;
  hide: '' | 'a' | 'b';
  videoNone: boolean;
  removeTablet: boolean;
  memballoonNone: boolean;
  usb: string;
  /** CPU pinning: off, the planner's proposal, or these host CPUs (`8-15,24-31`). */
  pin: boolean;
  pinCpus: string;
  hugepages: '' | 'yes' | 'no';
}

const EMPTY_FORM: EditForm = { attach: '', rom: '', hide: '', videoNone: false, removeTablet: false, memballoonNone: false, usb: '', pin: false, pinCpus: '', hugepages: '' };

/** `8-11,24` -> [8,9,10,11,24]; the server checks the CPUs themselves. */
function cpuList(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const [a, b] = part.split('-').map(Number) as [number, number | undefined];
      return b === undefined || !(b >= a) ? [a] : Array.from({ length: Math.min(b - a + 1, 1024) }, (_, i) => a + i);
    });
}

function toRequest(form: EditForm): EditRequest {
  const list = (text: string): string[] => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const request: EditRequest = {};
  if (list(form.attach).length > 0) request.attachPci = { addresses: list(form.attach), rom: form.rom.trim() || null };
  if (form.hide) request.hideHypervisor = { method: form.hide };
  if (form.videoNone) request.videoNone = true;
  if (form.removeTablet) request.removeTablet = true;
  if (form.memballoonNone) request.memballoonNone = true;
  if (list(form.usb).length > 0) request.usb = list(form.usb);
  if (form.pin) request.cpuPinning = form.pinCpus.trim() ? { cpus: cpuList(form.pinCpus) } : {};
  if (form.hugepages) request.hugepages = form.hugepages === 'yes';
  return request;
}

/** One VM: its state and actions, its hardware, passthrough edits as a reviewed diff, and its history. */
export function VmPage() {
  const { t } = useTranslation();
  const name = decodeURIComponent(useParams()['name'] ?? '');
  const snapshot = useDomains();
  const live = snapshot?.domains.find((d) => d.name === name) ?? null;
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [offerForceOff, setOfferForceOff] = useState(false);
  /** The destructive action waiting for its confirmation, if any. */
  const [confirming, setConfirming] = useState<'forceOff' | 'delete' | null>(null);
  const navigate = useNavigate();
  const [form, setForm] = useState<EditForm>(EMPTY_FORM);
  const [preview, setPreview] = useState<{ view: EditPreview; edits: EditRequest } | null>(null);
  const lg = useLgStatus()?.clients.find((c) => c.vm === name) ?? null;
  const task = useTasks()?.tasks.find((x) => x.subject === name) ?? null;
  // Bumped after every action: the details, the history and the Looking Glass checks are read again.
  const [round, setRound] = useState(0);
  const loaded = useRequest(() => api.vm.details({ name }), [name, round, live?.state]);
  const details = loaded.value;
  const history = useRequest(() => api.vm.history({ name }), [name, round, live?.state]).value ?? [];
  const error = actionError ?? loaded.error;

  const act = async (label: string, work: () => Promise<{ ok: boolean; error?: ErrorInfo }>, done?: () => void): Promise<void> => {
    setBusy(label);
    setError(null);
    setNotice(null);
    const result = await work();
    setBusy(null);
    if (!result.ok && result.error) setError(result.error);
    else done?.();
    setRound((n) => n + 1);
  };

  const shutDown = (): void =>
    void act(t('vm.waitingShutdown'), async () => {
      const result = await api.vm.shutdown({ name, timeoutSeconds: 60 });
      if (result.ok && !result.value.stopped) {
        setOfferForceOff(true);
        setNotice(t('vm.didNotStop', { seconds: 60 }));
      }
      return result;
    });

  const previewEdits = (edits: EditRequest): void =>
    void act(t('vm.previewing'), async () => {
      const result = await api.vm.previewEdits({ name: name, edits: edits });
      if (result.ok) setPreview({ view: result.value, edits });
      return result;
    });
  const onPreview = (event: FormEvent): void => {
    event.preventDefault();
    previewEdits(toRequest(form));
  };

  const running = live ? live.state !== 'shut-off' && live.state !== 'crashed' : false;
  const set = <K extends keyof EditForm>(key: K, value: EditForm[K]): void => setForm((f) => ({ ...f, [key]: value }));

  return (
    <section aria-labelledby="vm-title">
      <p>
        <Link to="/machines">← {t('nav.machines')}</Link>
      </p>
      <div className="page-head">
        <h1 id="vm-title">{name}</h1>
        {live && <StateBadge state={live.state} />}
      </div>
      {details?.handover === 'vm-start' && details.pciDevices[0] && live?.state !== 'running' && <HandoverPanel gpu={details.pciDevices[0].address} />}
      {live && <PlayControls domain={live} lg={lg} task={task} />}
      <div className="actions" role="group" aria-label={t('vm.actions')}>
        <button type="button" disabled={!!busy || running || !live} onClick={() => void act(t('vm.starting'), () => api.vm.start({ name }))}>
          {t('vm.start')}
        </button>
        <button type="button" disabled={!!busy || !running} onClick={shutDown}>
          {t('vm.shutDown')}
        </button>
        <button type="button" className={offerForceOff ? 'danger' : ''} disabled={!!busy || !running} aria-expanded={confirming === 'forceOff'} onClick={() => setConfirming('forceOff')}>
          {t('vm.forceOff')}
        </button>
        <button type="button" disabled={!!busy || running || !live} aria-expanded={confirming === 'delete'} onClick={() => setConfirming('delete')}>
          {t('vm.delete')}
        </button>
      </div>
      {confirming && (
        <div className="banner banner-warn" role="alertdialog" aria-labelledby="vm-confirm-text">
          <p id="vm-confirm-text">{t(confirming === 'forceOff' ? 'vm.forceOffConfirm' : 'vm.deleteConfirm', { name })}</p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(null);
                if (confirming === 'forceOff') void act(t('vm.forcingOff'), () => api.vm.forceOff({ name }), () => setOfferForceOff(false));
                else
                  void act(t('vm.deleting'), async () => {
                    const result = await api.vm.undefine({ name });
                    if (result.ok) void navigate('/machines', { state: { notice: t('vm.deleted', { name, disks: result.value.keptDisks.join(', ') || '—' }) } });
                    return result;
                  });
              }}
            >
              {t(confirming === 'forceOff' ? 'vm.forceOffYes' : 'vm.deleteYes', { name })}
            </button>
            <button type="button" onClick={() => setConfirming(null)}>
              {t('vm.cancel')}
            </button>
          </div>
        </div>
      )}
      {busy && (
        <p role="status" className="progress">
          {busy}
        </p>
      )}
      {notice && (
        <p role="status" className="banner banner-warn">
          {notice}
        </p>
      )}
      {error && <ErrorBanner error={error} vm={name} />}

      {details && (
        <>
          <h2>{t('vm.hardware')}</h2>
          <dl className="facts">
            <dt>{t('vm.os')}</dt>
            <dd>{details.os === 'win11' ? 'Windows 11' : details.os === 'win10' ? 'Windows 10' : t('vm.unknown')}</dd>
            <dt>{t('vm.cpu')}</dt>
            <dd>
              {t('vm.vcpus', { count: details.vcpus })}
              {details.topology ? ` (${t('vm.topology', { cores: details.topology.cores, threads: details.topology.threads })})` : ''}
              {details.cpuMode ? `, ${details.cpuMode}` : ''}
            </dd>
            <dt>{t('vm.memory')}</dt>
            <dd>{t('vm.mib', { count: details.memoryMiB })}</dd>
            <dt>{t('vm.firmware')}</dt>
            <dd>
              {details.firmware ?? t('vm.bios')}
              {details.tpm ? ` + TPM 2.0` : ''}
            </dd>
            <dt>{t('vm.disks')}</dt>
            <dd>
              <ul className="plain">
                {details.disks.map((d, i) => (
                  <li key={i}>
                    {d.device} <span className="mono">{d.source ?? '—'}</span> {d.bus ? `(${d.bus})` : ''}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>{t('vm.passed')}</dt>
            <dd>{details.pciDevices.length === 0 && details.usbDevices.length === 0 ? t('vm.none') : [...details.pciDevices.map((p) => p.address + (p.rom ? ` (ROM ${p.rom})` : '')), ...details.usbDevices.map((u) => `USB ${u}`)].join(', ')}</dd>
            <dt>{t('vm.lookingGlass')}</dt>
            <dd>{details.lookingGlass ? t('vm.lgMemory', { size: details.lookingGlass.sizeMiB, mode: details.lookingGlass.mode }) : t('vm.none')}</dd>
            <dt>{t('vm.display')}</dt>
            <dd>
              {details.video.join(', ') || t('vm.none')}
              {details.tablet ? `, ${t('vm.tablet')}` : ''}
              {details.hypervisorHidden ? `, ${t('vm.hidden')}` : ''}
            </dd>
          </dl>

          <h2 id="lg-settings-title">{t('lgSettings.title')}</h2>
          <LookingGlassSettings details={details} onPreview={previewEdits} busy={!!busy} round={round} />

          <h2>{t('vm.edits')}</h2>
          <form className="edit-form" onSubmit={onPreview}>
            <label className="field">
              <span>{t('vm.attach')}</span>
              <input value={form.attach} onChange={(e) => set('attach', e.target.value)} placeholder="0000:01:00.0, 0000:01:00.1" />
            </label>
            <label className="field">
              <span>{t('vm.rom')}</span>
              <input value={form.rom} onChange={(e) => set('rom', e.target.value)} placeholder="/var/lib/vitrine/roms/gpu.rom" />
            </label>
            <label className="field">
              <span>{t('vm.hide')}</span>
              <select value={form.hide} onChange={(e) => set('hide', e.target.value as EditForm['hide'])}>
                <option value="">{t('vm.noChange')}</option>
                <option value="a">{t('vm.hideA')}</option>
                <option value="b">{t('vm.hideB')}</option>
              </select>
            </label>
            <label className="field">
              <span>{t('vm.usb')}</span>
              <input value={form.usb} onChange={(e) => set('usb', e.target.value)} placeholder="046d:c52b" />
            </label>
            <label className="check-field">
              <input type="checkbox" checked={form.videoNone} onChange={(e) => set('videoNone', e.target.checked)} /> {t('vm.videoNone')}
            </label>
            <label className="check-field">
              <input type="checkbox" checked={form.removeTablet} onChange={(e) => set('removeTablet', e.target.checked)} /> {t('vm.removeTablet')}
            </label>
            <label className="check-field">
              <input type="checkbox" checked={form.memballoonNone} onChange={(e) => set('memballoonNone', e.target.checked)} /> {t('vm.memballoonNone')}
            </label>
            <label className="check-field">
              <input type="checkbox" checked={form.pin} onChange={(e) => set('pin', e.target.checked)} /> {t('pinning.enable')}
            </label>
            {form.pin && (
              <label className="field">
                <span>{t('vm.pinCpus')}</span>
                <input className="mono" value={form.pinCpus} onChange={(e) => set('pinCpus', e.target.value)} placeholder="8-15,24-31" />
              </label>
            )}
            <label className="field">
              <span>{t('vm.hugepages')}</span>
              <select value={form.hugepages} onChange={(e) => set('hugepages', e.target.value as EditForm['hugepages'])}>
                <option value="">{t('vm.noChange')}</option>
                <option value="yes">{t('vm.hugepagesOn')}</option>
                <option value="no">{t('vm.hugepagesOff')}</option>
              </select>
            </label>
            <div>
              <button type="submit" disabled={!!busy}>
                {t('vm.preview')}
              </button>
            </div>
          </form>

          {preview && (
            <EditPreviewPanel
              preview={preview.view}
              busy={!!busy}
              onApply={() =>
                void act(t('vm.applying'), () => api.vm.applyEdits({ name: name, edits: preview.edits }), () => {
                  setPreview(null);
                  setForm(EMPTY_FORM);
                  setNotice(t('vm.applied'));
                })
              }
              onCancel={() => setPreview(null)}
            />
          )}

          <h2>{t('vm.history')}</h2>
          {history.length === 0 ? (
            <p className="muted">{t('vm.noHistory')}</p>
          ) : (
            <ul className="history" aria-label={t('vm.history')}>
              {history.map((h) => (
                <li key={h.id}>
                  <span>{new Date(h.savedAt).toLocaleString()}</span> <span className="muted">{t('vm.replacedBy', { reason: historyReason(t, h.reason) })}</span>{' '}
                  <button type="button" disabled={!!busy} onClick={() => void act(t('vm.restoring'), () => api.vm.restore({ name: name, id: h.id }), () => setNotice(t('vm.restored')))}>
                    {t('vm.restore')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
