/** English labels of the checks part of the UI; spread into `en.ts`. `nb-checks.ts` has the same keys. */
export const enChecks = {} as const;
