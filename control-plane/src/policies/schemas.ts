/** The policies' part of the API contract: the rule sets an export request shows it was checked under. Pure zod. */
export * from './schema.ts';
