/** English labels of the consent part of the UI; spread into `en.ts`. `nb-consent.ts` has the same keys. */
export const enConsent = {} as const;
