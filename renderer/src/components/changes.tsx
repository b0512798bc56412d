import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChangeSet, UndoView } from '../../../shared/api';
import { api } from '../api';
import { useAction, useRequest } from '../hooks';
import { CommandList } from './command-list';
import { DiffView } from './diff-view';
import { ErrorBanner } from './error-banner';
import { useMsg } from '../i18n/msg';

/** What an undo does, as the user reviews it before confirming: files back, boot commands, reboot. */
function UndoPreview({ plan, busy, onConfirm, onCancel }: { plan: UndoView; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const tm = useMsg();
  return (
    <div className="plan" role="region" aria-label={t('changes.reviewTitle')}>
      <h3>{t('changes.reviewTitle')}</h3>
      <p>{t('changes.reviewIntro')}</p>
      {plan.steps.map((step, i) =>
        step.kind === 'write' ? (
          <div key={i}>
            <p className="muted">{step.toSha256 === null ? t('changes.removeFile', { path: step.path }) : t('changes.restoreFile', { path: step.path })}</p>
            {plan.diffs[step.path] ? <DiffView diff={plan.diffs[step.path]!} label={t('prepare.fileDiff', { path: step.path })} /> : <p className="muted">{t('changes.noBytes')}</p>}
          </div>
        ) : null,
      )}
      <CommandList steps={plan.steps} />
      {plan.warnings.map((w, i) => (
        <p key={i} className="banner banner-warn">
          {tm(plan.warningMsgs?.[i], w)}
        </p>
      ))}
      {plan.rebootRequired && <p>{t('changes.rebootAfter')}</p>}
      {plan.prompt && plan.prompt.kind !== 'unavailable' && <p className="muted">{t(`prepare.prompt.${plan.prompt.kind}`, { program: plan.prompt.program })}</p>}
      {plan.prompt?.kind === 'unavailable' && <p className="banner banner-warn">{tm(plan.prompt.reasonMsg, plan.prompt.reason)}</p>}
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {t('changes.confirm')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('changes.cancel')}
        </button>
      </div>
      {busy && (
        <p role="status" className="progress">
          {t('changes.undoing')}
        </p>
      )}
    </div>
  );
}

/** After an undo: the check the next boot makes (GPU back on its own driver, parameters gone). */
function UndoCheck({ undo }: { undo: NonNullable<ChangeSet['undo']> }) {
  const { t } = useTranslation();
  if (undo.state === 'reboot') return <p className="banner banner-warn">{t('changes.check.reboot')}</p>;
  return (
    <div className={undo.state === 'verified' ? 'banner banner-ok' : 'banner banner-error'} role="status">
      <p>{t(`changes.check.${undo.state}`)}</p>
      {(undo.devices.length > 0 || undo.leftArgs.length > 0) && (
        <ul>
          {undo.devices.map((d) => (
            <li key={d.address}>{d.driver === 'vfio-pci' ? t('changes.check.stillVfio', { address: d.address }) : d.driver ? t('changes.check.ownDriver', { address: d.address, driver: d.driver }) : t('changes.check.noDriver', { address: d.address })}</li>
          ))}
          {undo.leftArgs.length > 0 && <li>{t('changes.check.leftArgs', { args: undo.leftArgs.join(' ') })}</li>}
        </ul>
      )}
    </div>
  );
}

/** A hugepage reservation's check: to come at the next boot, in the pool, or short of it. */
function HugepageStatus({ check }: { check: NonNullable<ChangeSet['hugepages']> }) {
  const { t } = useTranslation();
  const size = t(check.sizeKiB === 2048 ? 'prepare.hugepages.size2M' : 'prepare.hugepages.size1G');
  const tone = check.state === 'verified' ? 'banner-ok' : 'banner-warn';
  return (
    <p className={`banner ${tone}`} role="status">
      {t(`prepare.hugepages.check.${check.state}`, { wanted: check.wanted, total: check.total, size })}
    </p>
  );
}

/** The change sets Vitrine made to the host, newest first, each with Undo (reviewed and confirmed first). */
export function Changes({ round }: { round: number }) {
  const { t } = useTranslation();
  const tm = useMsg();
  const loaded = useRequest(() => api.setup.changes(), [round]);
  const changes = loaded.value ?? [];
  const reviewing = useAction();
  const undoing = useAction();
  const error = undoing.error ?? reviewing.error ?? loaded.error;
  const [review, setReview] = useState<UndoView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const ask = async (id: string): Promise<void> => {
    setNotice(null);
    const r = await reviewing.run(() => api.setup.undoPlan({ id }));
    if (r.ok) setReview(r.value);
  };

  const confirm = async (plan: UndoView): Promise<void> => {
    const r = await undoing.run(() => api.setup.rollback({ id: plan.changeSet, undoId: plan.id }));
    if (r.ok) {
      setReview(null);
      setNotice(plan.rebootRequired ? t('changes.undone') : t('changes.undoneNoReboot'));
    }
    loaded.reload();
  };

  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">{t('changes.title')}</h2>
      {error && <ErrorBanner error={error} />}
      {notice && (
        <p role="status" className="banner banner-ok">
          {notice}
        </p>
      )}
      {changes.length === 0 ? (
        <p className="muted">{t('changes.none')}</p>
      ) : (
        <ul className="history" aria-label={t('changes.title')}>
          {changes.map((c) => (
            <li key={c.id} className="change">
              <div className="change-row">
                <span>{new Date(c.createdAt).toLocaleString()}</span>
                <span className="change-reason">{tm(c.reasonMsg, c.reason)}</span>
                <span className="muted">{t(`changes.state.${c.state}`)}</span>
                {c.state !== 'rolled-back' && c.state !== 'failed' && review?.changeSet !== c.id && (
                  <button type="button" disabled={reviewing.busy || undoing.busy} onClick={() => void ask(c.id)}>
                    {c.state === 'restoring' ? t('changes.finishUndo') : t('changes.undo')}
                  </button>
                )}
              </div>
              {c.undo && <UndoCheck undo={c.undo} />}
              {c.hugepages && <HugepageStatus check={c.hugepages} />}
              {review?.changeSet === c.id && <UndoPreview plan={review} busy={undoing.busy} onConfirm={() => void confirm(review)} onCancel={() => setReview(null)} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
