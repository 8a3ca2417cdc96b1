/**
 * One check of a kind, run as the airlock runs a table check: in a bounded slot of the control
 * plane's check scratch, the source staged safely (`stageCheckSource`: the copy's file, or a
 * private hashed copy of the room's `/outputs` file), a private DuckDB of bounded memory, and
 * the policy's time budget. The route and the export staging both call this.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuck } from '../data-copies/index.ts';
import type { PlatformPaths } from '../platform/index.ts';
import type { Policy } from '../policies/index.ts';
import { CHECK_KINDS, type CheckKindName } from './check-kinds.ts';
import type { CheckStatus, FileKindCheck, KindCheckRequest } from './schemas.ts';
import { CHECK_MEMORY, stageCheckSource, withinBudget, type StagedCheckSource } from './table-requests.ts';
import { tableScratch, type TableScratch } from './table-scratch.ts';

export interface KindCheckResult {
  kind: CheckKindName;
  /** The spec as the engine read it (defaults filled in). */
  spec: unknown;
  report: { status: CheckStatus } & Record<string, unknown>;
  source: StagedCheckSource['source'];
}

export async function runKindCheck(opts: {
  paths: PlatformPaths;
  projectId: string;
  userId: string;
  kind: CheckKindName;
  request: KindCheckRequest;
  policy: Policy;
  scratch?: TableScratch;
}): Promise<KindCheckResult> {
  const kind = CHECK_KINDS[opts.kind];
  // Refused before anything is read or copied.
  const spec = kind.parseSpec(opts.request.spec);
  const scratch = opts.scratch ?? tableScratch;
  return scratch.withSlot(opts.paths.dataDir, async (folder) => {
    const staged = await stageCheckSource(
      { paths: opts.paths, projectId: opts.projectId, userId: opts.userId, source: opts.request.source, maxSourceBytes: opts.policy.files.maxRequestBytes },
      folder,
    );
    const fromRoom = staged.source.kind === 'output';
    const spill = await mkdtemp(join(tmpdir(), `tre-${opts.kind}-spill-`));
    const duck = await openDuck({ threads: 2, memoryLimit: CHECK_MEMORY, tempDir: spill });
    try {
      const report = await withinBudget(duck.conn, opts.policy.tables.checkBudgetMs, fromRoom, () =>
        kind.compute(duck.conn, { file: staged.file, spec, policy: opts.policy, quoteSource: !fromRoom }),
      );
      return { kind: opts.kind, spec, report, source: staged.source };
    } finally {
      duck.close();
      await rm(spill, { recursive: true, force: true });
    }
  });
}

/**
 * The check of a kind a staged export file names, recomputed at staging from its source and
 * spec, and the file compared with it where the kind can say (a regression's coefficients in a
 * CSV or JSON file). Kept with the file's checks, so its reviewers read the recomputed report.
 */
export async function stagedKindCheck(
  opts: Omit<Parameters<typeof runKindCheck>[0], 'request' | 'kind'> & { request: KindCheckRequest & { kind: CheckKindName } },
  bytes: Buffer,
  contentKind: string,
): Promise<{ check: FileKindCheck; statuses: CheckStatus[] }> {
  const { kind, ...request } = opts.request;
  const checked = await runKindCheck({ ...opts, kind, request });
  const match = CHECK_KINDS[kind].match?.(bytes, contentKind, checked.report) ?? null;
  const check = { kind, source: checked.source, spec: checked.spec, report: checked.report, match } as FileKindCheck;
  return { check, statuses: [checked.report.status, match && !match.matches ? 'review' : 'pass'] };
}

/**
 * A check's report (a table's or a kind's) is never shown outside the room, passing or not: its
 * numbers are the data's, and an answer outside the room is a release without a reviewer. A file
 * the room wrote is the room's to shape (twelve copies of a line make a passing cell labelled with
 * any text); and passing answers of the copy can be subtracted from one another (a histogram's
 * edge moved by half a year gives one person's age, a tracker attack), which only the review of
 * what is exported, against the project's earlier releases, stands in the way of. Inside the room
 * the researcher sees everything, as the room holds the data anyway; reviewers see everything.
 */
export const shownOutsideRoom = (_status: CheckStatus, _source: { kind: 'copy' | 'output' }): boolean => false;

/** A kind's report as shown outside the room: whole when `shownOutsideRoom`, else its withheld form with its true verdict. */
export function kindReportOutsideRoom(kind: CheckKindName, report: KindCheckResult['report'], source: { kind: 'copy' | 'output' }): Record<string, unknown> {
  if ('withheld' in report || shownOutsideRoom(report.status, source)) return report;
  return { ...CHECK_KINDS[kind].withhold(report), status: report.status };
}

/** A staged file's check of a kind as a member sees it outside the room: a report not `shownOutsideRoom` is withheld, and so are the names it would quote. */
export function kindCheckForMember(check: FileKindCheck): FileKindCheck {
  const report = kindReportOutsideRoom(check.kind, check.report, check.source);
  if (report === check.report) return check;
  return { ...check, report, match: check.match && { ...check.match, mismatched: [] } } as FileKindCheck;
}
