/**
 * Errors of a form: one beside its field, announced (`role="alert"`) and tied to the input by
 * `${id}-error` (`aria-describedby`), with its one-click fix; and all of them in a summary above.
 */
import type { Ref } from 'react';
import type { FieldError, FieldErrors } from './form-types.ts';

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

/**
 * Every error of a form at once, above it (as GOV.UK's error summary): announced, focusable after
 * a refused send, each entry a link that moves the focus to its field.
 */
export function ErrorSummary({ ref, title, errors }: { ref: Ref<HTMLDivElement>; title: string; errors: FieldErrors }) {
  const list = Object.entries(errors);
  if (!list.length) return null;
  return (
    <div ref={ref} className="notice error error-summary" role="alert" tabIndex={-1} data-state="invalid">
      <p>
        <strong>{title}</strong>
      </p>
      <ul>
        {list.map(([id, e]) => (
          <li key={id}>
            <a
              href={`#${id}`}
              onClick={(ev) => {
                ev.preventDefault();
                document.getElementById(id)?.focus();
              }}
            >
              {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
