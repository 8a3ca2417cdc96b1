/**
 * Plain types the application form's parts share (no JSX, so the pure checks and drafts can be
 * type-checked and unit-tested without the components).
 */
import type { MessageKey } from '../i18n/keys.ts';

/** Chosen variables by dataset. */
export type Selection = Record<string, string[]>;

/** An error of a form whose state is `D`. */
export interface FieldError<D = unknown> {
  message: string;
  /** A one-click correction (e.g. the catalogue name the server suggests). */
  fix?: { label: string; apply(d: D): D };
}
export type FieldErrors<D = unknown> = Record<string, FieldError<D>>;

/** The page's `t` (`i18n/index.tsx`). */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;
