/**
 * The check engine's part of the API contract: the shapes of table specs and of check results
 * that the airlock answers. Pure zod (see `.dependency-cruiser.cjs`, contracts-stay-pure), so the
 * web UI's type check can read it.
 */
export * from './result-schemas.ts';
export { TableSpecSchema, type TableSpec, type AggFunc } from './table-spec.ts';
export * from './regression-schemas.ts';
export * from './survival-report.ts';
export * from './histogram-report.ts';
