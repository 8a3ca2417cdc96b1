/**
 * The registry of the airlock's checks other than tables: `regression` (this file's first
 * entry), `survival` and `histogram` (added beside it). Each kind says how its spec is read
 * (errors naming the field), how its report is computed from a source file under the project's
 * policy, what of a report outside the room may show when it did not pass (its numbers are data:
 * as `table-answer.ts` for tables), the schema of its API answer, and optionally how an exported
 * file is compared with the recomputed report. Everything else is shared: the source is staged
 * safely (`stageCheckSource`), the queries run under the policy's budget, the routes
 * (`check-kind-routes.ts`, `POST /api/projects/:projectId/outputs/check-<kind>`, audited as
 * `output.check-<kind>`) and the export staging (`export-requests.ts`) read this table.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { z } from 'zod';
import {
  checkHistogram,
  checkPie,
  checkRegression,
  checkSurvival,
  matchPlot,
  parseHistogramSpec,
  parsePieSpec,
  parseRegressionSpec,
  parseSurvivalSpec,
  type HistogramReport,
  type HistogramSpec,
  type PieReport,
  type PieSpec,
  type RegressionReport,
  type RegressionSpec,
  type SurvivalReport,
  type SurvivalSpec,
} from '../disclosure/index.ts';
import type { Policy } from '../policies/index.ts';
import { matchRegression } from './regression-match.ts';
import {
  histogramCheckAnswerSchema,
  pieCheckAnswerSchema,
  regressionCheckAnswerSchema,
  survivalCheckAnswerSchema,
  type CheckStatus,
  type KindMatch,
} from './schemas.ts';

export interface KindCheckInput<Spec> {
  /** A file DuckDB may read: the copy's own, or the airlock's private copy of a room's file. */
  file: string;
  spec: Spec;
  policy: Policy;
  /** Whether an error may repeat DuckDB's message (never for a room's file: it can quote its lines). */
  quoteSource: boolean;
}

export interface CheckKind<Spec, Report extends { status: CheckStatus }, Withheld extends { status: CheckStatus }> {
  /** The route's summary (OpenAPI). */
  summary: string;
  /** The spec as the engine reads it, or an `InputError` naming the field. */
  parseSpec(input: unknown): Spec;
  compute(conn: DuckDBConnection, input: KindCheckInput<Spec>): Promise<Report>;
  /** What is shown outside the room of a report that did not pass. */
  withhold(report: Report): Withheld;
  /** The API answer: the report or its withheld form, with `source`, `spec`, `checkedAt`, `checkedFor`, `policy`. */
  answerSchema: z.ZodType;
  /** Whether an exported file (its bytes, detected as `contentKind`) holds the report; null when it cannot say. */
  match?(bytes: Buffer, contentKind: string, report: Report): KindMatch | null;
}

/** A kind with its types checked, stored in the registry with them erased. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds kinds of different spec and report types
export type AnyCheckKind = CheckKind<any, any, any>;
const defineCheckKind = <S, R extends { status: CheckStatus }, W extends { status: CheckStatus }>(kind: CheckKind<S, R, W>): AnyCheckKind => kind;

const regression = defineCheckKind({
  summary: "Fit an OLS, logit or probit model to a file of the project's copy or of my /outputs and check it under the project's policy (residual dof)",
  parseSpec: (input): RegressionSpec => parseRegressionSpec(input),
  compute: (conn, { file, spec, policy, quoteSource }): Promise<RegressionReport> =>
    checkRegression(conn, { source: { file }, spec, rules: policy.tables, quoteSource }),
  // The estimates and the record count are data; the rule and its threshold are policy.
  withhold: (report: RegressionReport) => ({
    status: 'fail' as const,
    method: report.method,
    rules: {
      dof: { threshold: report.rules.dof.threshold, passed: report.rules.dof.passed },
      ...(report.rules.levels ? { levels: { threshold: report.rules.levels.threshold, passed: report.rules.levels.passed } } : {}),
    },
    withheld: {
      reason: 'check_only_in_room' as const,
      detail: 'a regression that did not pass is shown only inside the room; run the check there (analyserom-airlock check-regression)',
    },
  }),
  answerSchema: regressionCheckAnswerSchema,
  match: matchRegression,
});

const inRoomOnly = (check: string) => ({
  reason: 'check_only_in_room' as const,
  detail: `a ${check} that did not pass is shown only inside the room; run the check there`,
});

const survival = defineCheckKind({
  summary: "Compute a Kaplan-Meier table from a file of the project's copy or of my /outputs and check it under the project's policy (events per step)",
  parseSpec: (input): SurvivalSpec => parseSurvivalSpec(input),
  compute: (conn, { file, spec, policy, quoteSource }): Promise<SurvivalReport> =>
    checkSurvival(conn, { source: { file }, spec, rules: policy.tables, quoteSource }),
  // Steps, counts and estimates are data; the rule is policy.
  withhold: (report: SurvivalReport) => ({
    status: report.status === 'pass' ? ('review' as const) : report.status,
    method: report.method,
    rule: report.rule,
    withheld: inRoomOnly('survival table'),
  }),
  answerSchema: survivalCheckAnswerSchema,
  match: (bytes, contentKind, report: SurvivalReport) => matchPlot(bytes, contentKind, report.plot),
});

const histogram = defineCheckKind({
  summary:
    "Count a histogram's bins from a file of the project's copy or of my /outputs, check them under the project's policy, and render the plot when they pass",
  parseSpec: (input): HistogramSpec => parseHistogramSpec(input, Number.MAX_SAFE_INTEGER),
  compute: (conn, { file, spec, policy, quoteSource }): Promise<HistogramReport> =>
    checkHistogram(conn, { source: { file }, spec, rules: policy.tables, quoteSource }),
  withhold: (report: HistogramReport) => ({
    status: report.status === 'pass' ? ('review' as const) : report.status,
    column: report.column,
    withheld: inRoomOnly('histogram'),
  }),
  answerSchema: histogramCheckAnswerSchema,
  match: (bytes, contentKind, report: HistogramReport) => matchPlot(bytes, contentKind, report.plot),
});

const pie = defineCheckKind({
  summary:
    "Count a pie chart's categories from a file of the project's copy or of my /outputs, check them under the project's policy, and render the chart when they pass",
  parseSpec: (input): PieSpec => parsePieSpec(input),
  compute: (conn, { file, spec, policy, quoteSource }): Promise<PieReport> => checkPie(conn, { source: { file }, spec, rules: policy.tables, quoteSource }),
  withhold: (report: PieReport) => ({
    status: report.status === 'pass' ? ('review' as const) : report.status,
    column: report.column,
    withheld: inRoomOnly('pie chart'),
  }),
  answerSchema: pieCheckAnswerSchema,
  match: (bytes, contentKind, report: PieReport) => matchPlot(bytes, contentKind, report.plot),
});

export const CHECK_KINDS = {
  regression,
  survival,
  histogram,
  pie,
} satisfies Record<string, AnyCheckKind>;

export type CheckKindName = keyof typeof CHECK_KINDS;
export const CHECK_KIND_NAMES = Object.keys(CHECK_KINDS) as [CheckKindName, ...CheckKindName[]];
