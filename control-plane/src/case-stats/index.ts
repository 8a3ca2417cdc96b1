/**
 * Case metrics (issue 15 item 4): the programme's baseline measurement of case handling — how many
 * applications, how long from submission to decision, permit and first data copy, with the time
 * paused for the applicant apart — read from applications, their case history, permits and copies.
 */
export { caseStatsRoutes, type CaseStatsOptions } from './routes.ts';
export * from './schemas.ts';
