/**
 * The explorer's engine: runs a checked query over the explore files of the current register
 * versions in one DuckDB instance it keeps (a connection per query, interrupted after the policy's
 * budget) and protects every cell before anything leaves it: suppression under the threshold, then
 * the cell-key perturbation (`ptable.ts`), magnitudes under nk and p% (`magnitudes.ts`).
 * No exact count of a cell is ever returned by this module.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { CodeList, Dataset } from '../catalog/index.ts';
import { openDuck } from '../data-copies/index.ts';
import { InputError, RequestTimeoutError, TooLargeError } from '../errors/index.ts';
import type { ExploreRules } from '../policies/index.ts';
import { judgeMeasure, type MeasureCell } from './magnitudes.ts';
import { planQuery, planSql, type QueryPlan } from './plan.ts';
import { buildPerturbationTable, protectCount, type PerturbationTable } from './ptable.ts';
import { ensureExploreFile } from './record-keys.ts';
import type { ExploreCell, ExploreQuery } from './schemas.ts';

export interface ExploreResult {
  versions: { dataset: string; version: string }[];
  by: string[];
  cells: ExploreCell[];
}

export interface ExploreEngine {
  /** Checks a query against the catalogue (400s naming the field) without running it. */
  plan(query: ExploreQuery, catalogue: Dataset[]): QueryPlan;
  run(plan: QueryPlan, query: ExploreQuery, catalogue: Dataset[], rules: ExploreRules, codeLists?: CodeList[]): Promise<ExploreResult>;
  /** DuckDB's bare count of the same query (no keys, no protection), for the bench. */
  bare(plan: QueryPlan, query: ExploreQuery, catalogue: Dataset[]): Promise<number>;
  close(): void;
}

export interface EngineDeps {
  dataDir: string;
  /** Hex of the record-key secret (`record-keys.ts`). */
  recordKeySecret(): Promise<string>;
  threads?: number;
  memoryLimit?: string;
}

type Row = Record<string, unknown>;

/**
 * Whether a suppressed cell may show its label: only when the label is a category anyone could
 * name without the data (a code of the variable's code list, a year, true/false, or missing).
 * A suppressed cell says "fewer than the threshold", and a label from the data itself (an integer
 * or a free string, such as `patient_episodes.episode_id`, "unique within the register") would list
 * the register's values one person at a time, in a cohort narrowed to a handful of persons their
 * exact values. Such a cell is left out: absent and suppressed both mean fewer than the threshold.
 */
function isPublicLabel(p: QueryPlan['by'][number], list: CodeList | undefined, label: string | null): boolean {
  if (label === null || p.variable.type === 'date' || p.variable.type === 'boolean') return true;
  if (!p.variable.codeList) return false;
  return list ? list.codes.some((c) => c.code === label) : true;
}

export function createExploreEngine(deps: EngineDeps): ExploreEngine {
  let duck: Promise<{ instance: DuckDBInstance; close(): void }> | null = null;
  const tables = new Map<string, PerturbationTable>();
  const instance = () => (duck ??= openDuck({ threads: deps.threads ?? 2, memoryLimit: deps.memoryLimit ?? '2GB' }));
  const connect = async (): Promise<DuckDBConnection> => (await instance()).instance.connect();

  function tableFor(rules: ExploreRules): PerturbationTable {
    const k = `${rules.maxNoise}/${rules.noiseVariance}`;
    let t = tables.get(k);
    if (!t) tables.set(k, (t = buildPerturbationTable(rules.maxNoise, rules.noiseVariance)));
    return t;
  }

  async function files(plan: QueryPlan): Promise<{ files: Map<string, string>; versions: ExploreResult['versions'] }> {
    const secretHex = await deps.recordKeySecret();
    const files = new Map<string, string>();
    const versions: ExploreResult['versions'] = [];
    for (const d of [...plan.datasets, ...plan.cohortDatasets]) {
      if (files.has(d.name)) continue;
      const version = d.versions.at(-1);
      if (!version) throw new InputError(`dataset ${d.name} has no stored version yet`, { reason: 'explore_no_version', details: { dataset: d.name } });
      files.set(d.name, await ensureExploreFile(connect, { dataDir: deps.dataDir, dataset: d, version, secretHex }));
      versions.push({ dataset: d.name, version: version.version });
    }
    return { files, versions };
  }

  async function rows(sql: string, budgetMs: number): Promise<Row[]> {
    const conn = await connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, budgetMs);
    try {
      return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[];
    } catch (err) {
      if (timedOut) throw new RequestTimeoutError(`the query took longer than ${budgetMs} ms`, { reason: 'request_timeout' });
      throw err;
    } finally {
      clearTimeout(timer);
      conn.closeSync();
    }
  }

  const labelsOf = (r: Row, cols: string[]) => cols.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c])));

  return {
    plan: planQuery,
    async run(plan, query, catalogue, rules, codeLists = []) {
      const lists = plan.by.map((p) => codeLists.find((l) => l.id === p.variable.codeList));
      const { files: paths, versions } = await files(plan);
      const sql = planSql(plan, query, catalogue, paths, rules.nk.n);
      const counted = await rows(`${sql.count} LIMIT ${rules.maxCells + 1}`, rules.queryBudgetMs);
      if (counted.length > rules.maxCells) {
        throw new TooLargeError(`the query has more than ${rules.maxCells} cells; break it down by fewer variables`, {
          reason: 'explore_too_many_cells',
          details: { maxCells: rules.maxCells },
        });
      }
      const measures = new Map<string, MeasureCell>();
      if (sql.stats) {
        for (const r of await rows(sql.stats, rules.queryBudgetMs)) {
          const q = r.q as number[] | null;
          measures.set(JSON.stringify(labelsOf(r, sql.cells)), {
            nn: Number(r.nn),
            total: Number(r.total ?? 0),
            mean: r.mean === null ? null : Number(r.mean),
            q: q ? q.map(Number) : null,
            top: ((r.top as number[] | null) ?? []).map(Number),
          });
        }
      }
      const table = tableFor(rules);
      const cells = counted.map((r): ExploreCell => {
        const labels = labelsOf(r, sql.cells);
        const n = Number(r.persons);
        const persons = protectCount(table, rules.threshold, n, Number(r.pkey));
        // A record count is shown only beside a shown person count: records ≥ persons.
        const records = persons === null ? null : protectCount(table, rules.threshold, Number(r.records), Number(r.rkey));
        const names = labels.map((l, i) => (l === null ? null : (lists[i]?.codes.find((c) => c.code === l)?.label ?? null)));
        const cell: ExploreCell = { labels, names, persons, records, suppressed: persons === null };
        if (sql.stats) {
          const m = measures.get(JSON.stringify(labels)) ?? { nn: 0, total: 0, mean: null, q: null, top: [] };
          cell.stats = judgeMeasure(m, n, rules, Number(r.pkey));
        }
        return cell;
      });
      return {
        versions,
        by: plan.by.map((p) => p.name),
        cells: cells.filter((c) => !c.suppressed || c.labels.every((l, i) => isPublicLabel(plan.by[i]!, lists[i], l))),
      };
    },
    async bare(plan, query, catalogue) {
      const { files: paths } = await files(plan);
      return (await rows(planSql(plan, query, catalogue, paths, 2).bare, 600_000)).length;
    },
    close() {
      const d = duck;
      duck = null;
      void d?.then((x) => x.close());
    },
  };
}
