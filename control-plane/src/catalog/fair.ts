/**
 * A FAIR score per dataset, computed only from what the catalogue holds, so a data controller
 * raises it by describing the dataset better, not by claiming things. 0-100, four parts of 25:
 *
 * Findable (25)      identifier present 10 · description ≥ 40 characters 5 · ≥ 3 keywords 5 ·
 *                    5 × share of variables with a description
 * Accessible (25)    access conditions stated 10 · data controller named 10 · ≥ 1 version stored 5
 * Interoperable (25) 15 × share of coded variables whose code list is in the catalogue with a
 *                    named source and version (15 when none are coded) ·
 *                    10 × share of measured numeric variables (integer or decimal, not `*_id`) with a unit
 *                    (10 when there are none)
 * Reusable (25)      update frequency other than `irregular` 5 · latest version has a row count and a
 *                    SHA-256 10 · every variable classed and the person key a direct identifier 5 ·
 *                    5 × share of variables with a label differing from the name
 *
 * Shares are rounded to one decimal in the parts; the score is the rounded sum. `missing` says what
 * would raise the score.
 */
import type { CodeList, Dataset } from './model.ts';
import type { FairScore } from './schemas.ts';

const share = (n: number, of: number) => (of === 0 ? 1 : n / of);
const r1 = (x: number) => Math.round(x * 10) / 10;

export function fairScore(ds: Dataset, codeLists: CodeList[]): FairScore {
  const missing: string[] = [];
  const need = (ok: boolean, points: number, what: string) => {
    if (!ok) missing.push(what);
    return ok ? points : 0;
  };
  const vars = ds.variables;
  const described = vars.filter((v) => v.description.trim().length > 0).length;
  const findable =
    need(!!ds.identifier, 10, 'a persistent identifier') +
    need(ds.description.trim().length >= 40, 5, 'a description of at least 40 characters') +
    need(ds.keywords.length >= 3, 5, 'at least 3 keywords') +
    5 * share(described, vars.length);
  if (described < vars.length) missing.push(`descriptions for ${vars.length - described} variable(s)`);

  const accessible =
    need(!!ds.accessConditions, 10, 'access conditions') +
    need(ds.dataController.trim().length > 0, 10, 'a named data controller') +
    need(ds.versions.length > 0, 5, 'a stored version');

  const coded = vars.filter((v) => v.type === 'code');
  const goodLists = coded.filter((v) => {
    const l = codeLists.find((c) => c.id === v.codeList);
    return l?.source.trim() && l.version.trim();
  }).length;
  if (goodLists < coded.length) missing.push(`catalogued code lists for ${coded.length - goodLists} coded variable(s)`);
  const measured = vars.filter((v) => (v.type === 'integer' || v.type === 'decimal') && !v.name.endsWith('_id'));
  const withUnit = measured.filter((v) => v.unit).length;
  if (withUnit < measured.length) missing.push(`units for ${measured.length - withUnit} numeric variable(s)`);
  const interoperable = 15 * share(goodLists, coded.length) + 10 * share(withUnit, measured.length);

  const latest = ds.versions.at(-1);
  const person = vars.find((v) => v.name === ds.personVariable);
  const labelled = vars.filter((v) => v.label.trim() && v.label.trim().toLowerCase() !== v.name).length;
  const reusable =
    need(ds.updateFrequency !== 'irregular', 5, 'a regular update frequency') +
    need(!!latest && latest.rowCount >= 0 && /^[0-9a-f]{64}$/.test(latest.sha256), 10, 'a version with row count and checksum') +
    need(person?.class === 'direct_identifier', 5, 'the person key classed as a direct identifier') +
    5 * share(labelled, vars.length);

  const parts = { findable: r1(findable), accessible: r1(accessible), interoperable: r1(interoperable), reusable: r1(reusable) };
  return {
    dataset: ds.name,
    score: Math.round(findable + accessible + interoperable + reusable),
    ...parts,
    missing,
  };
}
