/**
 * The application form's state as one plain object: what the lead has typed, kept as a draft in
 * `localStorage` per user and per target (a new project, or the project amended), so nothing typed
 * is lost on back, reload or navigation; cleared when the application is sent or the draft is
 * discarded. An amendment starts from the permit in force (`draftFromPermit`).
 * Only what the lead typed is stored, on their own browser, as a web form's autosave does.
 */
import type { Permit } from '../lib/types.ts';
import type { Selection } from './form-types.ts';

export interface CohortDraft {
  birthYearFrom: string;
  birthYearTo: string;
  sex: string[];
  icd10: string;
  atc: string;
}

export interface Draft {
  kind: 'new' | 'amendment';
  title: string;
  purpose: string;
  controllers: string;
  legalBasis: string;
  /** What participants consent to, on the legal basis consent (the text and its version). */
  consentText: string;
  consentVersion: string;
  ethicsRef: string;
  projectFrom: string;
  projectTo: string;
  projectId: string;
  justification: string;
  caseType: string;
  dataFrom: string;
  dataTo: string;
  selection: Selection;
  /** Why a variable is needed, by dataset and variable (direct identifiers need one). */
  reasons: Record<string, Record<string, string>>;
  linkage: boolean;
  cohort: CohortDraft;
  members: { userId: string; role: 'researcher' | 'lead' }[];
}

export const EMPTY_COHORT: CohortDraft = { birthYearFrom: '', birthYearTo: '', sex: [], icd10: '', atc: '' };

export function emptyDraft(kind: Draft['kind'], projectId = ''): Draft {
  return {
    kind,
    title: '',
    purpose: '',
    controllers: '',
    legalBasis: 'hforsk-35',
    consentText: '',
    consentVersion: '1.0',
    ethicsRef: '',
    projectFrom: '',
    projectTo: '',
    projectId,
    justification: '',
    caseType: kind === 'new' ? 'one_off' : 'new_period',
    dataFrom: '',
    dataTo: '',
    selection: {},
    reasons: {},
    linkage: false,
    cohort: EMPTY_COHORT,
    members: [],
  };
}

const day = (s: string) => s.slice(0, 10);

/** The scope of the permit in force, as the amendment's starting point. */
export function draftFromPermit(base: Draft, permit: Permit): Draft {
  const c = permit.cohort;
  return {
    ...base,
    dataFrom: day(permit.period.from),
    dataTo: day(permit.period.to),
    selection: Object.fromEntries(permit.datasets.map((d) => [d.dataset, [...d.variables]])),
    reasons: Object.fromEntries(permit.datasets.filter((d) => d.reasons).map((d) => [d.dataset, { ...d.reasons }])),
    linkage: permit.linkageAllowed,
    cohort: {
      birthYearFrom: c.birthYearFrom === undefined ? '' : String(c.birthYearFrom),
      birthYearTo: c.birthYearTo === undefined ? '' : String(c.birthYearTo),
      sex: [...(c.sex ?? [])],
      icd10: (c.icd10 ?? []).join(', '),
      atc: (c.atc ?? []).join(', '),
    },
  };
}

export const draftKey = (userId: string, target: string | null) => `analyserom.apply-draft.${userId}.${target ?? 'new'}`;

/** The stored draft, or null when none (or one this version of the form cannot read). */
export function loadDraft(key: string): { draft: Draft; savedAt: string } | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const v = JSON.parse(raw) as { draft?: Draft; savedAt?: string };
    if (!v.draft || typeof v.draft !== 'object' || !v.savedAt) return null;
    const base = emptyDraft(v.draft.kind === 'amendment' ? 'amendment' : 'new');
    return { draft: { ...base, ...v.draft, cohort: { ...EMPTY_COHORT, ...v.draft.cohort } }, savedAt: v.savedAt };
  } catch {
    return null;
  }
}

export function saveDraft(key: string, draft: Draft): void {
  try {
    localStorage.setItem(key, JSON.stringify({ draft, savedAt: new Date().toISOString() }));
  } catch {
    // Storage full or refused (private mode): the form still works, only without a draft.
  }
}

export function clearDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // as above
  }
}

export const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The application body the API takes (`applicationInputSchema`). */
export function bodyOf(d: Draft): Record<string, unknown> {
  const cohort: Record<string, unknown> = {};
  if (d.cohort.birthYearFrom.trim()) cohort.birthYearFrom = Number(d.cohort.birthYearFrom);
  if (d.cohort.birthYearTo.trim()) cohort.birthYearTo = Number(d.cohort.birthYearTo);
  if (d.cohort.sex.length) cohort.sex = d.cohort.sex;
  if (list(d.cohort.icd10).length) cohort.icd10 = list(d.cohort.icd10);
  if (list(d.cohort.atc).length) cohort.atc = list(d.cohort.atc);
  const datasets = Object.entries(d.selection).map(([dataset, variables]) => {
    const reasons = Object.fromEntries(Object.entries(d.reasons[dataset] ?? {}).filter(([v, r]) => variables.includes(v) && r.trim()));
    return { dataset, variables, ...(Object.keys(reasons).length ? { reasons } : {}) };
  });
  const scope = {
    datasets,
    cohort,
    linkage: d.linkage,
    period: { from: d.dataFrom, to: d.dataTo },
    members: d.members.filter((m) => m.userId.trim()),
    caseType: d.caseType,
  };
  if (d.kind === 'amendment') return { ...scope, kind: 'amendment', projectId: d.projectId, justification: d.justification };
  return {
    ...scope,
    kind: 'new',
    project: {
      title: d.title,
      purpose: d.purpose,
      dataControllers: list(d.controllers),
      legalBasis: d.legalBasis,
      ...(d.ethicsRef.trim() ? { ethicsRef: d.ethicsRef.trim() } : {}),
      period: { from: d.projectFrom, to: d.projectTo },
      ...(d.legalBasis === 'consent' ? { consent: { text: d.consentText, version: d.consentVersion } } : {}),
    },
  };
}
