/** Demo mode's people, project and permit (`seed.ts`). */

export { DEMO_USERS, seedDemo } from './seed.ts';
