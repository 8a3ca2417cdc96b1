/** Norsk bokmål for roles-delen av brukergrensesnittet; samme nøkler som `en-roles.ts`. */
import type { enRoles } from './en-roles.ts';

export const nbRoles: Record<keyof typeof enRoles, string> = {};
