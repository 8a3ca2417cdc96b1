/** Norsk bokmål for cases-delen av brukergrensesnittet; samme nøkler som `en-cases.ts`. */
import type { enCases } from './en-cases.ts';

export const nbCases: Record<keyof typeof enCases, string> = {};
