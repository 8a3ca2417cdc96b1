/** The catalogue: datasets (registers), variables, code lists, FAIR scores and the variable explorer. */
export * from './schema.ts';
export * from './code-lists.ts';
export * from './demo-catalogue.ts';
export { fairScore, type FairScore } from './fair.ts';
export { searchVariables, type VariableQuery, type VariableHit } from './search.ts';
export { valueDistribution, suppress, type Distribution, type DistributionCell } from './distribution.ts';
export { saveCatalogue, loadCatalogue, recordDatasetVersion, latestVersion } from './store.ts';
export { catalogRoutes } from './routes.ts';
