/** The catalogue: datasets (registers), variables, code lists, FAIR scores and the variable explorer. */
export * from './schema.ts';
export * from './code-lists.ts';
export * from './demo-catalogue.ts';
