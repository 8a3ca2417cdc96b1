/**
 * Asks before a change that matters to the person: a modal `<dialog>` (focus moves into it and
 * stays there; Escape cancels) whose title and text say what will change. Named by its title
 * (`aria-labelledby`) and described by its text (`aria-describedby`), so a screen reader reads both.
 */
import { useEffect, useId, useRef } from 'react';
import { useI18n } from '../i18n/index.tsx';

export interface ConfirmRequest {
  title: string;
  text: string;
  confirmLabel: string;
  /** Styles the confirm button as a warning (withdrawing, opting out). */
  danger?: boolean;
}

export function ConfirmDialog({ request, onConfirm, onCancel }: { request: ConfirmRequest | null; onConfirm(): void; onCancel(): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) d.showModal();
    if (!request && d.open) d.close();
  }, [request]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      style={{ maxWidth: 'min(34rem, calc(100vw - 2rem))' }}
    >
      {request ? (
        <>
          <h2 id={`${id}-title`}>{request.title}</h2>
          <p id={`${id}-text`}>{request.text}</p>
          <div className="actions">
            <button type="button" className={request.danger ? 'danger' : undefined} onClick={onConfirm} data-action="confirm">
              {request.confirmLabel}
            </button>
            <button type="button" onClick={onCancel} data-action="cancel">
              {t('consent.cancel')}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
