/**
 * The airlock's use of the table check engine: a table named by its source (a file of the
 * project's data copy, or a file in the requester's `/outputs`) and its spec, recomputed in a
 * private DuckDB and judged under the project's policy, with the project's released tables as
 * the differencing ledger. Also the pseudonym lookup the file checks use.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck } from '../data-copies/index.ts';
import { DomainError, InputError, NotFoundError } from '../errors/index.ts';
import { checkTable, ledgerTableOf, type LedgerTable, type TableCheckResult } from '../disclosure/index.ts';
import type { PlatformPaths } from '../platform/index.ts';
import { DEFAULT_CHECK_BUDGET_MS, type TableRules } from '../policies/index.ts';
import { copyHashed, openUnder } from './staging.ts';
import type { TableRequest, TableSourceRef } from './schemas.ts';
import { TABLE_SOURCE_MAX_BYTES, tableScratch, type TableScratch } from './table-scratch.ts';

export { TableRequestSchema, type TableRequest } from './schemas.ts';

/** One check's DuckDB: bounded so that a check spills or fails rather than taking the control plane's memory. */
export const CHECK_MEMORY = '1GB';

export interface AirlockTableCheck {
  /** What the check engine returned, without the ledger (true counts stay inside). */
  result: Omit<TableCheckResult, 'ledger'>;
  /** The table's record counts for the differencing ledger. */
  ledger: Omit<LedgerTable, 'id' | 'source'>;
  source: { kind: 'copy'; version: number; file: string } | { kind: 'output'; file: string; sha256: string };
}

/** The newest approved copy of the project, or null when there is none. */
export async function latestCopy(paths: PlatformPaths, projectId: string): Promise<{ dir: string; version: number } | null> {
  let names: string[];
  try {
    names = await readdir(paths.copies(projectId));
  } catch {
    return null;
  }
  const versions = names
    .map((n) => /^v(\d+)$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]));
  if (versions.length === 0) return null;
  const version = Math.max(...versions);
  return { dir: paths.copy(projectId, version), version };
}

export async function checkTableRequest(opts: {
  paths: PlatformPaths;
  projectId: string;
  userId: string;
  request: TableRequest;
  rules: TableRules;
  earlier: readonly LedgerTable[];
  /**
   * The most bytes of an `/outputs` file copied for the check: the policy's `files.maxRequestBytes`
   * (what a request may stage at all), never above `TABLE_SOURCE_MAX_BYTES`. Larger records belong
   * in the data copy, not in `/outputs`.
   */
  maxSourceBytes?: number;
  /** Bounds concurrent checks and holds their copies; the control plane's one by default. */
  scratch?: TableScratch;
}): Promise<AirlockTableCheck> {
  const scratch = opts.scratch ?? tableScratch;
  return scratch.withSlot(opts.paths.dataDir, (folder) => checkWithin(opts, folder));
}

async function checkWithin(opts: Parameters<typeof checkTableRequest>[0], folder: () => Promise<string>): Promise<AirlockTableCheck> {
  const { request } = opts;
  const spill = await mkdtemp(join(tmpdir(), 'tre-table-spill-'));
  const duck = await openDuck({ threads: 2, memoryLimit: CHECK_MEMORY, tempDir: spill });
  try {
    const { file, source } = await stageCheckSource({ ...opts, source: request.source }, folder);
    // A room's file is room content: no error may echo its header or lines back (DuckDB's do).
    const fromRoom = source.kind === 'output';
    const budget = opts.rules.checkBudgetMs ?? DEFAULT_CHECK_BUDGET_MS;
    const checked = await withinBudget(duck.conn, budget, fromRoom, () =>
      checkTable(duck.conn, { source: { file }, spec: request.spec, rules: opts.rules, earlier: opts.earlier, quoteSource: !fromRoom }),
    );
    const { ledger: _ledger, ...result } = checked;
    const { id: _id, source: _source, ...ledger } = ledgerTableOf(checked, '', '');
    return { result, ledger, source };
  } finally {
    duck.close();
    await rm(spill, { recursive: true, force: true });
  }
}

/** Where a check's records are read from: the copy's file itself, or a private copy of the room's `/outputs` file. */
export interface StagedCheckSource {
  file: string;
  source: AirlockTableCheck['source'];
}

/**
 * The file a check named, made safe to read: a file of the project's newest copy, or the bytes of
 * a file in the requester's `/outputs` copied (hashed, at most `maxSourceBytes`) into `folder()`,
 * so the room cannot swap the file under DuckDB. Every airlock check reads its source through this.
 */
export async function stageCheckSource(
  opts: { paths: PlatformPaths; projectId: string; userId: string; source: TableSourceRef; maxSourceBytes?: number },
  folder: () => Promise<string>,
): Promise<StagedCheckSource> {
  const maxSourceBytes = Math.min(opts.maxSourceBytes ?? TABLE_SOURCE_MAX_BYTES, TABLE_SOURCE_MAX_BYTES);
  if ('copy' in opts.source) {
    const copy = await latestCopy(opts.paths, opts.projectId);
    if (!copy) throw new NotFoundError('the project has no data copy yet', { reason: 'no_data_copy' });
    const file = join(copy.dir, opts.source.copy);
    const st = await lstat(file).catch(() => null);
    if (!st?.isFile()) throw new NotFoundError(`the data copy has no file '${opts.source.copy}'`, { reason: 'no_such_file' });
    return { file, source: { kind: 'copy', version: copy.version, file: opts.source.copy } };
  }
  const opened = await openUnder(opts.paths.outputs(opts.projectId, opts.userId), opts.source.output, maxSourceBytes);
  try {
    const staged = await copyHashed(opened.handle, join(await folder(), 'source'), maxSourceBytes);
    return { file: staged.path, source: { kind: 'output', file: opened.rel, sha256: staged.sha256 } };
  } finally {
    await opened.handle.close();
  }
}

/**
 * Runs a check's queries under the policy's budget (`tables.checkBudgetMs`): past it DuckDB is
 * interrupted and the check refused. A failure reading a room's file is answered without
 * DuckDB's message, which can quote the file's lines.
 */
export async function withinBudget<T>(conn: DuckDBConnection, budget: number, fromRoom: boolean, run: () => Promise<T>): Promise<T> {
  let overBudget = false;
  let repeat: NodeJS.Timeout | undefined;
  // DuckDB forgets an interrupt that falls between two queries: once over budget, keep
  // interrupting until the check gives up.
  const timer = setTimeout(() => {
    overBudget = true;
    conn.interrupt();
    repeat = setInterval(() => conn.interrupt(), 20);
  }, budget);
  try {
    return await run();
  } catch (err) {
    if (overBudget) {
      throw new InputError(`the check took longer than the policy's ${budget} ms (tables.checkBudgetMs) and was stopped`, {
        reason: 'table_check_over_budget',
        details: { limit: budget },
      });
    }
    if (!fromRoom || err instanceof DomainError) throw err;
    throw new InputError('the data cannot be read as the spec asks', { reason: 'unreadable_data' });
  } finally {
    clearTimeout(timer);
    clearInterval(repeat);
  }
}

/**
 * A lookup of which numbers in an output are pseudonyms of the project: the `person_id`
 * columns of the newest copy's Parquet files. No copy: nothing matches.
 */
export function pseudonymLookup(paths: PlatformPaths, projectId: string): (candidates: string[]) => Promise<Set<string>> {
  return async (candidates) => {
    const copy = await latestCopy(paths, projectId);
    const digits = candidates.filter((c) => /^\d{1,20}$/.test(c)).slice(0, 50_000);
    if (!copy || digits.length === 0) return new Set();
    const files = (await readdir(copy.dir)).filter((n) => n.endsWith('.parquet'));
    if (files.length === 0) return new Set();
    const duck = await openDuck({ threads: 2, memoryLimit: CHECK_MEMORY });
    try {
      await duck.conn.run('CREATE TEMP TABLE candidates (v VARCHAR)');
      for (let i = 0; i < digits.length; i += 1000) {
        await duck.conn.run(
          `INSERT INTO candidates VALUES ${digits
            .slice(i, i + 1000)
            .map((d) => `('${d}')`)
            .join(',')}`,
        );
      }
      const found = new Set<string>();
      for (const name of files) {
        const path = join(copy.dir, name).replaceAll("'", "''");
        const cols = (await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowsJS().map((r) => String(r[0]));
        if (!cols.includes('person_id')) continue;
        const rows = (
          await duck.conn.runAndReadAll(
            `SELECT DISTINCT c.v FROM candidates c JOIN (SELECT DISTINCT CAST(person_id AS VARCHAR) AS v FROM read_parquet('${path}')) p USING (v)`,
          )
        ).getRowsJS();
        for (const r of rows) found.add(String(r[0]));
      }
      return found;
    } catch (err) {
      throw new InputError(`cannot read the data copy for the pseudonym scan: ${(err as Error).message.split('\n')[0]}`, { reason: 'copy_unreadable' });
    } finally {
      duck.close();
    }
  };
}
