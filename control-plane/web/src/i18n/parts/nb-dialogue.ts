/** Norsk bokmål for dialogue-delen av brukergrensesnittet; samme nøkler som `en-dialogue.ts`. */
import type { enDialogue } from './en-dialogue.ts';

export const nbDialogue: Record<keyof typeof enDialogue, string> = {};
