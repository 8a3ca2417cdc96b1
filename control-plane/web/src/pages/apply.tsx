/**
 * The project lead's application for a data permit: a new project, or an amendment of an existing
 * one (new period, extra order, project change), which starts from the permit in force. Datasets
 * and variables come from the catalogue; a direct identifier asks for its reason.
 *
 * Forms that speak to people (issue 16): every problem is shown at once, beside its field and in a
 * summary, in the page's language — the browser's checks before sending (`checkDraft`; the form is
 * `noValidate` so the browser's own bubbles, one at a time and in the browser's language, do not
 * stand in for them; the inputs keep `required`, `min`, `max`, `maxLength` for assistive
 * technology) and the server's 400 mapped back to the fields (`serverErrors`), a suggested name a
 * click away. What is typed is kept as a draft per user (`apply-draft.ts`).
 */
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { ExploreAnswer, ProjectDetail } from '../lib/types.ts';
import { LEGAL_BASIS_NAMES, type CaseType } from '../../../src/projects/legal-bases.ts';
import { CatalogPicker } from '../components/catalog-picker.tsx';
import { checkDraft, type FieldErrors, serverErrors } from '../components/apply-checks.ts';
import { bodyOf, clearDraft, type Draft, draftFromPermit, draftKey, emptyDraft, loadDraft, saveDraft } from '../components/apply-draft.ts';
import { ApplyMembers } from '../components/apply-members.tsx';
import { CohortFields } from '../components/explore-cohort.tsx';
import { ExploreResult } from '../components/explore-result.tsx';
import { ErrorSummary, FieldErrorView, invalidProps } from '../components/field-error.tsx';
import { ConsentFields } from '../components/consent-fields.tsx';
import { Page } from '../components/page.tsx';
import { ErrorView } from '../components/status.tsx';

const NEW_CASES = ['one_off', 'rolling'] as const satisfies readonly CaseType[];
const AMEND_CASES = ['new_period', 'extra_order', 'project_change', 'rolling'] as const satisfies readonly CaseType[];

export function ApplyPage() {
  const { t } = useI18n();
  const { me, announce } = useSession();
  const amendFor = new URLSearchParams(location.search).get('amend');
  const leadOf = me.memberships.filter((m) => m.role === 'lead');
  const key = draftKey(me.id, amendFor);
  const [restored, setRestored] = useState(() => loadDraft(key));
  const [draft, setDraft] = useState<Draft>(() => restored?.draft ?? emptyDraft(amendFor ? 'amendment' : 'new', amendFor ?? leadOf[0]?.projectId ?? ''));
  const [permitVersion, setPermitVersion] = useState<number | null>(null);
  const [attempted, setAttempted] = useState(false);
  /** The server's refusal of the draft as it was sent; its errors are shown while the draft is unchanged, in the language of the moment. */
  const [server, setServer] = useState<{ err: unknown; for: Draft } | null>(null);
  const [directs, setDirects] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [counts, setCounts] = useState<ExploreAnswer | null>(null);
  const [countError, setCountError] = useState<unknown>(null);
  const summary = useRef<HTMLDivElement>(null);
  /** The project whose permit the amendment was last filled from (a restored draft counts as filled). */
  const prefilled = useRef<string | null>(restored ? restored.draft.projectId : null);
  /** Counts discarded drafts, so a discarded amendment is filled from the permit again. */
  const [discarded, setDiscarded] = useState(0);

  const update = (patch: Partial<Draft>) =>
    setDraft((d) => {
      const next = { ...d, ...patch };
      saveDraft(key, next);
      return next;
    });

  useEffect(() => {
    const pid = draft.projectId;
    if (draft.kind !== 'amendment' || !pid || prefilled.current === pid) return;
    prefilled.current = pid;
    api<ProjectDetail>('GET', EP.project(pid))
      .then((p) => {
        if (!p.permit) return;
        const permit = p.permit;
        setDraft((d) => (d.kind === 'amendment' && d.projectId === pid ? draftFromPermit(d, permit) : d));
        setPermitVersion(permit.version);
      })
      .catch(() => setPermitVersion(null));
  }, [draft.kind, draft.projectId, discarded]);

  const clientErrors = useMemo(() => (attempted ? checkDraft(draft, t, directs) : {}), [attempted, draft, t, directs]);
  const errors: FieldErrors = { ...clientErrors, ...(server && server.for === draft ? serverErrors(server.err, server.for, t) : {}) };

  const discard = () => {
    clearDraft(key);
    prefilled.current = null;
    setRestored(null);
    setAttempted(false);
    setServer(null);
    setDraft(emptyDraft(amendFor ? 'amendment' : 'new', amendFor ?? leadOf[0]?.projectId ?? ''));
    setDiscarded((n) => n + 1);
    announce(t('checks.draftDiscarded'));
  };

  /** The explorer's protected counts for the cohort being applied for (the same API as the explore page). */
  const showCounts = async () => {
    const body = bodyOf(draft) as { cohort: unknown };
    setCountError(null);
    try {
      setCounts(
        await api<ExploreAnswer>('POST', EP.exploreCount, {
          datasets: Object.keys(draft.selection),
          cohort: body.cohort,
          ...(draft.dataFrom && draft.dataTo ? { period: { from: draft.dataFrom, to: draft.dataTo } } : {}),
        }),
      );
    } catch (err) {
      setCounts(null);
      setCountError(err);
    }
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setAttempted(true);
    setError(null);
    if (Object.keys(checkDraft(draft, t, directs)).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setBusy(true);
    try {
      await api('POST', EP.applications, bodyOf(draft));
      clearDraft(key);
      announce(t('apply.submitted'));
      navigate('/applications');
    } catch (err) {
      if (serverErrors(err, draft, t)) {
        setServer({ err, for: draft });
        requestAnimationFrame(() => summary.current?.focus());
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (
    id: 'title' | 'purpose' | 'controllers' | 'ethicsRef' | 'projectFrom' | 'projectTo' | 'justification' | 'dataFrom' | 'dataTo',
    hint?: string,
  ) => ({
    id,
    name: id,
    value: draft[id],
    onChange: (e: { target: { value: string } }) => update({ [id]: e.target.value }),
    ...invalidProps(id, errors[id], hint),
  });
  // A fix comes with the error it corrects, made for this form's state.
  const onFix = (fix: { apply(d: unknown): unknown }) => update(fix.apply(draft) as Draft);
  const err = (id: string) => <FieldErrorView id={id} error={errors[id]} onFix={onFix} />;

  return (
    <Page title={t('apply.title')}>
      <form onSubmit={submit} className="stack apply-form" noValidate>
        <div className="actions draft-bar">
          <p className="hint" aria-live="polite">
            {restored ? t('checks.draftRestored', { time: new Date(restored.savedAt).toLocaleString() }) : t('checks.draftSaved')}
          </p>
          <button type="button" className="secondary" data-action="discard-draft" onClick={discard}>
            {t('checks.discardDraft')}
          </button>
        </div>
        <ErrorSummary ref={summary} title={t('checks.summary')} errors={errors} />
        <fieldset>
          <legend>{t('apply.kind')}</legend>
          <label className="inline">
            <input type="radio" name="kind" value="new" checked={draft.kind === 'new'} onChange={() => update({ kind: 'new', caseType: 'one_off' })} />{' '}
            {t('apply.kindNew')}
          </label>
          <label className="inline">
            <input
              type="radio"
              name="kind"
              value="amendment"
              checked={draft.kind === 'amendment'}
              onChange={() => update({ kind: 'amendment', caseType: 'new_period', projectId: draft.projectId || leadOf[0]?.projectId || '' })}
              disabled={!leadOf.length}
            />{' '}
            {t('apply.kindAmendment')}
          </label>
        </fieldset>

        {draft.kind === 'new' ? (
          <fieldset className="grid-form">
            <legend>{t('apply.project')}</legend>
            <label htmlFor="title">{t('apply.projectTitle')}</label>
            <input {...field('title')} required minLength={3} maxLength={300} />
            {err('title')}
            <label htmlFor="purpose">{t('apply.purpose')}</label>
            <textarea {...field('purpose')} required minLength={10} maxLength={5000} rows={3} />
            {err('purpose')}
            <label htmlFor="controllers">{t('apply.controllers')}</label>
            <input {...field('controllers', 'controllers-hint')} required maxLength={2000} />
            <p id="controllers-hint" className="hint">
              {t('apply.commaHint')}
            </p>
            {err('controllers')}
            <label htmlFor="legalBasis">{t('apply.legalBasis')}</label>
            <select id="legalBasis" name="legalBasis" required value={draft.legalBasis} onChange={(e) => update({ legalBasis: e.target.value })}>
              {LEGAL_BASIS_NAMES.map((b) => (
                <option key={b} value={b}>
                  {t(`legalBasis.${b}` as MessageKey)}
                </option>
              ))}
            </select>
            {draft.legalBasis === 'consent' ? <ConsentFields text={draft.consentText} version={draft.consentVersion} onChange={(c) => update(c)} /> : null}
            {draft.legalBasis === 'consent' ? (
              <>
                {err('consentText')}
                {err('consentVersion')}
              </>
            ) : null}
            <label htmlFor="ethicsRef">{t('apply.ethicsRef')}</label>
            <input {...field('ethicsRef')} maxLength={100} placeholder="REK 2026/12345" />
            {err('ethicsRef')}
            <label htmlFor="projectFrom">{t('apply.projectFrom')}</label>
            <input {...field('projectFrom')} type="date" required min="1900-01-01" max="2100-12-31" />
            {err('projectFrom')}
            <label htmlFor="projectTo">{t('apply.projectTo')}</label>
            <input {...field('projectTo')} type="date" required min={draft.projectFrom || '1900-01-01'} max="2100-12-31" />
            {err('projectTo')}
          </fieldset>
        ) : (
          <fieldset className="grid-form">
            <legend>{t('apply.amendment')}</legend>
            <label htmlFor="projectId">{t('apply.whichProject')}</label>
            <select id="projectId" name="projectId" value={draft.projectId} onChange={(e) => update({ projectId: e.target.value })} required>
              {leadOf.map((m) => (
                <option key={m.projectId} value={m.projectId}>
                  {m.title}
                </option>
              ))}
            </select>
            {permitVersion !== null ? <p className="hint">{t('checks.fromPermit', { version: permitVersion })}</p> : null}
            <label htmlFor="justification">{t('apply.justification')}</label>
            <textarea {...field('justification')} required minLength={3} maxLength={5000} rows={3} />
            {err('justification')}
          </fieldset>
        )}

        <fieldset className="grid-form">
          <legend>{t('apply.caseAndPeriod')}</legend>
          <label htmlFor="caseType">{t('apply.caseType')}</label>
          <select id="caseType" name="caseType" value={draft.caseType} onChange={(e) => update({ caseType: e.target.value })}>
            {(draft.kind === 'new' ? NEW_CASES : AMEND_CASES).map((c) => (
              <option key={c} value={c}>
                {t(`caseType.${c}` as MessageKey)}
              </option>
            ))}
          </select>
          <label htmlFor="dataFrom">{t('apply.dataFrom')}</label>
          <input {...field('dataFrom')} type="date" required min="1900-01-01" max="2100-12-31" />
          {err('dataFrom')}
          <label htmlFor="dataTo">{t('apply.dataTo')}</label>
          <input {...field('dataTo')} type="date" required min={draft.dataFrom || '1900-01-01'} max="2100-12-31" />
          {err('dataTo')}
        </fieldset>

        <fieldset id="datasets" tabIndex={-1} {...invalidProps('datasets', errors.datasets)}>
          <legend>{t('apply.data')}</legend>
          {err('datasets')}
          <CatalogPicker
            value={draft.selection}
            onChange={(selection) => update({ selection })}
            extras={{
              reasons: draft.reasons,
              onReasons: (dataset, reasons) => update({ reasons: { ...draft.reasons, [dataset]: reasons } }),
              errors,
              onFix,
              onDirect: (dataset, names) => setDirects((d) => (d[dataset]?.join() === names.join() ? d : { ...d, [dataset]: names })),
            }}
          />
          <label className="inline">
            <input
              type="checkbox"
              id="linkage"
              name="linkage"
              checked={draft.linkage}
              onChange={(e) => update({ linkage: e.target.checked })}
              {...invalidProps('linkage', errors.linkage)}
            />{' '}
            {t('apply.linkage')}
          </label>
          {err('linkage')}
        </fieldset>

        <fieldset className="grid-form">
          <legend>{t('apply.cohort')}</legend>
          <CohortFields value={draft.cohort} onChange={(cohort) => update({ cohort })} errors={errors} />
          <button
            type="button"
            disabled={Object.keys(draft.selection).length === 0}
            aria-describedby="explore-hint"
            onClick={() => void showCounts()}
            data-action="apply-explore"
          >
            {t('apply.explore')}
          </button>
          <p id="explore-hint" className="hint">
            {t('apply.exploreHint')}
          </p>
          {countError ? <ErrorView error={countError} /> : null}
          {counts ? <ExploreResult answer={counts} caption={t('apply.explore')} /> : null}
        </fieldset>

        <ApplyMembers members={draft.members} onChange={(members) => update({ members })} error={errors.members} />

        {error ? <ErrorView error={error} /> : null}
        <button type="submit" disabled={busy} data-action="submit-application">
          {t('apply.submit')}
        </button>
      </form>
    </Page>
  );
}
