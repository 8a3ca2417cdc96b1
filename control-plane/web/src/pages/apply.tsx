/**
 * The project lead's application for a data permit: a new project, or an amendment of an
 * existing one (new period, extra order, project change). Datasets and variables come from
 * the catalogue.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { CatalogPicker, type Selection } from '../components/catalog-picker.tsx';
import { Page } from '../components/page.tsx';
import { ErrorView } from '../components/status.tsx';
import { ConsentFields, consentFromForm } from '../components/consent-fields.tsx';
import { LEGAL_BASIS_NAMES, type CaseType } from '../../../src/projects/legal-bases.ts';
import { ExploreResult } from '../components/explore-result.tsx';
import { cohortFrom } from '../components/explore-cohort.tsx';
import type { ExploreAnswer } from '../lib/types.ts';

const NEW_CASES = ['one_off', 'rolling'] as const satisfies readonly CaseType[];
const AMEND_CASES = ['new_period', 'extra_order', 'project_change', 'rolling'] as const satisfies readonly CaseType[];

const csv = (s: FormDataEntryValue | null) =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const int = (s: FormDataEntryValue | null) => (String(s ?? '').trim() ? Number(s) : undefined);

export function ApplyPage() {
  const { t } = useI18n();
  const { me, announce } = useSession();
  const amendFor = new URLSearchParams(location.search).get('amend');
  const leadOf = me.memberships.filter((m) => m.role === 'lead');
  const [kind, setKind] = useState<'new' | 'amendment'>(amendFor ? 'amendment' : 'new');
  const [legalBasis, setLegalBasis] = useState('hforsk-35');
  const [selection, setSelection] = useState<Selection>({});
  const [members, setMembers] = useState<{ userId: string; role: 'researcher' | 'lead' }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [counts, setCounts] = useState<ExploreAnswer | null>(null);
  const [countError, setCountError] = useState<unknown>(null);

  /** The explorer's protected counts for the cohort being applied for (the same API as the explore page). */
  const showCounts = async (form: HTMLFormElement | null) => {
    if (!form) return;
    const f = new FormData(form);
    const from = String(f.get('dataFrom') ?? '');
    const to = String(f.get('dataTo') ?? '');
    setCountError(null);
    try {
      setCounts(
        await api<ExploreAnswer>('POST', EP.exploreCount, {
          datasets: Object.keys(selection),
          cohort: cohortFrom(f),
          ...(from && to ? { period: { from, to } } : {}),
        }),
      );
    } catch (err) {
      setCounts(null);
      setCountError(err);
    }
  };

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const datasets = Object.entries(selection).map(([dataset, variables]) => ({ dataset, variables }));
    const cohort: Record<string, unknown> = {};
    if (int(f.get('birthYearFrom')) !== undefined) cohort.birthYearFrom = int(f.get('birthYearFrom'));
    if (int(f.get('birthYearTo')) !== undefined) cohort.birthYearTo = int(f.get('birthYearTo'));
    const sex = f.getAll('sex').map(String);
    if (sex.length) cohort.sex = sex;
    if (csv(f.get('icd10')).length) cohort.icd10 = csv(f.get('icd10'));
    if (csv(f.get('atc')).length) cohort.atc = csv(f.get('atc'));
    const scope = {
      datasets,
      cohort,
      linkage: f.get('linkage') === 'on',
      period: { from: String(f.get('dataFrom')), to: String(f.get('dataTo')) },
      members: members.filter((m) => m.userId.trim()),
      caseType: String(f.get('caseType')),
    };
    const body =
      kind === 'new'
        ? {
            ...scope,
            kind,
            project: {
              title: String(f.get('title')),
              purpose: String(f.get('purpose')),
              dataControllers: csv(f.get('controllers')),
              legalBasis: String(f.get('legalBasis')),
              ...(String(f.get('ethicsRef') ?? '').trim() ? { ethicsRef: String(f.get('ethicsRef')) } : {}),
              period: { from: String(f.get('projectFrom')), to: String(f.get('projectTo')) },
              ...consentFromForm(f),
            },
          }
        : { ...scope, kind, projectId: String(f.get('projectId')), justification: String(f.get('justification')) };
    setBusy(true);
    setError(null);
    try {
      await api('POST', EP.applications, body);
      announce(t('apply.submitted'));
      navigate('/applications');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('apply.title')}>
      <form onSubmit={submit} className="stack apply-form">
        <fieldset>
          <legend>{t('apply.kind')}</legend>
          <label className="inline">
            <input type="radio" name="kind" value="new" checked={kind === 'new'} onChange={() => setKind('new')} /> {t('apply.kindNew')}
          </label>
          <label className="inline">
            <input type="radio" name="kind" value="amendment" checked={kind === 'amendment'} onChange={() => setKind('amendment')} disabled={!leadOf.length} />{' '}
            {t('apply.kindAmendment')}
          </label>
        </fieldset>

        {kind === 'new' ? (
          <fieldset className="grid-form">
            <legend>{t('apply.project')}</legend>
            <label htmlFor="title">{t('apply.projectTitle')}</label>
            <input id="title" name="title" required minLength={3} />
            <label htmlFor="purpose">{t('apply.purpose')}</label>
            <textarea id="purpose" name="purpose" required minLength={10} rows={3} />
            <label htmlFor="controllers">{t('apply.controllers')}</label>
            <input id="controllers" name="controllers" required aria-describedby="controllers-hint" />
            <p id="controllers-hint" className="hint">
              {t('apply.commaHint')}
            </p>
            <label htmlFor="legalBasis">{t('apply.legalBasis')}</label>
            <select id="legalBasis" name="legalBasis" required defaultValue="hforsk-35" onChange={(e) => setLegalBasis(e.target.value)}>
              {LEGAL_BASIS_NAMES.map((b) => (
                <option key={b} value={b}>
                  {t(`legalBasis.${b}` as MessageKey)}
                </option>
              ))}
            </select>
            {legalBasis === 'consent' ? <ConsentFields /> : null}
            <label htmlFor="ethicsRef">{t('apply.ethicsRef')}</label>
            <input id="ethicsRef" name="ethicsRef" placeholder="REK 2026/12345" />
            <label htmlFor="projectFrom">{t('apply.projectFrom')}</label>
            <input id="projectFrom" name="projectFrom" type="date" required />
            <label htmlFor="projectTo">{t('apply.projectTo')}</label>
            <input id="projectTo" name="projectTo" type="date" required />
          </fieldset>
        ) : (
          <fieldset className="grid-form">
            <legend>{t('apply.amendment')}</legend>
            <label htmlFor="projectId">{t('apply.whichProject')}</label>
            <select id="projectId" name="projectId" defaultValue={amendFor ?? leadOf[0]?.projectId} required>
              {leadOf.map((m) => (
                <option key={m.projectId} value={m.projectId}>
                  {m.title}
                </option>
              ))}
            </select>
            <label htmlFor="justification">{t('apply.justification')}</label>
            <textarea id="justification" name="justification" required minLength={3} rows={3} />
          </fieldset>
        )}

        <fieldset className="grid-form">
          <legend>{t('apply.caseAndPeriod')}</legend>
          <label htmlFor="caseType">{t('apply.caseType')}</label>
          <select id="caseType" name="caseType" key={kind}>
            {(kind === 'new' ? NEW_CASES : AMEND_CASES).map((c) => (
              <option key={c} value={c}>
                {t(`caseType.${c}` as MessageKey)}
              </option>
            ))}
          </select>
          <label htmlFor="dataFrom">{t('apply.dataFrom')}</label>
          <input id="dataFrom" name="dataFrom" type="date" required />
          <label htmlFor="dataTo">{t('apply.dataTo')}</label>
          <input id="dataTo" name="dataTo" type="date" required />
        </fieldset>

        <fieldset>
          <legend>{t('apply.data')}</legend>
          <CatalogPicker value={selection} onChange={setSelection} />
          <label className="inline">
            <input type="checkbox" name="linkage" /> {t('apply.linkage')}
          </label>
        </fieldset>

        <fieldset className="grid-form">
          <legend>{t('apply.cohort')}</legend>
          <label htmlFor="birthYearFrom">{t('cohort.birthYearFrom')}</label>
          <input id="birthYearFrom" name="birthYearFrom" type="number" min={1850} max={2100} />
          <label htmlFor="birthYearTo">{t('cohort.birthYearTo')}</label>
          <input id="birthYearTo" name="birthYearTo" type="number" min={1850} max={2100} />
          <span id="sex-label">{t('cohort.sex')}</span>
          <div role="group" aria-labelledby="sex-label">
            <label className="inline">
              <input type="checkbox" name="sex" value="F" /> {t('sex.F')}
            </label>
            <label className="inline">
              <input type="checkbox" name="sex" value="M" /> {t('sex.M')}
            </label>
          </div>
          <label htmlFor="icd10">{t('cohort.icd10')}</label>
          <input id="icd10" name="icd10" placeholder="E11, I21" aria-describedby="icd-hint" />
          <p id="icd-hint" className="hint">
            {t('apply.commaHint')}
          </p>
          <label htmlFor="atc">{t('cohort.atc')}</label>
          <input id="atc" name="atc" placeholder="A10B" />
          <button
            type="button"
            disabled={Object.keys(selection).length === 0}
            aria-describedby="explore-hint"
            onClick={(e) => void showCounts(e.currentTarget.form)}
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

        <fieldset>
          <legend>{t('apply.members')}</legend>
          {members.length === 0 ? <p className="muted">{t('apply.noMembers')}</p> : null}
          <ul className="plain">
            {members.map((m, i) => (
              <li key={i} className="member-row">
                <label htmlFor={`member-${i}`}>{t('apply.memberUser', { n: i + 1 })}</label>
                <input
                  id={`member-${i}`}
                  value={m.userId}
                  onChange={(e) => setMembers(members.map((x, j) => (j === i ? { ...x, userId: e.target.value } : x)))}
                />
                <label htmlFor={`member-role-${i}`}>{t('apply.memberRole', { n: i + 1 })}</label>
                <select
                  id={`member-role-${i}`}
                  value={m.role}
                  onChange={(e) => setMembers(members.map((x, j) => (j === i ? { ...x, role: e.target.value as 'lead' | 'researcher' } : x)))}
                >
                  <option value="researcher">{t('memberRole.researcher')}</option>
                  <option value="lead">{t('memberRole.lead')}</option>
                </select>
                <button type="button" onClick={() => setMembers(members.filter((_, j) => j !== i))}>
                  {t('apply.removeMember', { n: i + 1 })}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setMembers([...members, { userId: '', role: 'researcher' }])}>
            {t('apply.addMember')}
          </button>
        </fieldset>

        {error ? <ErrorView error={error} /> : null}
        <button type="submit" disabled={busy} data-action="submit-application">
          {t('apply.submit')}
        </button>
      </form>
    </Page>
  );
}
