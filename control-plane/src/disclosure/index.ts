/**
 * Output checks of the export airlock: disclosure rules on tables computed in
 * DuckDB (ACRO's rules and stricter ones), the differencing check against
 * earlier releases, and content checks on files. Pure of HTTP and storage:
 * the exports workflow calls these and keeps the results.
 */
export { AGGFUNCS, type AggFunc, type NormalizedSpec, type TableSpec } from './table-spec.ts';
export type { TableSource } from './table-source.ts';
export type { Label } from './table-stats.ts';
export type { CellRule, Status } from './table-rules.ts';
export {
  checkTable,
  ledgerTableOf,
  type CellRef,
  type CheckedTable,
  type TableCheckRequest,
  type TableCheckResult,
  type TableRuleResults,
} from './table-check.ts';
export { checkDifferencing, type DifferencingFinding, type LedgerTable } from './differencing.ts';
export {
  checkFile,
  checkFileBytes,
  checkRequestSize,
  type FileCheckOptions,
  type FileCheckResult,
  type FileFinding,
} from './file-check.ts';
export type { FileStatus } from './file-result.ts';
export { budgetRefusal, numberTokens, scanFileBytes } from './scan-pool.ts';
export type { FileKind, FileType } from './file-type.ts';
export { isNationalIdNumber, type TextFinding } from './text-scan.ts';
export { FileCheckResultSchema, TableCheckReportSchema } from './result-schemas.ts';

export type { FileCheckReport } from './result-schemas.ts';
export { TableSpecSchema } from './table-spec.ts';
export { checkRegression, parseRegressionSpec, type RegressionCheckRequest, type RegressionRules } from './regression.ts';
export type { RegressionReport, RegressionSpec } from './regression-schemas.ts';
export { checkSurvival, parseSurvivalSpec, type SurvivalCheckRequest } from './survival.ts';
export { SurvivalReportSchema, type SurvivalReport, type SurvivalSpec } from './survival-report.ts';
export { checkHistogram, parseHistogramSpec, type HistogramCheckRequest } from './histogram.ts';
export { checkPie, parsePieSpec, type PieCheckRequest } from './pie.ts';
export {
  HistogramReportSchema,
  PieReportSchema,
  type HistogramReport,
  type HistogramSpec,
  type PieReport,
  type PieSpec,
} from './histogram-report.ts';
export { matchPlot } from './plot-match.ts';
