/** Norsk bokmål for consent-delen av brukergrensesnittet; samme nøkler som `en-consent.ts`. */
import type { enConsent } from './en-consent.ts';

export const nbConsent: Record<keyof typeof enConsent, string> = {};
