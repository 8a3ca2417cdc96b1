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

/** A staged file's check of a kind as a member sees it outside the room: a report that did not pass is withheld, and so are the names it would quote. */
export function kindCheckForMember(check: FileKindCheck): FileKindCheck {
  if (check.report.status === 'pass' || 'withheld' in check.report) return check;
  const withheld = CHECK_KINDS[check.kind].withhold(check.report);
  return { ...check, report: withheld, match: check.match && { ...check.match, mismatched: [] } } as FileKindCheck;
}
