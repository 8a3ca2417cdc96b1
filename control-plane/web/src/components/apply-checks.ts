/**
 * The application form's errors, each keyed by the id of the input it belongs to, in the page's
 * language and naming the field in words: the browser's own checks before sending (the same
 * limits as the server's `applicationInputSchema`: required fields, lengths, dates, years, codes),
 * and the server's 400 mapped back to the fields (`problems` of `projects/application-checks.ts`:
 * `datasets[1].variables[2]` → that dataset's variables, with the suggestion as a one-click fix;
 * a schema error's `field`). All problems are shown at once, as GOV.UK's error summary does.
 */
import type { MessageKey } from '../i18n/keys.ts';
import { ApiError } from '../lib/api.ts';
import type { ScopeProblem } from '../lib/types.ts';
import { type Draft, list } from './apply-draft.ts';

export type FieldError = AnyFieldError<Draft>;
export type FieldErrors = Record<string, FieldError>;

import type { FieldError as AnyFieldError, Translate } from './form-types.ts';

/** The words for each input, by its id. */
export const FIELD_LABELS: Record<string, MessageKey> = {
  title: 'apply.projectTitle',
  purpose: 'apply.purpose',
  controllers: 'apply.controllers',
  ethicsRef: 'apply.ethicsRef',
  consentText: 'consent.formText',
  consentVersion: 'consent.formVersion',
  projectFrom: 'apply.projectFrom',
  projectTo: 'apply.projectTo',
  justification: 'apply.justification',
  dataFrom: 'apply.dataFrom',
  dataTo: 'apply.dataTo',
  birthYearFrom: 'cohort.birthYearFrom',
  birthYearTo: 'cohort.birthYearTo',
  icd10: 'cohort.icd10',
  atc: 'cohort.atc',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ICD10 = /^[A-Z][0-9]{0,2}(\.[0-9]{0,2})?$/;
const ATC = /^[A-Z][0-9A-Z]{0,6}$/;

/** `directs`: the direct identifiers of each chosen dataset, as the catalogue classes them. */
export function checkDraft(d: Draft, t: Translate, directs: Record<string, string[]>): FieldErrors {
  const out: FieldErrors = {};
  const label = (id: string) => t(FIELD_LABELS[id]!);
  const text = (id: keyof Draft & string, min: number, max: number) => {
    const v = String(d[id] ?? '').trim();
    if (!v && min > 0) out[id] = { message: t('checks.required', { field: label(id) }) };
    else if (v.length < min) out[id] = { message: t('checks.tooShort', { field: label(id), n: min }) };
    else if (v.length > max) out[id] = { message: t('checks.tooLong', { field: label(id), n: max }) };
  };
  const period = (from: 'projectFrom' | 'dataFrom', to: 'projectTo' | 'dataTo', order: MessageKey) => {
    for (const id of [from, to]) {
      if (!d[id]) out[id] = { message: t('checks.required', { field: label(id) }) };
      else if (!DATE.test(d[id]) || Number.isNaN(Date.parse(d[id]))) out[id] = { message: t('checks.date', { field: label(id) }) };
    }
    if (!out[from] && !out[to] && d[from] > d[to]) out[to] = { message: t(order) };
  };
  if (d.kind === 'new') {
    text('title', 3, 300);
    text('purpose', 10, 5000);
    if (!list(d.controllers).length) out.controllers = { message: t('checks.required', { field: label('controllers') }) };
    else if (list(d.controllers).some((c) => c.length > 200)) out.controllers = { message: t('checks.tooLong', { field: label('controllers'), n: 200 }) };
    if (d.ethicsRef.length > 100) out.ethicsRef = { message: t('checks.tooLong', { field: label('ethicsRef'), n: 100 }) };
    period('projectFrom', 'projectTo', 'checks.projectPeriodOrder');
    if (d.legalBasis === 'consent') {
      text('consentText', 20, 20000);
      text('consentVersion', 1, 40);
    }
  } else {
    text('justification', 3, 5000);
  }
  period('dataFrom', 'dataTo', 'checks.dataPeriodOrder');
  const chosen = Object.entries(d.selection);
  if (!chosen.length) out.datasets = { message: t('checks.noDataset') };
  for (const [dataset, vars] of chosen) {
    if (!vars.length) out[`vars-${dataset}`] = { message: t('checks.noVariable', { dataset }) };
    for (const v of vars.filter((x) => directs[dataset]?.includes(x))) {
      const why = (d.reasons[dataset]?.[v] ?? '').trim();
      if (why.length < 10) out[`reason-${dataset}-${v}`] = { message: t('checks.reasonNeeded', { variable: v }) };
      else if (why.length > 2000) out[`reason-${dataset}-${v}`] = { message: t('checks.tooLong', { field: v, n: 2000 }) };
    }
  }
  if (d.linkage && new Set(chosen.map(([n]) => n)).size < 2) out.linkage = { message: t('checks.linkageTwo') };
  for (const id of ['birthYearFrom', 'birthYearTo'] as const) {
    const v = d.cohort[id].trim();
    if (v && !(/^\d{4}$/.test(v) && Number(v) >= 1850 && Number(v) <= 2100)) out[id] = { message: t('checks.year', { field: label(id) }) };
  }
  if (
    !out.birthYearFrom &&
    !out.birthYearTo &&
    d.cohort.birthYearFrom &&
    d.cohort.birthYearTo &&
    Number(d.cohort.birthYearFrom) > Number(d.cohort.birthYearTo)
  ) {
    out.birthYearTo = { message: t('checks.birthYearOrder') };
  }
  const badIcd = list(d.cohort.icd10).filter((c) => !ICD10.test(c));
  if (badIcd.length) out.icd10 = { message: t('checks.icd10', { codes: badIcd.join(', ') }) };
  const badAtc = list(d.cohort.atc).filter((c) => !ATC.test(c));
  if (badAtc.length) out.atc = { message: t('checks.atc', { codes: badAtc.join(', ') }) };
  return out;
}

/** A schema error's field (`project.period.from`, `datasets.0.variables`) as the input's id. */
function inputOf(field: string, d: Draft): string | null {
  const direct: Record<string, string> = {
    'project.title': 'title',
    'project.purpose': 'purpose',
    'project.dataControllers': 'controllers',
    'project.ethicsRef': 'ethicsRef',
    'project.consent': 'consentText',
    'project.consent.text': 'consentText',
    'project.consent.version': 'consentVersion',
    'project.period.from': 'projectFrom',
    'project.period.to': 'projectTo',
    'period.from': 'dataFrom',
    'period.to': 'dataTo',
    justification: 'justification',
    linkage: 'linkage',
    'cohort.icd10': 'icd10',
    'cohort.atc': 'atc',
    'cohort.birthYearFrom': 'birthYearFrom',
    'cohort.birthYearTo': 'birthYearTo',
  };
  const f = field.replace(/\[(\d+)\]/g, '.$1');
  if (direct[f]) return direct[f];
  const m = /^datasets\.(\d+)(?:\.(variables|reasons)(?:\.([^.]+))?)?/.exec(f);
  if (!m) return f.startsWith('members') ? 'members' : null;
  const dataset = Object.keys(d.selection)[Number(m[1])];
  if (!dataset) return 'datasets';
  if (m[2] === 'variables') return `vars-${dataset}`;
  if (m[2] === 'reasons' && m[3]) return `reason-${dataset}-${m[3]}`;
  return 'datasets';
}

const replaceVariable =
  (dataset: string, from: string, to: string) =>
  (d: Draft): Draft => ({
    ...d,
    selection: { ...d.selection, [dataset]: (d.selection[dataset] ?? []).map((v) => (v === from ? to : v)) },
  });

const renameDataset =
  (from: string, to: string) =>
  (d: Draft): Draft => ({
    ...d,
    selection: Object.fromEntries(Object.entries(d.selection).map(([k, v]) => [k === from ? to : k, v])),
  });

function problemError(p: ScopeProblem, d: Draft, t: Translate): FieldError {
  const dataset = p.dataset ?? '';
  const date = p.bound ?? '';
  switch (p.reason) {
    case 'unknown_variable': {
      const name = p.suggestion;
      const message = t('checks.unknownVariable', { dataset, variable: p.variable ?? '' }) + (name ? ` ${t('checks.didYouMean', { name })}` : '');
      return name ? { message, fix: { label: t('checks.useSuggestion', { name }), apply: replaceVariable(dataset, p.variable ?? '', name) } } : { message };
    }
    case 'unknown_dataset': {
      if (p.field.startsWith('cohort.')) return { message: t('checks.cohortRegister', { dataset }) };
      const name = p.suggestion;
      const message = t('checks.unknownDataset', { dataset }) + (name ? ` ${t('checks.didYouMean', { name })}` : '');
      return name ? { message, fix: { label: t('checks.useSuggestion', { name }), apply: renameDataset(dataset, name) } } : { message };
    }
    case 'direct_identifier_needs_reason':
      return { message: t('checks.reasonNeeded', { variable: p.variable ?? '' }) };
    case 'linkage_needs_two_datasets':
      return { message: t('checks.linkageTwo') };
    case 'period_outside_register':
      if (p.field === 'period.to') {
        return { message: t('checks.periodEnded', { dataset, date }), fix: { label: t('checks.endAt', { date }), apply: (x) => ({ ...x, dataTo: date }) } };
      }
      if (d.dataFrom < date) {
        return {
          message: t('checks.periodBefore', { dataset, date }),
          fix: { label: t('checks.startAt', { date }), apply: (x) => ({ ...x, dataFrom: date }) },
        };
      }
      return { message: t('checks.periodAfter', { dataset, date }) };
  }
}

/** The server's answer to a refused application, as errors by input; null when it names no field. */
export function serverErrors(err: unknown, d: Draft, t: Translate): FieldErrors | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const out: FieldErrors = {};
  for (const raw of err.problems) {
    const p = raw as ScopeProblem;
    const id = typeof p?.field === 'string' ? inputOf(p.field, d) : null;
    if (id && !out[id]) out[id] = problemError(p, d, t);
  }
  if (!Object.keys(out).length && err.field) {
    const id = inputOf(err.field, d);
    if (id) out[id] = { message: t('checks.serverSays', { field: FIELD_LABELS[id] ? t(FIELD_LABELS[id]) : err.field, detail: err.message }) };
  }
  return Object.keys(out).length ? out : null;
}
