/** Norsk bokmål for metrics-delen av brukergrensesnittet; samme nøkler som `en-metrics.ts`. */
import type { enMetrics } from './en-metrics.ts';

export const nbMetrics: Record<keyof typeof enMetrics, string> = {};
