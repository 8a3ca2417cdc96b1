/** Demo mode's people, project and permit (`seed.ts`). */
