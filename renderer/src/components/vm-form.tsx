import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Task, VmSpec } from '../../../shared/api';
import { api } from '../api';
import { specErrors, type SpecField } from '../form/vm-spec-errors';
import { useAction, useRequest, useSingleFlight, useTasks } from '../hooks';
import { ErrorBanner } from './error-banner';
import { PathField } from './file-picker';
import { PinningFields } from './pinning-fields';
import { UnattendedFields } from './unattended-fields';
import { TaskProgress } from './task-progress';


/** The spec with an optional field set, or left out (the schema is strict: no `undefined` values sent). */
function withOptional<K extends 'cpuPinning' | 'unattended'>(spec: VmSpec, key: K, value: VmSpec[K]): VmSpec {
  const rest: VmSpec = { ...spec };
  delete rest[key];
  return value === undefined ? rest : { ...rest, [key]: value };
}
/** The folder of a path (`/` for a file at the root). */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** Whether the ISO at `path` exists (null while unknown or when the path is not yet a valid one). */
function useFileExists(path: string, check: boolean): boolean | null {
  const dir = folderOf(path);
  const listing = useRequest(check ? () => api.files.list({ dir, extension: '.iso' }) : null, [check, dir]);
  if (!check || listing.busy) return null;
  if (!listing.value) return listing.error ? false : null;
  return listing.value.entries.some((e) => e.kind === 'file' && e.path === path);
}

/** A labelled input with its error under it (checked as the user types). */
function Field({ label, error, children, id }: { label: string; error: string | undefined; children: ReactNode; id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The form for a new game VM — the wizard's step 5 and the New VM page use
 * this one form: prefilled from the host (`vm.defaults`), every field checked
 * as the user types with the schema `vm.create` uses, a summary to review,
 * then the create task. `onCreated` gets the new VM's name; `nav` draws the
 * buttons (the wizard's Back/Next row, or the page's own).
 */
export function VmForm({ onCreated, nav }: { onCreated: (name: string) => void; nav: (buttons: { back: (() => void) | null; next: () => void; nextLabel: string; disabled: boolean }) => ReactNode }) {
  const { t } = useTranslation();
  const loaded = useRequest(() => api.vm.defaults(), []);
  const defaults = loaded.value;
  // The user's edits; until the first, the suggested spec.
  const [edited, setSpec] = useState<VmSpec | null>(null);
  const spec = edited ?? defaults?.spec ?? null;
  const [review, setReview] = useState(false);
  // The fields the user changed (their errors show at once); all of them after a Review with errors.
  const [touched, setTouched] = useState<ReadonlySet<SpecField> | 'all'>(new Set());
  const creating = useAction();
  // One create at a time, even for a double click before the button is disabled.
  const once = useSingleFlight();
  const error = creating.error ?? loaded.error;
  const [taskId, setTaskId] = useState<string | null>(null);
  const tasks = useTasks();
  const task: Task | null = (taskId && tasks?.tasks.find((x) => x.id === taskId)) || (spec && tasks?.tasks.find((x) => x.kind === 'create' && x.subject === spec.name && x.state === 'running')) || null;
  const windowsExists = useFileExists(spec?.windowsIso ?? '', !!spec?.windowsIso.startsWith('/'));
  const virtioExists = useFileExists(spec?.virtioIso ?? '', !!spec?.virtioIso.startsWith('/'));

  if (!spec || !defaults) return error ? <ErrorBanner error={error} /> : <p role="status">{t('wizard.loading')}</p>;
  const errors = specErrors(t, spec);
  if (!errors.windowsIso && windowsExists === false) errors.windowsIso = t('validation.noFile', { path: spec.windowsIso });
  if (!errors.virtioIso && virtioExists === false) errors.virtioIso = t('validation.noFile', { path: spec.virtioIso });
  const shown = (field: SpecField): string | undefined => (touched === 'all' || touched.has(field) ? errors[field] : undefined);
  const set = (field: SpecField, patch: Partial<VmSpec>): void => {
    setSpec({ ...spec, ...patch });
    if (touched !== 'all' && !touched.has(field)) setTouched(new Set([...touched, field]));
  };
  const dir = folderOf(spec.disk.path);
  const invalid = (field: SpecField): { 'aria-invalid'?: true; 'aria-describedby'?: string } => (shown(field) ? { 'aria-invalid': true, 'aria-describedby': `vm-form-${field}-error` } : {});
  const number = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

  const create = (): Promise<void> =>
    once(async () => {
      const r = await creating.run(() => api.vm.create(spec));
      if (!r.ok) return;
      setTaskId(r.value.id);
      if (r.value.state === 'done') onCreated(spec.name);
    }).then(() => undefined);

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
        {nav({ back: task?.state === 'running' || creating.busy ? null : () => setReview(false), next: () => void create(), nextLabel: t('wizard.create.create'), disabled: creating.busy || task?.state === 'running' })}
      </>
    );
  }
  return (
    <>
      {!defaults.kvmUsable && <p className="banner banner-warn">{t('wizard.create.noKvm')}</p>}
      <div className="edit-form">
        <Field id="vm-form-name" label={t('wizard.create.name')} error={shown('name')}>
          <input id="vm-form-name" value={spec.name} {...invalid('name')} onChange={(e) => set('name', { name: e.target.value, disk: { ...spec.disk, path: `${dir}/${e.target.value}.qcow2` } })} />
        </Field>
        <label className="field">
          <span>{t('vm.os')}</span>
          <select value={spec.os} onChange={(e) => setSpec({ ...spec, os: e.target.value as VmSpec['os'] })}>
            <option value="win11">Windows 11</option>
            <option value="win10">Windows 10</option>
          </select>
        </label>
        <Field id="vm-form-vcpus" label={t('wizard.create.vcpus', { host: defaults.hostCpus })} error={shown('vcpus')}>
          <input
            id="vm-form-vcpus"
            type="number"
            min={1}
            max={defaults.hostCpus}
            value={Number.isNaN(spec.vcpus) ? '' : spec.vcpus}
            {...invalid('vcpus')}
            onChange={(e) => {
              const vcpus = number(e.target.value);
              set('vcpus', { vcpus, threads: vcpus % spec.threads === 0 ? spec.threads : 1 });
            }}
          />
        </Field>
        <Field id="vm-form-memoryMiB" label={t('wizard.create.memory', { host: Math.floor(defaults.hostMemoryMiB / 1024) })} error={shown('memoryMiB')}>
          <input id="vm-form-memoryMiB" type="number" min={128} step={256} value={Number.isNaN(spec.memoryMiB) ? '' : spec.memoryMiB} {...invalid('memoryMiB')} onChange={(e) => set('memoryMiB', { memoryMiB: number(e.target.value) })} />
        </Field>
        <Field id="vm-form-diskSizeGiB" label={t('wizard.create.diskSize')} error={shown('diskSizeGiB')}>
          <input id="vm-form-diskSizeGiB" type="number" min={1} value={Number.isNaN(spec.disk.sizeGiB) ? '' : spec.disk.sizeGiB} {...invalid('diskSizeGiB')} onChange={(e) => set('diskSizeGiB', { disk: { ...spec.disk, sizeGiB: number(e.target.value) } })} />
        </Field>
        <label className="field">
          <span>{t('lgSettings.resolution')}</span>
          <select
            value={`${spec.resolution.width}x${spec.resolution.height}`}
            onChange={(e) => {
              const [width, height] = e.target.value.split('x').map(Number) as [number, number];
              setSpec({ ...spec, resolution: { width, height } });
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
          onChange={(folder) => set('diskPath', { disk: { ...spec.disk, path: `${folder.replace(/\/$/, '')}/${spec.name}.qcow2` } })}
          hint={defaults.diskFreeGiB !== null ? t('wizard.create.free', { size: defaults.diskFreeGiB }) : undefined}
          error={shown('diskPath')}
        />
        <PathField label={t('wizard.create.windowsIso')} value={spec.windowsIso} extension=".iso" onChange={(p) => set('windowsIso', { windowsIso: p })} hint={t('wizard.create.windowsHint')} error={shown('windowsIso')} />
        <PathField label={t('wizard.create.virtioIso')} value={spec.virtioIso} extension=".iso" onChange={(p) => set('virtioIso', { virtioIso: p })} hint={t('wizard.create.virtioHint')} error={shown('virtioIso')} />
      </div>
      <PinningFields vcpus={spec.vcpus} value={spec.cpuPinning} onChange={(cpuPinning) => setSpec(withOptional(spec, 'cpuPinning', cpuPinning))} />
      <UnattendedFields value={spec.unattended} locale={defaults.locale} onChange={(unattended) => setSpec(withOptional(spec, 'unattended', unattended))} />
      {error && <ErrorBanner error={error} />}
      {nav({
        back: null,
        next: () => {
          if (Object.keys(errors).length > 0 || spec.unattended?.user === '') setTouched('all');
          else setReview(true);
        },
        nextLabel: t('wizard.create.review'),
        disabled: false,
      })}
    </>
  );
}
