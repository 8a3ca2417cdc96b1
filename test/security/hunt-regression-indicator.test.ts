/**
 * A regression whose coefficients give one person's outcome: a covariate that is 1 for that person
 * and 0 for the 199 others. Named in `categorical`, it is a level of one record and the levels rule
 * (`tables.modelLevelThreshold`) fails it; left numeric (or boolean), it passed with dof 198, and
 * the constant plus its coefficient was the person's income to the cent, answered to a bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from '../airlock/support.ts';

let t: AirlockTest;
const INCOME = 123456.78;

beforeAll(async () => {
  t = await startAirlock();
  await t.copyFile(
    'people.parquet',
    `SELECT CASE WHEN i = 0 THEN ${INCOME} ELSE 40000 + 13 * i END AS income, CASE WHEN i = 0 THEN 1 ELSE 0 END AS flag,
       i = 0 AS flagged, i % 2 AS sex, i::DOUBLE AS age FROM range(0, 200) r(i)`,
  );
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const check = (spec: unknown) =>
  t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-regression`, { as: 'researcher', body: { source: { copy: 'people.parquet' }, spec } });

describe('a two-valued numeric covariate is an indicator to the levels rule', () => {
  for (const column of ['flag', 'flagged']) {
    it(`a ${column === 'flag' ? '0/1' : 'boolean'} column true for one record fails, and nothing of the fit is shown`, async () => {
      const res = await check({ method: 'ols', dependent: 'income', independent: [column, 'age'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'fail',
        rules: { dof: { threshold: 10, passed: true }, levels: { threshold: 10, passed: false } },
        withheld: { reason: 'check_only_in_room' },
      });
      expect(JSON.stringify(res.body)).not.toContain('123456');
    });
  }

  it('a two-valued covariate with enough records in each value passes, its levels counted; a continuous one is not an indicator', async () => {
    // In the room, where a passing report is answered whole.
    const inRoom = (spec: unknown) =>
      t.inRoom('researcher', 'POST', `/api/projects/${t.projectId}/outputs/check-regression`, { source: { copy: 'people.parquet' }, spec });
    const res = await inRoom({ method: 'ols', dependent: 'income', independent: ['sex', 'age'] });
    expect(res.body).toMatchObject({ status: 'pass', rules: { levels: { threshold: 10, passed: true, below: 0 } } });
    const plain = await inRoom({ method: 'ols', dependent: 'income', independent: ['age'] });
    expect(plain.body.status).toBe('pass');
    expect(plain.body.rules.levels).toBeUndefined();
  });
});
