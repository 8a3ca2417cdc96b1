import type { en } from './en.ts';

/** A label's key: the same in both dictionaries. */
export type MessageKey = keyof typeof en;
