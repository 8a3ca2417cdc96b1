import { describe, expect, it } from 'vitest';
import type { RegressionReport } from '../disclosure/index.ts';
import { matchRegression } from './regression-match.ts';

const report = {
  status: 'pass',
  method: 'ols',
  nobs: 300,
  dof: 297,
  params: {
    const: { coef: 2.123456, se: 0.1, t: 21.2, p: 0 },
    'C(g)[T.b]': { coef: -0.98765, se: 0.2, t: -4.9, p: 0 },
    x: { coef: 0.000123456, se: 0.00001, t: 12.3, p: 0 },
  },
  rules: { dof: { value: 297, threshold: 10, passed: true } },
  summary: 'pass; dof=297 >= 10',
  dropped: 0,
} satisfies RegressionReport;

const csv = (text: string) => matchRegression(Buffer.from(text), 'csv', report);

describe('an exported regression against the recomputed one', () => {
  it("reads statsmodels' summary as CSV: Intercept for const, quoted names, the Coef. column, rounded to what it prints", () => {
    expect(csv(',Std.Err.,Coef.\nIntercept,0.1,2.1235\n"C(g)[T.b]",0.2,-0.9877\nx,0.0000,1.2346e-4\n')).toEqual({ matches: true, compared: 3, mismatched: [] });
    // One more digit printed is one digit more checked: 2.1236 is not 2.123456 rounded.
    expect(csv('name,coef\nconst,2.1236\nx,0.000123456\n')).toEqual({ matches: false, compared: 2, mismatched: ['const'] });
  });

  it('a file naming no parameter does not match; a kind it cannot read says nothing', () => {
    expect(csv('a,b\n1,2\n')).toEqual({ matches: false, compared: 0, mismatched: ['line 1', 'line 2'] });
    expect(matchRegression(Buffer.from('%PDF-1.4'), 'pdf', report)).toBeNull();
    expect(matchRegression(Buffer.from('{not json'), 'json', report)).toBeNull();
  });

  it('reads JSON as the check reports it or as results.params.to_json() writes it', () => {
    const own = JSON.stringify({ params: { const: { coef: 2.123456 }, 'C(g)[T.b]': { coef: -0.98765 }, x: { coef: 0.000123456 } } });
    expect(matchRegression(Buffer.from(own), 'json', report)).toEqual({ matches: true, compared: 3, mismatched: [] });
    const pandas = JSON.stringify({ Intercept: 2.123456, x: 0.00013 });
    expect(matchRegression(Buffer.from(pandas), 'json', report)).toEqual({ matches: false, compared: 2, mismatched: ['x'] });
  });
});

describe('a file that holds the checked coefficients and more does not match', () => {
  const helper = ',coef,std err,t,P>|t|\nconst,2.123456,0.1,21.2,0.0\nC(g)[T.b],-0.98765,0.2,-4.9,0.0\nx,0.000123456,1e-5,12.3,0.0\n';

  it("the room helper's own CSV and statsmodels' summary2 match", () => {
    expect(csv(helper)).toEqual({ matches: true, compared: 3, mismatched: [] });
    expect(csv(',Coef.,Std.Err.,t,P>|t|,[0.025,0.975]\nIntercept,2.1235,0.1,21.2,0.0000,1.9,2.3\n')).toEqual({ matches: true, compared: 1, mismatched: [] });
  });

  it('a line of pseudonyms, a column of them, or a header that says anything: mismatched by place, not by content', () => {
    expect(csv(`${helper}15038512345,Kari Nordmann\n`)).toEqual({ matches: false, compared: 3, mismatched: ['line 5'] });
    expect(csv(',coef,std err,who\nconst,2.123456,0.1,15038512345\n')).toEqual({ matches: false, compared: 1, mismatched: ['line 1'] });
    expect(csv(',coef,std err\nconst,2.123456,Kari Nordmann\n')).toEqual({ matches: false, compared: 0, mismatched: ['line 2'] });
    expect(csv(',coef\nconst,2.123456,15038512345\n')).toEqual({ matches: false, compared: 0, mismatched: ['line 2'] });
  });

  it('JSON: only parameters, of numbers, beside them only the report as it is', () => {
    const json = (doc: unknown) => matchRegression(Buffer.from(JSON.stringify(doc)), 'json', report);
    const params = { const: { coef: 2.123456, se: 0.1 }, x: 0.000123456 };
    expect(json({ params, nobs: 300, dof: 297 })).toEqual({ matches: true, compared: 2, mismatched: [] });
    expect(json({ params, rows: [[15038512345, 'Kari']] })).toEqual({ matches: false, compared: 2, mismatched: ['key 2'] });
    expect(json({ params, nobs: 15038512345 })).toEqual({ matches: false, compared: 2, mismatched: ['key 2'] });
    expect(json({ params: { ...params, Kari: 15038512345 } })).toEqual({ matches: false, compared: 2, mismatched: ['params key 3'] });
    expect(json({ params: { const: { coef: 2.123456, who: 'Kari' } } })).toEqual({ matches: false, compared: 0, mismatched: ['params key 1'] });
    expect(json({ Intercept: 2.123456, x: 0.000123456, who: 15038512345 })).toEqual({ matches: false, compared: 2, mismatched: ['key 3'] });
  });
});
