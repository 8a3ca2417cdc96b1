/**
 * The SQL that generates the synthetic registers inside DuckDB.
 *
 * Determinism: every random choice is `hash(seed, row, tag)`, a pure function of its inputs, so
 * the same seed gives the same rows regardless of thread count (for this DuckDB version).
 *
 * Identity numbers are unique by construction: candidate i gets birth day (i·7919 + s) mod 36525
 * (a permutation of the days 1925-01-01..2024-12-31, 36525 = 3·5²·487 is coprime with 7919) and
 * individual number (⌊i/36525⌋·7 + h(day)) mod 500 (in the century's range), which is injective for
 * each day, so no two candidates share day and individual number. Candidates whose check digits cannot be formed (weighted sum
 * remainder 1, about 1 in 11 per digit) are dropped and the first `persons` valid ones kept.
 * That bounds the population at about 36525 · 500 · 0.83 ≈ 15 million persons.
 */
import { ATC, CANCER_SITES, DEATH_CAUSES, HEALTH_TRUST, ICD10, MUNICIPALITY, codesOf } from '../catalog/index.ts';
import { lit } from './duckdb.ts';

export const MAX_PERSONS = 15_000_000;
const DAYS = 36525;
/** 2010-01-01 .. 2024-12-31: the period the event registers cover. */
const EVENT_START = "DATE '2010-01-01'";
const EVENT_DAYS = 5479;

const listLit = (codes: string[]) => `[${codes.map(lit).join(', ')}]`;

/** `hash(seed, expr, tag) % m` as BIGINT. */
const rnd = (seed: number, expr: string, tag: string, m: number) => `CAST(hash(${seed}, ${expr}, '${tag}') % ${m} AS BIGINT)`;

/**
 * Picks from `codes` with a skewed distribution (index ∝ u², so early codes are common and late ones rare),
 * which makes frequency tables and disclosure suppression realistic.
 */
const pick = (seed: number, expr: string, tag: string, codes: string[]) =>
  `${listLit(codes)}[1 + CAST(floor(${codes.length} * pow(${rnd(seed, expr, tag, 1_000_000)} / 1000000.0, 2)) AS BIGINT)]`;

/** Creates temp table `persons(idx, fnr, birth_date, sex, municipality, death_date)` with `persons` rows. */
export function personsSql(seed: number, persons: number): string {
  const candidates = Math.ceil(persons * 1.35) + 200;
  const s1 = seed % DAYS;
  const digitSum = (w: number[], extra = '') =>
    `(${w[0]}*(dd//10) + ${w[1]}*(dd%10) + ${w[2]}*(mm//10) + ${w[3]}*(mm%10) + ${w[4]}*(yy//10) + ${w[5]}*(yy%10)` +
    ` + ${w[6]}*(ind//100) + ${w[7]}*((ind//10)%10) + ${w[8]}*(ind%10)${extra})`;
  return `
CREATE OR REPLACE TEMP TABLE persons AS
WITH c AS (
  SELECT i, DATE '1925-01-01' + CAST(day_idx AS INTEGER) AS birth_date,
         (i // ${DAYS}) * 7 + ${rnd(seed, 'day_idx', 'ind', 500)} AS slot
  FROM (SELECT i, (i * 7919 + ${s1}) % ${DAYS} AS day_idx FROM range(${candidates}) t(i))
), d AS (
  SELECT i, birth_date,
         CAST(day(birth_date) AS BIGINT) AS dd, CAST(month(birth_date) AS BIGINT) AS mm,
         CAST(year(birth_date) % 100 AS BIGINT) AS yy,
         CAST(CASE WHEN year(birth_date) < 2000 THEN 0 ELSE 500 END + slot % 500 AS BIGINT) AS ind
  FROM c
), k1 AS (
  SELECT *, 11 - ${digitSum([3, 7, 6, 1, 8, 9, 4, 5, 2])} % 11 AS r1 FROM d
), k1v AS (
  SELECT *, CASE r1 WHEN 11 THEN 0 ELSE r1 END AS c1 FROM k1 WHERE r1 <> 10
), k2 AS (
  SELECT *, 11 - ${digitSum([5, 4, 3, 2, 7, 6, 5, 4, 3], ' + 2*c1')} % 11 AS r2 FROM k1v
), valid AS (
  SELECT i, birth_date, dd, mm, yy, ind, c1, CASE r2 WHEN 11 THEN 0 ELSE r2 END AS c2 FROM k2 WHERE r2 <> 10
  ORDER BY i LIMIT ${persons}
), numbered AS (
  SELECT row_number() OVER (ORDER BY i) - 1 AS idx, * FROM valid
)
SELECT idx,
       lpad(dd::VARCHAR, 2, '0') || lpad(mm::VARCHAR, 2, '0') || lpad(yy::VARCHAR, 2, '0')
         || lpad(ind::VARCHAR, 3, '0') || c1::VARCHAR || c2::VARCHAR AS fnr,
       birth_date,
       CASE WHEN ind % 2 = 1 THEN '1' ELSE '2' END AS sex,
       ${pick(seed, 'idx', 'mun', codesOf(MUNICIPALITY))} AS municipality,
       CASE WHEN (year(birth_date) < 1950 AND ${rnd(seed, 'idx', 'dead', 100)} < 45)
              OR ${rnd(seed, 'idx', 'dead', 100)} < 3
            THEN greatest(birth_date, ${EVENT_START}) + CAST(${rnd(seed, 'idx', 'dday', EVENT_DAYS)}
                 * (DATE '2024-12-31' - greatest(birth_date, ${EVENT_START})) // ${EVENT_DAYS} AS INTEGER)
       END AS death_date
FROM numbered`;
}

/** An event date in 2010..2024, on or after birth and on or before death. */
const eventDate = (seed: number, tag: string) =>
  `least(coalesce(p.death_date, DATE '2024-12-31'), greatest(p.birth_date, ${EVENT_START} + CAST(${rnd(seed, 'e.i', tag, EVENT_DAYS)} AS INTEGER)))`;

/** SELECT producing the register `name`, from temp table `persons` (with `persons` rows) and `rows` events. */
export function registerSql(name: string, seed: number, rows: number, persons: number): string {
  const person = (tag: string) => `(SELECT i, ${rnd(seed, 'i', tag, persons)} AS pidx FROM range(${rows}) t(i)) e JOIN persons p ON p.idx = e.pidx`;
  switch (name) {
    case 'population':
      return `SELECT fnr, birth_date, sex, municipality, death_date FROM persons ORDER BY idx`;
    case 'patient_episodes':
      return `
SELECT fnr, episode_id, admission_date, admission_date + CAST(length_of_stay AS INTEGER) AS discharge_date, health_trust, care_level,
       main_diagnosis, secondary_diagnosis, length_of_stay
FROM (
  SELECT p.fnr, e.i + 1 AS episode_id, ${eventDate(seed, 'adm')} AS admission_date,
         ${pick(seed, 'e.i', 'hf', codesOf(HEALTH_TRUST))} AS health_trust,
         CASE WHEN ${rnd(seed, 'e.i', 'lvl', 10)} < 2 THEN '1' WHEN ${rnd(seed, 'e.i', 'lvl', 10)} < 3 THEN '2' ELSE '3' END AS care_level,
         ${pick(seed, 'e.i', 'dx', codesOf(ICD10))} AS main_diagnosis,
         CASE WHEN ${rnd(seed, 'e.i', 'dx2?', 10)} < 4 THEN ${pick(seed, 'e.i', 'dx2', codesOf(ICD10))} END AS secondary_diagnosis,
         CASE WHEN ${rnd(seed, 'e.i', 'lvl', 10)} < 2 THEN 1 + ${rnd(seed, 'e.i', 'los', 14)} ELSE 0 END AS length_of_stay,
         e.i AS ord
  FROM ${person('ep')}
) ORDER BY ord`;
    case 'prescriptions':
      return `
SELECT p.fnr, ${eventDate(seed, 'disp')} AS dispense_date,
       ${pick(seed, 'e.i', 'atc', codesOf(ATC))} AS atc_code,
       round(7 + ${rnd(seed, 'e.i', 'ddd', 1000)} / 10.0, 1) AS ddd,
       1 + ${rnd(seed, 'e.i', 'pk', 3)} AS packages
FROM ${person('rx')} ORDER BY e.i`;
    case 'cause_of_death':
      return `
SELECT fnr, death_date, ${pick(seed, 'idx', 'cod', DEATH_CAUSES)} AS underlying_cause,
       CAST(1 + ${rnd(seed, 'idx', 'pod', 4)} AS VARCHAR) AS place_of_death,
       ${rnd(seed, 'idx', 'aut', 10)} = 0 AS autopsy
FROM persons WHERE death_date IS NOT NULL ORDER BY idx`;
    case 'cancer': {
      const female = CANCER_SITES.filter((c) => c !== 'C61');
      const male = CANCER_SITES.filter((c) => c !== 'C50' && c !== 'C53');
      return `
SELECT fnr, diagnosis_date, site, stage, basis, tumour_size FROM (
  SELECT p.fnr, ${eventDate(seed, 'cdx')} AS diagnosis_date,
         CASE WHEN p.sex = '2' THEN ${pick(seed, 'e.i', 'site', female)} ELSE ${pick(seed, 'e.i', 'site', male)} END AS site,
         ['0', '1', '2', '9'][1 + ${rnd(seed, 'e.i', 'stg', 4)}] AS stage,
         ['22', '32', '60', '72', '72', '72'][1 + ${rnd(seed, 'e.i', 'bas', 6)}] AS basis,
         CASE WHEN ${rnd(seed, 'e.i', 'tsz?', 5)} > 0 THEN 2 + ${rnd(seed, 'e.i', 'tsz', 80)} END AS tumour_size,
         e.i AS ord
  FROM ${person('ca')}
) ORDER BY ord`;
    }
    default:
      throw new Error(`no generator for register ${name}`);
  }
}

/** Row counts per register for `--rows N`: N events in the two big registers, N/10 persons. */
export function sizes(rows: number): { persons: number; episodes: number; prescriptions: number; cancer: number } {
  const persons = Math.max(100, Math.ceil(rows / 10));
  return { persons, episodes: rows, prescriptions: rows, cancer: Math.max(10, Math.ceil(persons / 20)) };
}
