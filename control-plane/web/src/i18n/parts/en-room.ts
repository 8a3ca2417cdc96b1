/** English labels of the room part of the UI; spread into `en.ts`. `nb-room.ts` has the same keys. */
export const enRoom = {} as const;
