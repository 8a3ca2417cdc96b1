import { describe, expect, it } from 'vitest';
import { type Dataset, demoCatalogue } from '../catalog/index.ts';
import { editDistance, nearest, registerCoverage, type Scope, scopeProblems } from './application-checks.ts';

const catalogue = (): Dataset[] => demoCatalogue().datasets;
const scope = (over: Partial<Scope> = {}): Scope => ({
  datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
  period: { from: '2015-01-01', to: '2030-12-31' },
  cohort: {},
  linkage: false,
  ...over,
});
const withVersion = (ds: Dataset, period: { from: string; to: string } | null): Dataset => ({
  ...ds,
  versions: [{ version: 'v1', receivedAt: '2026-01-01T00:00:00.000Z', rowCount: 1, sha256: 'a'.repeat(64), path: 'x', period }],
});

describe('scopeProblems', () => {
  it('finds nothing wrong with a scope the catalogue holds, a period running on into a register still collected included', () => {
    expect(scopeProblems(scope(), catalogue())).toEqual([]);
  });

  it('names a direct identifier with a reason as fine, and one without by the reason field it lacks', () => {
    const datasets = [
      { dataset: 'population', variables: ['fnr', 'sex'], reasons: { fnr: 'links the registers' } },
      { dataset: 'cancer', variables: ['fnr', 'site'], reasons: { fnr: '   ' } },
    ];
    expect(scopeProblems(scope({ datasets, linkage: true }), catalogue()).map((p) => [p.field, p.reason])).toEqual([
      ['datasets[1].reasons.fnr', 'direct_identifier_needs_reason'],
    ]);
  });

  it('counts linkage over distinct datasets: the same one twice is not a linkage', () => {
    const datasets = [
      { dataset: 'prescriptions', variables: ['ddd'] },
      { dataset: 'prescriptions', variables: ['packages'] },
    ];
    expect(scopeProblems(scope({ datasets, linkage: true }), catalogue(), { linkageField: 'linkageAllowed' }).map((p) => p.field)).toEqual(['linkageAllowed']);
  });

  it('holds the period to what the newest version holds when no end is declared, and to the declared end of a closed register', () => {
    const measured = catalogue().map((d) => (d.name === 'prescriptions' ? withVersion({ ...d }, { from: '2010-01-04', to: '2024-12-30' }) : d));
    // Declared start wins over the first measured date: a register's first day is not its first event.
    expect(scopeProblems(scope({ period: { from: '2010-01-01', to: '2030-01-01' } }), measured)).toEqual([]);
    expect(scopeProblems(scope({ period: { from: '2025-01-01', to: '2030-01-01' } }), measured)).toEqual([
      {
        field: 'period.from',
        reason: 'period_outside_register',
        dataset: 'prescriptions',
        bound: '2024-12-30',
        suggestion: null,
        message: 'the data period starts after the last data of prescriptions (2024-12-30)',
      },
    ]);
    const closed = catalogue().map((d) => (d.name === 'prescriptions' ? { ...d, coverage: { from: '2004-01-01', to: '2020-12-31' } } : d));
    expect(scopeProblems(scope({ period: { from: '2003-01-01', to: '2021-01-01' } }), closed).map((p) => [p.field, p.bound])).toEqual([
      ['period.from', '2004-01-01'],
      ['period.to', '2020-12-31'],
    ]);
  });

  it('does not hold the period to a register without a period variable, nor to one that declares and measured nothing', () => {
    const bare = catalogue().map((d) => (d.name === 'prescriptions' ? { ...d, coverage: null } : d));
    expect(
      scopeProblems(scope({ datasets: [{ dataset: 'population', variables: ['sex'] }], period: { from: '1800-01-01', to: '2100-01-01' } }), catalogue()),
    ).toEqual([]);
    expect(scopeProblems(scope({ period: { from: '1800-01-01', to: '2100-01-01' } }), bare)).toEqual([]);
  });
});

describe('registerCoverage', () => {
  it('takes the declared start, and the measured end of a register still collected', () => {
    const ds = withVersion(catalogue().find((d) => d.name === 'cancer')!, { from: '2010-02-01', to: '2024-11-30' });
    expect(registerCoverage(ds)).toEqual({ from: '2010-01-01', heldTo: '2024-11-30', closedAt: null });
  });
});

describe('nearest', () => {
  it('suggests a near slip, a name that contains what was typed, or nothing', () => {
    expect(nearest('dispensed_date', ['fnr', 'dispense_date', 'atc_code'])).toBe('dispense_date');
    expect(nearest('ATC', ['fnr', 'dispense_date', 'atc_code'])).toBe('atc_code');
    expect(nearest('weight', ['fnr', 'dispense_date', 'atc_code'])).toBeNull();
    expect(nearest('x', ['fnr'])).toBeNull();
  });

  it('measures edit distance', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('', 'abc'), editDistance('same', 'same')]).toEqual([3, 3, 0]);
  });
});
