/** English labels of the dialogue part of the UI; spread into `en.ts`. `nb-dialogue.ts` has the same keys. */
export const enDialogue = {} as const;
