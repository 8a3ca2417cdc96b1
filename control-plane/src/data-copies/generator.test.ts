import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS, codesOf, DEMO_CODE_LISTS } from '../catalog/index.ts';
import { lit, openDuck, rowsOf } from './duckdb.ts';
import { birthDateOfFnr, isValidFnr, sexOfFnr } from './fnr.ts';
import { generateRegisters, type GenerateResult } from './generator.ts';
import { HmacSha256 } from './hmac-sha256.ts';

let root: string;
let a: GenerateResult;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gen-test-'));
  a = await generateRegisters({ rows: 5000, seed: 42, outDir: join(root, 'a') });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('synthetic register generator', () => {
  it('writes the five registers with the sizes that follow from --rows', () => {
    expect(a.files.map((f) => [f.dataset, f.rows])).toEqual([
      ['population', 500],
      ['patient_episodes', 5000],
      ['prescriptions', 5000],
      ['cause_of_death', a.files[3]!.rows],
      ['cancer', 25],
    ]);
    expect(a.files[3]!.rows).toBeGreaterThan(10);
  });

  it('gives every person a unique identity number with valid check digits, matching birth date and sex', async () => {
    const duck = await openDuck({ threads: 1 });
    const people = await rowsOf<{ fnr: string; birth_date: string; sex: string }>(
      duck.conn,
      `SELECT fnr, strftime(birth_date, '%Y-%m-%d') AS birth_date, sex FROM read_parquet(${lit(join(root, 'a', 'population.parquet'))})`,
    );
    duck.close();
    expect(new Set(people.map((p) => p.fnr)).size).toBe(500);
    for (const p of people) {
      expect(isValidFnr(p.fnr), p.fnr).toBe(true);
      expect(birthDateOfFnr(p.fnr)).toBe(p.birth_date);
      expect(sexOfFnr(p.fnr)).toBe(p.sex);
    }
  });

  it('is deterministic for a seed and different for another seed', async () => {
    const again = await generateRegisters({ rows: 5000, seed: 42, outDir: join(root, 'b'), threads: 1 });
    const other = await generateRegisters({ rows: 5000, seed: 43, outDir: join(root, 'c'), datasets: ['population'] });
    const digest = async (dir: string, d: string) => {
      const duck = await openDuck({ threads: 1 });
      const [r] = await rowsOf<{ h: string }>(
        duck.conn,
        `SELECT md5(string_agg(CAST(t AS VARCHAR), '|')) AS h FROM read_parquet(${lit(join(root, dir, `${d}.parquet`))}) t`,
      );
      duck.close();
      return r!.h;
    };
    for (const f of a.files) expect(await digest('b', f.dataset)).toBe(await digest('a', f.dataset));
    expect(again.files.map((f) => f.rows)).toEqual(a.files.map((f) => f.rows));
    expect(await digest('c', 'population')).not.toBe(await digest('a', 'population'));
    expect(other.files).toHaveLength(1);
  });

  it('links the registers: every event belongs to a person of the population, after birth and before death', async () => {
    const duck = await openDuck({ threads: 1 });
    const p = lit(join(root, 'a', 'population.parquet'));
    for (const [d, date] of [
      ['patient_episodes', 'admission_date'],
      ['prescriptions', 'dispense_date'],
      ['cancer', 'diagnosis_date'],
      ['cause_of_death', 'death_date'],
    ]) {
      const [r] = await rowsOf<{ orphans: bigint; bad: bigint }>(
        duck.conn,
        `SELECT count(*) FILTER (WHERE p.fnr IS NULL) AS orphans,
                count(*) FILTER (WHERE e.${date} < p.birth_date OR e.${date} > coalesce(p.death_date, DATE '2024-12-31')) AS bad
         FROM read_parquet(${lit(join(root, 'a', `${d}.parquet`))}) e LEFT JOIN read_parquet(${p}) p USING (fnr)`,
      );
      expect([d, Number(r!.orphans), Number(r!.bad)]).toEqual([d, 0, 0]);
    }
    duck.close();
  });

  it('draws every code from the catalogue code lists', async () => {
    const duck = await openDuck({ threads: 1 });
    for (const ds of DEMO_DATASETS) {
      for (const v of ds.variables.filter((x) => x.codeList)) {
        const codes = codesOf(DEMO_CODE_LISTS.find((l) => l.id === v.codeList)!);
        const used = await rowsOf<{ c: string }>(
          duck.conn,
          `SELECT DISTINCT CAST(${v.name} AS VARCHAR) AS c FROM read_parquet(${lit(join(root, 'a', `${ds.name}.parquet`))}) WHERE ${v.name} IS NOT NULL`,
        );
        expect(
          used.map((u) => u.c).filter((c) => !codes.includes(c)),
          `${ds.name}.${v.name}`,
        ).toEqual([]);
      }
    }
    duck.close();
  });
});

describe('fødselsnummer and HMAC helpers', () => {
  it('accepts valid identity numbers and rejects wrong check digits', () => {
    expect(isValidFnr('01010750160')).toBe(true);
    expect(isValidFnr('01010750161')).toBe(false);
    expect(isValidFnr('0101075016')).toBe(false);
    expect(birthDateOfFnr('01010750160')).toBe('2007-01-01'); // individual number 501: born 2000-2039
  });

  it('computes bit-exact HMAC-SHA-256 for short messages', () => {
    const key = Buffer.from('a project key of thirty-two bytes');
    const mac = new HmacSha256(key);
    for (const m of ['', 'person:01010750160', 'x'.repeat(55)]) {
      expect(mac.hex(m)).toBe(createHmac('sha256', key).update(m).digest('hex'));
    }
  });
});
