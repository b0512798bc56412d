import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { EditPreview, EditRequest, ErrorInfo, GpuAssessment, HostCheck, Task, VmDefaults, VmDetails, VmSpec, WizardStep, WizardView } from '../../../shared/api';
import { lookingGlassMiB } from '../../../shared/lg-size';
import { api } from '../api';
import { CheckRow } from '../components/check-row';
import { DiffView } from '../components/diff-view';
import { ErrorBanner } from '../components/error-banner';
import { PathField } from '../components/file-picker';
import { PlayControls } from '../components/play-controls';
import { PrepareHost } from '../components/prepare-host';
import { TaskProgress } from '../components/task-progress';
import { useAppInfo, useDomains, useHostCheck, useLgStatus, useTasks } from '../hooks';

const STEPS: WizardStep[] = ['welcome', 'host', 'gpu', 'prepare', 'create', 'install', 'attach', 'play'];
type Patch = Partial<Omit<WizardView, 'rebooted'>>;

/**
 * The first-time setup: eight steps from an unprepared host to Play. Where it
 * is lives on the service side (wizard.json), so it resumes after the reboot
 * host preparation needs, and each step says why it matters.
 */
export function SetupPage() {
  const { t } = useTranslation();
  const [wizard, setWizard] = useState<WizardView | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    void api.wizard.get().then((r) => (r.ok ? setWizard(r.value) : setError(r.error)));
  }, []);

  const save = async (patch: Patch): Promise<void> => {
    const r = await api.wizard.set(patch);
    if (r.ok) setWizard(r.value);
    else setError(r.error);
  };

  if (!wizard) return <section aria-labelledby="setup-title">{error ? <ErrorBanner error={error} /> : <p role="status">{t('wizard.loading')}</p>}</section>;
  const index = STEPS.indexOf(wizard.step);
  const go = (step: WizardStep, patch: Patch = {}): void => void save({ ...patch, step });
  const next = (patch: Patch = {}): void => go(STEPS[Math.min(index + 1, STEPS.length - 1)]!, patch);
  const back = index > 0 ? () => go(STEPS[index - 1]!) : null;

  return (
    <section aria-labelledby="setup-title" className="wizard">
      <h1 id="setup-title">{t('wizard.title')}</h1>
      <nav aria-label={t('wizard.stepsLabel')}>
        <ol className="wizard-steps">
          {STEPS.map((step, i) => (
            <li key={step} className={i < index ? 'step-past' : i === index ? 'step-current' : 'step-future'}>
              {i < index ? (
                <button type="button" className="linkish" onClick={() => go(step)}>
                  {i + 1}. {t(`wizard.${step}.title`)}
                </button>
              ) : (
                <span aria-current={i === index ? 'step' : undefined}>
                  {i + 1}. {t(`wizard.${step}.title`)}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      {error && <ErrorBanner error={error} />}
      <div className="wizard-step" role="region" aria-labelledby="step-title">
        <h2 id="step-title">{t('wizard.stepOf', { n: index + 1, total: STEPS.length, title: t(`wizard.${wizard.step}.title`) })}</h2>
        <p className="why">
          <strong>{t('wizard.why')}</strong> {t(`wizard.${wizard.step}.why`)}
        </p>
        {wizard.step === 'welcome' && <Welcome onNext={() => next()} />}
        {wizard.step === 'host' && <HostStep back={back} onNext={() => next()} />}
        {wizard.step === 'gpu' && <GpuStep wizard={wizard} back={back} onNext={(gpu) => next({ gpu })} />}
        {wizard.step === 'prepare' && <PrepareStep wizard={wizard} back={back} save={save} onNext={() => next()} />}
        {wizard.step === 'create' && <CreateStep wizard={wizard} back={back} onNext={(vm) => next({ vm })} />}
        {wizard.step === 'install' && <InstallStep wizard={wizard} back={back} onNext={() => next()} />}
        {wizard.step === 'attach' && <AttachStep wizard={wizard} back={back} onNext={() => next()} />}
        {wizard.step === 'play' && <PlayStep wizard={wizard} back={back} onFinish={() => save({ done: true })} />}
      </div>
    </section>
  );
}

function Nav({ back, next, nextLabel, disabled = false, children }: { back: (() => void) | null; next?: () => void; nextLabel?: string; disabled?: boolean; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="actions wizard-nav">
      {back && (
        <button type="button" onClick={back}>
          {t('wizard.back')}
        </button>
      )}
      {children}
      {next && (
        <button type="button" className="primary" onClick={next} disabled={disabled}>
          {nextLabel ?? t('wizard.next')}
        </button>
      )}
    </div>
  );
}

function Welcome({ onNext }: { onNext: () => void }) {
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

function HostStep({ back, onNext }: { back: (() => void) | null; onNext: () => void }) {
  const { t } = useTranslation();
  const { check, error, busy, refresh } = useHostCheck();
  const blocking = check?.checks.filter((c) => c.status === 'fail') ?? [];
  return (
    <>
      {busy && <p role="status">{t('host.checking')}</p>}
      {error && <ErrorBanner error={error} />}
      {check && (
        <>
          {blocking.length > 0 ? <p className="banner banner-error">{t('wizard.host.blocking', { count: blocking.length })}</p> : <p className="banner banner-ok">{t('wizard.host.ready')}</p>}
          <ul className="checklist" aria-label={t('host.checklist')}>
            {[...blocking, ...check.checks.filter((c) => c.status !== 'fail')].map((c) => (
              <CheckRow key={c.id} check={c} />
            ))}
          </ul>
        </>
      )}
      <Nav back={back} next={onNext} disabled={!check || blocking.length > 0}>
        <button type="button" onClick={refresh} disabled={busy}>
          {t('host.recheck')}
        </button>
      </Nav>
    </>
  );
}

const SELECTABLE = new Set(['ready', 'passable']);

function GpuStep({ wizard, back, onNext }: { wizard: WizardView; back: (() => void) | null; onNext: (gpu: string) => void }) {
  const { t } = useTranslation();
  const { check, error } = useHostCheck();
  const [picked, setChosen] = useState<string | null>(wizard.gpu);
  // Until the user picks, the first GPU that can be passed.
  const chosen = picked ?? check?.gpus.find((g) => SELECTABLE.has(g.verdict))?.address ?? null;
  const groupOf = (address: string): number | null => check?.devices.find((d) => d.address === address)?.iommuGroup ?? null;
  return (
    <>
      {error && <ErrorBanner error={error} />}
      {!check && !error && <p role="status">{t('host.checking')}</p>}
      {check && check.gpus.length === 0 && <p className="banner banner-warn">{t('host.noGpu')}</p>}
      {check && (
        <fieldset className="gpu-choice">
          <legend>{t('wizard.gpu.choose')}</legend>
          {check.gpus.map((gpu) => {
            const selectable = SELECTABLE.has(gpu.verdict);
            return (
              <label key={gpu.address} className={`gpu-option ${selectable ? '' : 'disabled'}`}>
                <input type="radio" name="gpu" value={gpu.address} checked={chosen === gpu.address} disabled={!selectable} onChange={() => setChosen(gpu.address)} />
                <span>
                  <strong>{gpu.name}</strong> <span className="mono muted">{gpu.address}</span> — <span className={`verdict verdict-${gpu.verdict}`}>{t(`host.verdict.${gpu.verdict}`)}</span>
                  <br />
                  <span className="muted">{gpu.sentence}</span>
                  {selectable && (
                    <>
                      <br />
                      {t('wizard.gpu.goesWith', { group: groupOf(gpu.address) ?? '?', devices: gpu.passWith.map((a) => deviceLabel(check, a)).join('; ') })}
                    </>
                  )}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {check && check.groups.length > 0 && (
        <details>
          <summary>{t('wizard.gpu.groupMap')}</summary>
          <ul className="plain mono">
            {check.groups.map((g) => (
              <li key={g.id}>
                {t('host.group', { id: g.id })}: {g.devices.map((a) => deviceLabel(check, a)).join(' · ')}
              </li>
            ))}
          </ul>
        </details>
      )}
      <Nav back={back} next={() => chosen && onNext(chosen)} disabled={!chosen} />
    </>
  );
}

function deviceLabel(check: HostCheck, address: string): string {
  const d = check.devices.find((x) => x.address === address);
  return d ? `${address} ${d.deviceName ?? d.className ?? `${d.vendorId}:${d.deviceId}`}` : address;
}

function PrepareStep({ wizard, back, save, onNext }: { wizard: WizardView; back: (() => void) | null; save: (patch: Patch) => Promise<void>; onNext: () => void }) {
  const { t } = useTranslation();
  const { info } = useAppInfo();
  const { check, refresh, busy } = useHostCheck();
  const [asked, setAsked] = useState(false);
  const gpu: GpuAssessment | undefined = check?.gpus.find((g) => g.address === wizard.gpu);
  // After "check": bound to vfio-pci is done; the same boot means no restart yet; else it did not take.
  const verified = !asked || busy || !gpu ? 'idle' : gpu.verdict === 'ready' ? 'ok' : wizard.rebooted === false ? 'not-rebooted' : 'not-bound';

  if (!check) return <p role="status">{t('host.checking')}</p>;
  if (!gpu) return <Nav back={back}><p className="banner banner-warn">{t('wizard.prepare.noGpu')}</p></Nav>;
  if (gpu.verdict === 'ready' && !wizard.changeSet) {
    return (
      <>
        <p className="banner banner-ok">{t('wizard.prepare.already', { name: gpu.name })}</p>
        <Nav back={back} next={onNext} />
      </>
    );
  }
  if (!wizard.changeSet) {
    return (
      <>
        <PrepareHost gpu={gpu} user={info?.user ?? ''} onApplied={(backup, lookingGlass) => void save({ changeSet: backup ?? 'applied', lookingGlass })} />
        <Nav back={back} />
      </>
    );
  }
  return (
    <>
      <div className="banner banner-warn" role="status">
        <p>
          <strong>{t('wizard.prepare.restartTitle')}</strong>
        </p>
        <p>{t('wizard.prepare.restart')}</p>
      </div>
      {verified === 'ok' && <p className="banner banner-ok">{t('wizard.prepare.verified', { name: gpu.name })}</p>}
      {verified === 'not-rebooted' && <p className="banner banner-warn">{t('wizard.prepare.notRebooted')}</p>}
      {verified === 'not-bound' && <p className="banner banner-error">{t('wizard.prepare.notBound', { name: gpu.name })}</p>}
      <Nav back={back} next={onNext} disabled={verified !== 'ok'}>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void save({}).then(() => {
              setAsked(true);
              refresh();
            })
          }
        >
          {t('wizard.prepare.verify')}
        </button>
      </Nav>
    </>
  );
}

function CreateStep({ wizard, back, onNext }: { wizard: WizardView; back: (() => void) | null; onNext: (vm: string) => void }) {
  const { t } = useTranslation();
  const [defaults, setDefaults] = useState<VmDefaults | null>(null);
  const [spec, setSpec] = useState<VmSpec | null>(null);
  const [review, setReview] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [taskId, setTaskId] = useState<string | null>(null);
  const tasks = useTasks();
  const task: Task | null = (taskId && tasks?.tasks.find((x) => x.id === taskId)) || (spec && tasks?.tasks.find((x) => x.kind === 'create' && x.subject === spec.name && x.state === 'running')) || null;

  useEffect(() => {
    void api.wizard.vmDefaults().then((r) => {
      if (!r.ok) return setError(r.error);
      setDefaults(r.value);
      setSpec(r.value.spec);
    });
  }, []);

  if (wizard.vm) {
    return (
      <>
        <p className="banner banner-ok">{t('wizard.create.exists', { name: wizard.vm })}</p>
        <Nav back={back} next={() => onNext(wizard.vm!)} />
      </>
    );
  }
  if (!spec || !defaults) return error ? <ErrorBanner error={error} /> : <p role="status">{t('wizard.loading')}</p>;
  const set = (patch: Partial<VmSpec>): void => setSpec({ ...spec, ...patch });
  const dir = spec.disk.path.slice(0, spec.disk.path.lastIndexOf('/')) || '/';

  const create = async (): Promise<void> => {
    setError(null);
    const r = await api.wizard.createVm(spec);
    if (!r.ok) return setError(r.error);
    setTaskId(r.value.id);
    if (r.value.state === 'done') onNext(spec.name);
  };

  if (review) {
    return (
      <>
        <h3>{t('wizard.create.summary')}</h3>
        <dl className="facts" aria-label={t('wizard.create.summary')}>
          <dt>{t('wizard.create.name')}</dt>
          <dd>{spec.name}</dd>
          <dt>{t('vm.os')}</dt>
          <dd>{spec.os === 'win11' ? 'Windows 11 (Secure Boot, TPM 2.0)' : 'Windows 10'}</dd>
          <dt>{t('vm.cpu')}</dt>
          <dd>{t('vm.vcpus', { count: spec.vcpus })}</dd>
          <dt>{t('vm.memory')}</dt>
          <dd>{t('vm.mib', { count: spec.memoryMiB })}</dd>
          <dt>{t('wizard.create.disk')}</dt>
          <dd className="mono">
            {spec.disk.path} ({spec.disk.sizeGiB} GiB)
          </dd>
          <dt>{t('wizard.create.windowsIso')}</dt>
          <dd className="mono">{spec.windowsIso}</dd>
          <dt>{t('wizard.create.virtioIso')}</dt>
          <dd className="mono">{spec.virtioIso}</dd>
          <dt>{t('lgSettings.resolution')}</dt>
          <dd>
            {spec.resolution.width}×{spec.resolution.height}
          </dd>
          <dt>{t('wizard.create.accel')}</dt>
          <dd>{spec.virtType === 'kvm' ? 'KVM' : t('wizard.create.tcg')}</dd>
        </dl>
        {task && <TaskProgress task={task} />}
        {error && <ErrorBanner error={error} />}
        <Nav back={task?.state === 'running' ? null : () => setReview(false)} next={() => void create()} nextLabel={t('wizard.create.create')} disabled={task?.state === 'running'} />
      </>
    );
  }
  return (
    <>
      {!defaults.kvmUsable && <p className="banner banner-warn">{t('wizard.create.noKvm')}</p>}
      <div className="edit-form">
        <label className="field">
          <span>{t('wizard.create.name')}</span>
          <input value={spec.name} onChange={(e) => set({ name: e.target.value, disk: { ...spec.disk, path: `${dir}/${e.target.value}.qcow2` } })} />
        </label>
        <label className="field">
          <span>{t('vm.os')}</span>
          <select value={spec.os} onChange={(e) => set({ os: e.target.value as VmSpec['os'] })}>
            <option value="win11">Windows 11</option>
            <option value="win10">Windows 10</option>
          </select>
        </label>
        <label className="field">
          <span>{t('wizard.create.vcpus', { host: defaults.hostCpus })}</span>
          <input type="number" min={1} max={defaults.hostCpus} value={spec.vcpus} onChange={(e) => set({ vcpus: Number(e.target.value), threads: Number(e.target.value) % spec.threads === 0 ? spec.threads : 1 })} />
        </label>
        <label className="field">
          <span>{t('wizard.create.memory', { host: Math.floor(defaults.hostMemoryMiB / 1024) })}</span>
          <input type="number" min={128} step={256} value={spec.memoryMiB} onChange={(e) => set({ memoryMiB: Number(e.target.value) })} />
        </label>
        <label className="field">
          <span>{t('wizard.create.diskSize')}</span>
          <input type="number" min={1} value={spec.disk.sizeGiB} onChange={(e) => set({ disk: { ...spec.disk, sizeGiB: Number(e.target.value) } })} />
        </label>
        <label className="field">
          <span>{t('lgSettings.resolution')}</span>
          <select
            value={`${spec.resolution.width}x${spec.resolution.height}`}
            onChange={(e) => {
              const [width, height] = e.target.value.split('x').map(Number) as [number, number];
              set({ resolution: { width, height } });
            }}
          >
            {[...new Set([`${defaults.spec.resolution.width}x${defaults.spec.resolution.height}`, '1920x1080', '2560x1440', '3440x1440', '3840x2160'])].map((r) => (
              <option key={r} value={r}>
                {r.replace('x', '×')}
                {r === `${defaults.spec.resolution.width}x${defaults.spec.resolution.height}` ? ` — ${t('wizard.create.yourMonitor')}` : ''}
              </option>
            ))}
          </select>
        </label>
        <PathField
          label={t('wizard.create.diskFolder')}
          value={dir}
          folder
          onChange={(folder) => set({ disk: { ...spec.disk, path: `${folder.replace(/\/$/, '')}/${spec.name}.qcow2` } })}
          hint={defaults.diskFreeGiB !== null ? t('wizard.create.free', { size: defaults.diskFreeGiB }) : undefined}
        />
        <PathField label={t('wizard.create.windowsIso')} value={spec.windowsIso} extension=".iso" onChange={(p) => set({ windowsIso: p })} hint={t('wizard.create.windowsHint')} />
        <PathField label={t('wizard.create.virtioIso')} value={spec.virtioIso} extension=".iso" onChange={(p) => set({ virtioIso: p })} hint={t('wizard.create.virtioHint')} />
      </div>
      {error && <ErrorBanner error={error} />}
      <Nav back={back} next={() => setReview(true)} nextLabel={t('wizard.create.review')} disabled={!spec.name || !spec.windowsIso || !spec.virtioIso} />
    </>
  );
}

function InstallStep({ wizard, back, onNext }: { wizard: WizardView; back: (() => void) | null; onNext: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = wizard.vm ?? '';
  const items = ['boot', 'viostor', 'netkvm', 'tools', 'gpuDriver', 'lgHost', 'ivshmem'] as const;
  const open = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const details = await api.vm.details(name);
    if (details.ok && details.value.summary.state !== 'running') {
      const started = await api.vm.start(name);
      if (!started.ok) {
        setBusy(false);
        return setError(started.error);
      }
    }
    const r = await api.wizard.openConsole(name);
    setBusy(false);
    if (r.ok) setOpened(r.value.viewer);
    else setError(r.error);
  };
  return (
    <>
      <ol className="install-list">
        {items.map((item) => (
          <li key={item}>
            <label className="check-field">
              <input type="checkbox" /> {t(`wizard.install.${item}`)}
            </label>
          </li>
        ))}
      </ol>
      {opened && <p className="banner banner-ok">{t('wizard.install.opened', { viewer: opened })}</p>}
      {error && <ErrorBanner error={error} vm={name} />}
      <Nav back={back} next={onNext}>
        <button type="button" disabled={busy} onClick={() => void open()}>
          {t('wizard.install.console')}
        </button>
      </Nav>
    </>
  );
}

function AttachStep({ wizard, back, onNext }: { wizard: WizardView; back: (() => void) | null; onNext: () => void }) {
  const { t } = useTranslation();
  const { check } = useHostCheck();
  const [details, setDetails] = useState<VmDetails | null>(null);
  const [preview, setPreview] = useState<EditPreview | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [applied, setApplied] = useState(false);
  const name = wizard.vm ?? '';
  const gpu = check?.gpus.find((g) => g.address === wizard.gpu);

  useEffect(() => {
    void api.vm.details(name).then((r) => (r.ok ? setDetails(r.value) : setError(r.error)));
  }, [name]);

  const edits = (): EditRequest | null => {
    if (!gpu || !details) return null;
    const res = details.resolution ?? { width: 1920, height: 1080 };
    const size = Math.max(lookingGlassMiB(res.width, res.height, details.lookingGlassSettings.hdr), wizard.lookingGlass?.sizeMiB ?? 0);
    return {
      attachPci: { addresses: gpu.passWith, rom: null },
      ...(wizard.lookingGlass?.mode === 'kvmfr' ? { kvmfrMiB: size } : { shmemMiB: size }),
      hideHypervisor: { method: 'b' },
      videoNone: true,
      removeTablet: true,
    };
  };

  useEffect(() => {
    const request = edits();
    if (!request) return;
    void api.vm.previewEdits(name, request).then((r) => (r.ok ? setPreview(r.value) : setError(r.error)));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recompute when the inputs arrive
  }, [gpu?.address, details?.summary.uuid]);

  const apply = async (): Promise<void> => {
    const request = edits();
    if (!request) return;
    const r = await api.vm.applyEdits(name, request);
    if (r.ok) setApplied(true);
    else setError(r.error);
  };

  return (
    <>
      <ul>
        <li>{t('wizard.attach.gpu', { devices: gpu?.passWith.join(', ') ?? '…' })}</li>
        <li>{t('wizard.attach.memory')}</li>
        <li>{t('wizard.attach.hide')}</li>
        <li>{t('wizard.attach.display')}</li>
      </ul>
      {details?.summary.state === 'running' && <p className="banner banner-warn">{t('wizard.attach.running')}</p>}
      {preview && (preview.diff ? <DiffView diff={preview.diff} label={t('vm.diff')} /> : <p className="banner banner-ok">{t('wizard.attach.nothing')}</p>)}
      {applied && <p className="banner banner-ok">{t('wizard.attach.applied')}</p>}
      {error && <ErrorBanner error={error} vm={name} />}
      <Nav back={back} next={onNext} disabled={!applied && !!preview?.diff}>
        {preview?.diff && !applied && (
          <button type="button" onClick={() => void apply()}>
            {t('vm.apply')}
          </button>
        )}
      </Nav>
    </>
  );
}

function PlayStep({ wizard, back, onFinish }: { wizard: WizardView; back: (() => void) | null; onFinish: () => Promise<void> }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const domains = useDomains();
  const lg = useLgStatus();
  const tasks = useTasks();
  const domain = domains?.domains.find((d) => d.name === wizard.vm) ?? null;
  return (
    <>
      <p>{t('wizard.play.intro')}</p>
      {domain ? (
        <PlayControls domain={domain} lg={lg?.clients.find((c) => c.vm === domain.name) ?? null} task={tasks?.tasks.find((x) => x.subject === domain.name) ?? null} />
      ) : (
        <p role="status">{t('wizard.loading')}</p>
      )}
      <Nav back={back} next={() => void onFinish().then(() => navigate('/'))} nextLabel={t('wizard.play.finish')} />
    </>
  );
}
