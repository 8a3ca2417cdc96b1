/** English labels of the metrics part of the UI; spread into `en.ts`. `nb-metrics.ts` has the same keys. */
export const enMetrics = {} as const;
