/** An error beside its field: announced (`role="alert"`), tied to the input by `${id}-error` (`aria-describedby`), with its one-click fix. */

/** An error of a form whose state is `D`. */
export interface FieldError<D = unknown> {
  message: string;
  /** A one-click correction (e.g. the catalogue name the server suggests). */
  fix?: { label: string; apply(d: D): D };
}
export type FieldErrors<D = unknown> = Record<string, FieldError<D>>;

export const errorId = (id: string) => `${id}-error`;

/** The `aria-*` attributes of an input with this id: invalid and described by its error when it has one. */
export function invalidProps(id: string, error: FieldError | undefined, hint?: string) {
  const describedBy = [error ? errorId(id) : null, hint ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined };
}

export function FieldErrorView({ id, error, onFix }: { id: string; error: FieldError | undefined; onFix?: (fix: NonNullable<FieldError['fix']>) => void }) {
  if (!error) return null;
  return (
    <p id={errorId(id)} className="field-error" role="alert" data-error-for={id}>
      {error.message}{' '}
      {error.fix && onFix ? (
        <button type="button" className="link-button" data-action="apply-fix" onClick={() => onFix(error.fix!)}>
          {error.fix.label}
        </button>
      ) : null}
    </p>
  );
}
