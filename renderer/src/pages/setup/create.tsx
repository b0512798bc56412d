import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Task, VmSpec, WizardView } from '../../../../shared/api';
import { api } from '../../api';
import { ErrorBanner } from '../../components/error-banner';
import { PathField } from '../../components/file-picker';
import { PinningFields } from '../../components/pinning-fields';
import { UnattendedFields } from '../../components/unattended-fields';
import { TaskProgress } from '../../components/task-progress';
import { useAction, useRequest, useTasks } from '../../hooks';
import { Nav } from './nav';
import type { Back } from './types';

/** The spec with an optional field set, or left out (the schema is strict: no `undefined` values sent). */
function withOptional<K extends 'cpuPinning' | 'unattended'>(spec: VmSpec, key: K, value: VmSpec[K]): VmSpec {
  const rest: VmSpec = { ...spec };
  delete rest[key];
  return value === undefined ? rest : { ...rest, [key]: value };
}

/** Step 5: the VM's settings (prefilled from the host), a summary to review, then the create task. */
export function CreateStep({ wizard, back, onNext }: { wizard: WizardView; back: Back; onNext: (vm: string) => void }) {
  const { t } = useTranslation();
  const loaded = useRequest(() => api.vm.defaults(), []);
  const defaults = loaded.value;
  // The user's edits; until the first, the suggested spec.
  const [edited, setSpec] = useState<VmSpec | null>(null);
  const spec = edited ?? defaults?.spec ?? null;
  const [review, setReview] = useState(false);
  const creating = useAction();
  const error = creating.error ?? loaded.error;
  const [taskId, setTaskId] = useState<string | null>(null);
  const tasks = useTasks();
  const task: Task | null = (taskId && tasks?.tasks.find((x) => x.id === taskId)) || (spec && tasks?.tasks.find((x) => x.kind === 'create' && x.subject === spec.name && x.state === 'running')) || null;

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
    const r = await creating.run(() => api.vm.create(spec));
    if (!r.ok) return;
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
          <dt>{t('pinning.title')}</dt>
          <dd>{spec.cpuPinning ? t('pinning.on') : t('pinning.off')}</dd>
          <dt>{t('unattended.title')}</dt>
          <dd>{spec.unattended ? t('unattended.on', { user: spec.unattended.user }) : t('unattended.off')}</dd>
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
      <PinningFields vcpus={spec.vcpus} value={spec.cpuPinning} onChange={(cpuPinning) => setSpec(withOptional(spec, 'cpuPinning', cpuPinning))} />
      <UnattendedFields value={spec.unattended} locale={defaults.locale} onChange={(unattended) => setSpec(withOptional(spec, 'unattended', unattended))} />
      {error && <ErrorBanner error={error} />}
      <Nav back={back} next={() => setReview(true)} nextLabel={t('wizard.create.review')} disabled={!spec.name || !spec.windowsIso || !spec.virtioIso || spec.unattended?.user === ''} />
    </>
  );
}
