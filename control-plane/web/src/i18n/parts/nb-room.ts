/** Norsk bokmål for room-delen av brukergrensesnittet; samme nøkler som `en-room.ts`. */
import type { enRoom } from './en-room.ts';

export const nbRoom: Record<keyof typeof enRoom, string> = {};
