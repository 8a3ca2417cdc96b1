/** English labels of the cases part of the UI; spread into `en.ts`. `nb-cases.ts` has the same keys. */
export const enCases = {} as const;
