/** Norsk bokmål for checks-delen av brukergrensesnittet; samme nøkler som `en-checks.ts`. */
import type { enChecks } from './en-checks.ts';

export const nbChecks: Record<keyof typeof enChecks, string> = {};
