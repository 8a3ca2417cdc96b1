/**
 * Checked applications (issue 15): an application's scope is held to the catalogue's current
 * version at submission, at decision (approve) and at permit issue, and an amended permit's at
 * amendment, because the catalogue may change between the steps. One 400 lists every problem, each
 * with the field it concerns and, for a name the catalogue does not know, the nearest one it does:
 *
 * - every dataset and variable exists (`unknown_dataset`, `unknown_variable`); the registers the
 *   cohort criteria read exist with their code variable (`COHORT_REGISTERS`);
 * - a direct identifier asked for has a stated reason (`datasets[i].reasons.<variable>`,
 *   `direct_identifier_needs_reason`): data minimisation (GDPR art. 5(1)(c), EHDS art. 66) as
 *   Findata and the TEHDAS2 guideline ask applicants to justify each identifying variable;
 * - linkage names two datasets or more (`linkage_needs_two_datasets`);
 * - the data period lies within what each register it filters holds (`period_outside_register`,
 *   see `registerCoverage`).
 *
 * `scopeProblems` is pure; `requireCheckedScope` loads the catalogue and throws.
 */
import { type Dataset, loadCatalogue } from '../catalog/index.ts';
import { InputError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import type { ScopeProblem } from './schemas.ts';

/** What is checked: the scope of an application, or of a permit version. */
export interface Scope {
  datasets: { dataset: string; variables: string[]; reasons?: Record<string, string> | undefined }[];
  period: { from: string; to: string };
  cohort: { icd10?: string[] | undefined; atc?: string[] | undefined };
  linkage: boolean;
}

/**
 * The registers cohort criteria are read from, as the extract reads them
 * (`data-copies/extract-scope.ts` `personConditions`); birth year and sex come from the identity
 * number and need no register.
 */
export const COHORT_REGISTERS = {
  icd10: { dataset: 'patient_episodes', variable: 'main_diagnosis' },
  atc: { dataset: 'prescriptions', variable: 'atc_code' },
} as const;

/**
 * What a register holds. From: the first day its data controller declares (the catalogue's
 * `coverage.from`), else the first date intake measured in its newest version. Up to: the declared
 * last day of a register no longer collected, else the last date measured in its newest version.
 * A register still collected grows with every delivery, so a data period may run past what it
 * holds today (a rolling case gets the later data with the later copies) but must start within it.
 */
export function registerCoverage(ds: Dataset): { from: string | null; heldTo: string | null; closedAt: string | null } {
  const measured = ds.versions.at(-1)?.period ?? null;
  return {
    from: ds.coverage?.from ?? measured?.from ?? null,
    heldTo: ds.coverage?.to ?? measured?.to ?? null,
    closedAt: ds.coverage?.to ?? null,
  };
}

/** Every problem of the scope against the catalogue's datasets, in field order. */
export function scopeProblems(scope: Scope, catalogue: Dataset[], opts: { linkageField?: string } = {}): ScopeProblem[] {
  const out: ScopeProblem[] = [];
  const byName = new Map(catalogue.map((d) => [d.name, d]));
  const datasetNames = catalogue.map((d) => d.name);
  scope.datasets.forEach((req, i) => {
    const ds = byName.get(req.dataset);
    if (!ds) {
      const suggestion = nearest(req.dataset, datasetNames);
      out.push({
        field: `datasets[${i}].dataset`,
        reason: 'unknown_dataset',
        dataset: req.dataset,
        suggestion,
        message: `there is no dataset ${req.dataset} in the catalogue${didYouMean(suggestion)}`,
      });
      return;
    }
    const names = ds.variables.map((v) => v.name);
    req.variables.forEach((name, j) => {
      const v = ds.variables.find((x) => x.name === name);
      if (!v) {
        const suggestion = nearest(name, names);
        out.push({
          field: `datasets[${i}].variables[${j}]`,
          reason: 'unknown_variable',
          dataset: ds.name,
          variable: name,
          suggestion,
          message: `${ds.name} has no variable ${name}${didYouMean(suggestion)}`,
        });
      } else if (v.class === 'direct_identifier' && !req.reasons?.[name]?.trim()) {
        out.push({
          field: `datasets[${i}].reasons.${name}`,
          reason: 'direct_identifier_needs_reason',
          dataset: ds.name,
          variable: name,
          suggestion: null,
          message: `${ds.name}.${name} is a direct identifier: state why the project needs it`,
        });
      }
    });
  });
  for (const [criterion, reg] of Object.entries(COHORT_REGISTERS) as [
    keyof typeof COHORT_REGISTERS,
    (typeof COHORT_REGISTERS)[keyof typeof COHORT_REGISTERS],
  ][]) {
    if (!scope.cohort[criterion]?.length) continue;
    const ds = byName.get(reg.dataset);
    if (!ds?.variables.some((v) => v.name === reg.variable)) {
      out.push({
        field: `cohort.${criterion}`,
        reason: 'unknown_dataset',
        dataset: reg.dataset,
        suggestion: null,
        message: `the ${criterion} criterion reads ${reg.dataset}.${reg.variable}, which is not in the catalogue`,
      });
    }
  }
  if (scope.linkage && new Set(scope.datasets.map((d) => d.dataset)).size < 2) {
    out.push({
      field: opts.linkageField ?? 'linkage',
      reason: 'linkage_needs_two_datasets',
      suggestion: null,
      message: 'linkage joins two datasets or more: name another dataset or ask for no linkage',
    });
  }
  out.push(...periodProblems(scope, byName));
  return out;
}

function periodProblems(scope: Scope, byName: Map<string, Dataset>): ScopeProblem[] {
  const out: ScopeProblem[] = [];
  const { from, to } = scope.period;
  for (const name of new Set(scope.datasets.map((d) => d.dataset))) {
    const ds = byName.get(name);
    // The period filters only datasets with a period variable (`extract-scope.ts` periodFilter).
    if (!ds?.periodVariable) continue;
    const c = registerCoverage(ds);
    if (c.from && from < c.from) {
      out.push(periodProblem('period.from', ds.name, c.from, `the data period starts before the first data of ${ds.name} (${c.from})`));
    } else if (c.heldTo && from > c.heldTo) {
      out.push(periodProblem('period.from', ds.name, c.heldTo, `the data period starts after the last data of ${ds.name} (${c.heldTo})`));
    }
    if (c.closedAt && to > c.closedAt) {
      out.push(periodProblem('period.to', ds.name, c.closedAt, `the data period ends after the last day of ${ds.name} (${c.closedAt})`));
    }
  }
  return out;
}

const periodProblem = (field: string, dataset: string, bound: string, message: string): ScopeProblem => ({
  field,
  reason: 'period_outside_register',
  dataset,
  bound,
  suggestion: null,
  message,
});

/** Holds the scope to the catalogue as it is now; one InputError naming every problem. */
export async function requireCheckedScope(q: Queryable, scope: Scope, opts: { step: string; linkageField?: string }): Promise<void> {
  const problems = scopeProblems(scope, (await loadCatalogue(q)).datasets, opts);
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new InputError(`${opts.step}: ${first.field}: ${first.message}${more}`, {
    reason: first.reason,
    details: { field: first.field, problems },
  });
}

const didYouMean = (s: string | null) => (s ? `; did you mean ${s}?` : '');

/**
 * The catalogue name nearest to `name` by edit distance, when near enough to be a slip (at most a
 * third of its length, at least 2), else one that contains it or is contained in it; null if none.
 * Bounded: names are at most 100 characters (the schema) and catalogues small.
 */
export function nearest(name: string, candidates: string[]): string | null {
  const typed = name.toLowerCase().slice(0, 100);
  let best: { name: string; d: number } | null = null;
  for (const c of candidates) {
    const d = editDistance(typed, c);
    if (!best || d < best.d) best = { name: c, d };
  }
  if (best && best.d <= Math.max(2, Math.floor(typed.length / 3))) return best.name;
  if (typed.length < 3) return null;
  return candidates.find((c) => c.includes(typed) || typed.includes(c)) ?? null;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
