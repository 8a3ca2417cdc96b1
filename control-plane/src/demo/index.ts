/** Demo mode's people, project and permit (`seed.ts`). */

export { DEMO_PROJECT_TITLE, DEMO_USERS, seedDemo } from './seed.ts';
