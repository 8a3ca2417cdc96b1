/** English labels of the roles part of the UI; spread into `en.ts`. `nb-roles.ts` has the same keys. */
export const enRoles = {} as const;
