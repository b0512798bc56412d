import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import type { DiagnoseResult, EditPreview, Evidence, Finding, PlanView } from '../../../shared/api';
import { api } from '../api';
import { EditPreviewPanel } from '../components/edit-preview';
import { InlineText } from '../components/inline-text';
import { PlanPreview } from '../components/plan-preview';
import { ErrorBanner } from '../components/error-banner';
import { useAction, useAppInfo, useDomains, useRequest } from '../hooks';
import { useKnownText } from '../i18n/knowledge';

function EvidenceLine({ e }: { e: Evidence }) {
  return (
    <li className="evidence">
      <span className="muted mono">
        {e.label}:{e.line}
      </span>{' '}
      <code>
        {e.text.slice(0, e.match[0])}
        <mark>{e.text.slice(e.match[0], e.match[1])}</mark>
        {e.text.slice(e.match[1])}
      </code>
    </li>
  );
}

function FindingCard({ finding, vm, user }: { finding: Finding; vm: string; user: string }) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState<EditPreview | null>(null);
  const [hostPlan, setHostPlan] = useState<PlanView | null>(null);
  const { run, error } = useAction();
  const [done, setDone] = useState(false);
  const text = useKnownText()(finding);
  const fix = finding.oneClick;
  const previewFix = async (): Promise<void> => {
    if (fix?.kind !== 'edit') return;
    const result = await run(() => api.vm.previewEdits({ name: vm, edits: fix.edits }));
    if (result.ok) setPreview(result.value);
  };
  const planHostFix = async (): Promise<void> => {
    if (fix?.kind !== 'host') return;
    const s = fix.setup;
    const result = await run(() =>
      api.setup.plan({
        gpu: [],
        lookingGlass: s.lookingGlass ?? null,
        user,
        ...(s.ignoreMsrs ? { ignoreMsrs: true } : {}),
        ...(s.allowUnsafeInterrupts ? { allowUnsafeInterrupts: true } : {}),
      }),
    );
    if (result.ok) setHostPlan(result.value);
  };
  const apply = async (): Promise<void> => {
    if (fix?.kind !== 'edit') return;
    const result = await run(() => api.vm.applyEdits({ name: vm, edits: fix.edits }));
    if (!result.ok) return;
    setDone(true);
    setPreview(null);
  };
  return (
    <article className="finding" aria-label={text.title}>
      <h3>{text.title}</h3>
      {finding.evidence.length > 0 && (
        <ul className="evidence-list" aria-label={t('troubleshoot.evidence')}>
          {finding.evidence.slice(0, 6).map((e, i) => (
            <EvidenceLine key={i} e={e} />
          ))}
        </ul>
      )}
      <p>
        <InlineText text={text.explanation} />
      </p>
      <ol className="fix-steps">
        {text.fix.map((step, i) => (
          <li key={i}>
            <InlineText text={step} />
          </li>
        ))}
      </ol>
      {fix?.kind === 'edit' && (
        <div className="one-click">
          {vm ? (
            <button type="button" onClick={() => void previewFix()}>
              {t('troubleshoot.previewFix', { label: text.label(fix.label) })}
            </button>
          ) : (
            <p className="muted">{t('troubleshoot.chooseVm', { label: text.label(fix.label) })}</p>
          )}
        </div>
      )}
      {fix?.kind === 'host' && (
        <div className="one-click">
          <p>{t('troubleshoot.hostFix', { label: text.label(fix.label) })}</p>
          <button type="button" onClick={() => void planHostFix()}>
            {t('troubleshoot.previewHostFix', { label: text.label(fix.label) })}
          </button>
          {hostPlan && <PlanPreview key={hostPlan.id} plan={hostPlan} />}
        </div>
      )}
      {error && <ErrorBanner error={error} vm={vm} />}
      {preview && <EditPreviewPanel preview={preview} busy={false} onApply={() => void apply()} onCancel={() => setPreview(null)} />}
      {done && <p role="status">{t('vm.applied')}</p>}
    </article>
  );
}

/** Known problems by the user's words; a paste box and a VM's own logs, diagnosed. */
export function TroubleshootPage() {
  const { t } = useTranslation();
  const knownText = useKnownText();
  const location = useLocation();
  // From an error banner (location state) or the tray (?vm=NAME).
  const fromQuery = new URLSearchParams(location.search).get('vm');
  const incoming = (location.state ?? (fromQuery ? { name: fromQuery } : {})) as { text?: string; name?: string | null };
  const snapshot = useDomains();
  const { info } = useAppInfo();
  const [query, setQuery] = useState('');
  const search = useRequest(() => api.diagnose.search({ query }), [query]).value;
  const known = search?.problems ?? [];
  const nothingFound = search ? !search.found : false;
  const [text, setText] = useState(incoming.text ?? '');
  const [vm, setVm] = useState(incoming.name ?? '');
  const [result, setResult] = useState<DiagnoseResult | null>(null);
  const { run, busy, error } = useAction();

  const diagnose = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    const texts = text.trim() ? [{ source: 'pasted' as const, label: t('troubleshoot.pastedLabel'), text }] : [];
    const r = await run(() => api.diagnose.run(vm ? { name: vm, texts } : { texts }));
    if (r.ok) setResult(r.value);
  };

  return (
    <section aria-labelledby="troubleshoot-title">
      <h1 id="troubleshoot-title">{t('troubleshoot.title')}</h1>

      <form className="diagnose-form" onSubmit={(e) => void diagnose(e)}>
        <label className="field">
          <span>{t('troubleshoot.vm')}</span>
          <select value={vm} onChange={(e) => setVm(e.target.value)}>
            <option value="">{t('troubleshoot.noVm')}</option>
            {(snapshot?.domains ?? []).map((d) => (
              <option key={d.uuid} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-wide">
          <span>{t('troubleshoot.paste')}</span>
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={6} spellCheck={false} />
        </label>
        <div>
          <button type="submit" disabled={busy || (!vm && !text.trim())}>
            {busy ? t('troubleshoot.diagnosing') : t('troubleshoot.diagnose')}
          </button>
        </div>
      </form>
      {error && <ErrorBanner error={error} />}
      {result && (
        <section aria-label={t('troubleshoot.results')}>
          <h2>{t('troubleshoot.results')}</h2>
          {result.findings.length === 0 && <p role="status">{t('troubleshoot.nothing')}</p>}
          {result.findings.map((f) => (
            <FindingCard key={f.id} finding={f} vm={vm} user={info?.user ?? ''} />
          ))}
          {result.collected.some((c) => c.status === 'unavailable') && (
            <div className="banner banner-warn">
              <p>{t('troubleshoot.notRead')}</p>
              <ul>
                {result.collected
                  .filter((c) => c.status === 'unavailable')
                  .map((c, i) => (
                    <li key={i}>{c.note}</li>
                  ))}
              </ul>
            </div>
          )}
        </section>
      )}

      <h2>{t('troubleshoot.known')}</h2>
      <label className="field field-wide">
        <span>{t('troubleshoot.search')}</span>
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('troubleshoot.searchPlaceholder')} />
      </label>
      {nothingFound && <p role="status">{t('troubleshoot.searchNothing', { query: query.trim() })}</p>}
      <ul className="known" aria-label={t('troubleshoot.known')}>
        {known.map((k) => (
          <li key={k.id}>
            <details>
              <summary>{knownText(k).title}</summary>
              <p>
                <InlineText text={knownText(k).explanation} />
              </p>
              <ol className="fix-steps">
                {knownText(k).fix.map((step, i) => (
                  <li key={i}>
                    <InlineText text={step} />
                  </li>
                ))}
              </ol>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
