import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { historyReason } from '../i18n/history';
import { Link, useNavigate, useParams } from 'react-router';
import type { EditPreview, EditRequest, ErrorInfo, HostCheck } from '../../../shared/api';
import { STOP_TIMEOUT_SECONDS } from '../../../shared/enums';
import { absolutePath, newVmName } from '../../../shared/schemas';
import { api } from '../api';
import { ConfirmButton } from '../components/confirm';
import { choiceEdits, DevicePicker, NO_DEVICES, resolveChoice, type DeviceChoice } from '../components/device-picker';
import { EditPreviewPanel } from '../components/edit-preview';
import { ErrorBanner } from '../components/error-banner';
import { StateBadge } from '../components/state-badge';
import { LookingGlassSettings } from '../components/lg-settings';
import { HandoverPanel } from '../components/handover-panel';
import { PlayControls, StopCountdown } from '../components/play-controls';
import { issueText } from '../form/vm-spec-errors';
import { useDomains, useHostCheck, useLgStatus, useRequest, useTasks } from '../hooks';

interface EditForm {
  devices: DeviceChoice;
  rom: string;
  hide: '' | 'a' | 'b';
  videoNone: boolean;
  removeTablet: boolean;
  memballoonNone: boolean;
  /** CPU pinning: off, the planner's proposal, or these host CPUs (`8-15,24-31`). */
  pin: boolean;
  pinCpus: string;
  hugepages: '' | 'yes' | 'no';
}

const EMPTY_FORM: EditForm = { devices: NO_DEVICES, rom: '', hide: '', videoNone: false, removeTablet: false, memballoonNone: false, pin: false, pinCpus: '', hugepages: '' };

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

function toRequest(form: EditForm, check: HostCheck | null): EditRequest {
  const request: EditRequest = { ...(check ? choiceEdits(check, form.devices) : {}) };
  if (request.attachPci) request.attachPci = { ...request.attachPci, rom: form.rom.trim() || null };
  if (form.hide) request.hideHypervisor = { method: form.hide };
  if (form.videoNone) request.videoNone = true;
  if (form.removeTablet) request.removeTablet = true;
  if (form.memballoonNone) request.memballoonNone = true;
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
  // The device lists need the host check (a full scan): it starts when the user opens them.
  const [picking, setPicking] = useState(false);
  const { check } = useHostCheck(picking);
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // One action at a time, even for a double click before React disables the buttons.
  const acting = useRef(false);
  const [notice, setNotice] = useState<string | null>(null);
  /** When the ACPI shut down began (the countdown runs from there), and whether it timed out. */
  const [shutdownSince, setShutdownSince] = useState<{ at: number; timedOut: boolean } | null>(null);
  const [deleteDisks, setDeleteDisks] = useState(false);
  const [cloneName, setCloneName] = useState<string | null>(null);
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
    if (acting.current) return;
    acting.current = true;
    setBusy(label);
    setError(null);
    setNotice(null);
    try {
      const result = await work();
      if (!result.ok && result.error) setError(result.error);
      else done?.();
    } finally {
      acting.current = false;
      setBusy(null);
      setRound((n) => n + 1);
    }
  };

  const shutDown = (): void => {
    setShutdownSince({ at: Date.now(), timedOut: false });
    void act(t('vm.waitingShutdown'), async () => {
      const result = await api.vm.shutdown({ name, timeoutSeconds: STOP_TIMEOUT_SECONDS });
      if (result.ok && !result.value.stopped) setShutdownSince((s) => (s ? { ...s, timedOut: true } : s));
      else setShutdownSince(null);
      return result;
    });
  };
  // Force off runs beside a waiting shut down: it is what ends that wait.
  const forceOff = (): void => {
    setError(null);
    void api.vm.forceOff({ name }).then((r) => {
      if (!r.ok) setError(r.error);
      else setShutdownSince(null);
      setRound((n) => n + 1);
    });
  };

  const previewEdits = (edits: EditRequest): void =>
    void act(t('vm.previewing'), async () => {
      const result = await api.vm.previewEdits({ name: name, edits: edits });
      if (result.ok) setPreview({ view: result.value, edits });
      return result;
    });
  const groupBlocked = check ? resolveChoice(check, form.devices).blocked : false;
  // Checked as typed, with the schema the edit goes through.
  const romProblem = (() => {
    if (!form.rom.trim()) return null;
    const parsed = absolutePath.safeParse(form.rom.trim());
    return parsed.success ? null : issueText(t, parsed.error.issues[0]!);
  })();
  const onPreview = (event: FormEvent): void => {
    event.preventDefault();
    if (!groupBlocked && !romProblem) previewEdits(toRequest(form, check));
  };

  const running = live ? live.state !== 'shut-off' && live.state !== 'crashed' : false;
  const set = <K extends keyof EditForm>(key: K, value: EditForm[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const cloneProblem = cloneName === null ? null : (() => {
    const parsed = newVmName.safeParse(cloneName);
    if (!parsed.success) return issueText(t, parsed.error.issues[0]!);
    return snapshot?.domains.some((d) => d.name === cloneName) ? t('vm.cloneExists', { name: cloneName }) : null;
  })();
  const disks = details?.disks.filter((d) => d.device === 'disk' && d.source).map((d) => d.source!) ?? [];

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
        <ConfirmButton className={shutdownSince?.timedOut ? 'danger' : ''} disabled={!running} label={t('vm.forceOff')} question={t('vm.forceOffConfirm', { name })} yes={t('vm.forceOffYes', { name })} onConfirm={forceOff} />
        <button type="button" disabled={!!busy || !live} onClick={() =>
            void act(t('vm.openingConsole'), async () => {
              const result = await api.vm.console({ name });
              if (result.ok) setNotice(t('vm.consoleOpened', { viewer: result.value.viewer }));
              return result;
            })
          }
        >
          {t('vm.console')}
        </button>
        <button type="button" disabled={!!busy || running || !live} aria-expanded={cloneName !== null} onClick={() => setCloneName((c) => (c === null ? `${name}-test` : null))}>
          {t('vm.clone')}
        </button>
        <ConfirmButton
          disabled={!!busy || running || !live}
          label={t('vm.delete')}
          question={t(deleteDisks ? 'vm.deleteConfirmDisks' : 'vm.deleteConfirm', { name, disks: disks.join(', ') || '—' })}
          yes={t('vm.deleteYes', { name })}
          onConfirm={() =>
            void act(t('vm.deleting'), async () => {
              const result = await api.vm.undefine({ name, deleteDisks });
              if (result.ok) {
                const said = [t('vm.deleted', { name })];
                if (result.value.keptDisks.length > 0) said.push(t('vm.deletedKept', { disks: result.value.keptDisks.join(', ') }));
                if (result.value.deletedDisks.length > 0) said.push(t('vm.deletedDisks', { disks: result.value.deletedDisks.join(', ') }));
                void navigate('/machines', { state: { notice: said.join(' ') } });
              }
              return result;
            })
          }
        >
          {disks.length > 0 && (
            <label className="check-field delete-disks">
              <input type="checkbox" checked={deleteDisks} onChange={(e) => setDeleteDisks(e.target.checked)} /> {t('vm.deleteDisksToo', { count: disks.length })}
            </label>
          )}
        </ConfirmButton>
      </div>
      {cloneName !== null && (
        <form
          className="clone-form banner"
          aria-label={t('vm.cloneTitle')}
          onSubmit={(e) => {
            e.preventDefault();
            if (cloneProblem) return;
            void act(t('vm.cloning'), async () => {
              const result = await api.vm.clone({ name, newName: cloneName });
              if (result.ok) {
                setCloneName(null);
                void navigate(`/machines/${encodeURIComponent(result.value.name)}`);
                setNotice(t('vm.cloned', { name: result.value.name, from: name, disks: result.value.disks.join(', ') || '—' }));
              }
              return result;
            });
          }}
        >
          <p>{t('vm.cloneExplain', { name })}</p>
          <div className="field">
            <label htmlFor="clone-name">{t('vm.cloneName')}</label>
            <input id="clone-name" value={cloneName} aria-invalid={cloneProblem ? true : undefined} aria-describedby={cloneProblem ? 'clone-name-error' : undefined} onChange={(e) => setCloneName(e.target.value)} />
            {cloneProblem && (
              <span id="clone-name-error" className="field-error">
                {cloneProblem}
              </span>
            )}
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={!!busy || !!cloneProblem}>
              {t('vm.cloneYes')}
            </button>
            <button type="button" onClick={() => setCloneName(null)}>
              {t('vm.cancel')}
            </button>
          </div>
        </form>
      )}
      {shutdownSince && running && <StopCountdown name={name} since={shutdownSince.at} timedOut={shutdownSince.timedOut} onForceOff={forceOff} busy={false} />}
      {busy && busy !== t('vm.waitingShutdown') && (
        <p role="status" className="progress">
          {busy}
        </p>
      )}
      {notice && (
        <p role="status" className="banner banner-ok">
          {notice}
        </p>
      )}
      {error && <ErrorBanner error={error} vm={name} />}
      {error?.kind === 'hugepages-unavailable' && details && (
        <div className="banner banner-warn" role="status">
          <p>{t('prepare.hugepages.reserveWhy')}</p>
          <Link to={`/host?hugepages=${details.memoryMiB}`}>{t('prepare.hugepages.reserve')}</Link>
        </div>
      )}

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
            {!picking ? (
              <div className="field-wide">
                <button type="button" onClick={() => setPicking(true)}>
                  {t('vm.pickDevices')}
                </button>
              </div>
            ) : check ? (
              <div className="field-wide">
                <DevicePicker check={check} choice={form.devices} onChange={(devices) => set('devices', devices)} attached={details.pciDevices.map((p) => p.address)} />
              </div>
            ) : (
              <p role="status" className="field-wide">
                {t('host.checking')}
              </p>
            )}
            <div className="field">
              <label htmlFor="vm-rom">{t('vm.rom')}</label>
              <input id="vm-rom" value={form.rom} onChange={(e) => set('rom', e.target.value)} placeholder="/var/lib/vitrine/roms/gpu.rom" aria-invalid={romProblem ? true : undefined} aria-describedby={romProblem ? 'vm-rom-error' : undefined} />
              {romProblem && (
                <span id="vm-rom-error" className="field-error">
                  {romProblem}
                </span>
              )}
            </div>
            <label className="field">
              <span>{t('vm.hide')}</span>
              <select value={form.hide} onChange={(e) => set('hide', e.target.value as EditForm['hide'])}>
                <option value="">{t('vm.noChange')}</option>
                <option value="a">{t('vm.hideA')}</option>
                <option value="b">{t('vm.hideB')}</option>
              </select>
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
              <button type="submit" disabled={!!busy || groupBlocked || !!romProblem}>
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
