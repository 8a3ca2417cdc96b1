/** The catalogue: datasets (registers), variables, code lists, FAIR scores and the variable explorer. */
export * from './model.ts';
export * from './schemas.ts';
export * from './code-lists.ts';
export * from './demo-catalogue.ts';
export { fairScore } from './fair.ts';
export { searchVariables, type VariableQuery } from './search.ts';
export { valueDistribution, suppress } from './distribution.ts';
export { saveCatalogue, loadCatalogue, recordDatasetVersion, latestVersion } from './store.ts';
export { catalogRoutes } from './routes.ts';
