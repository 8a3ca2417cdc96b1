/**
 * What a checked table's blanked cells are, told apart: the primary suppressions (cells of too
 * few records) and the secondary ones (cells blanked only so that a primary one cannot be worked
 * out from the table's totals or from an earlier release), with the count behind each reason.
 * A reviewer sees why a cell of many records is empty. Outside the room a withheld table has no
 * cells, so only the numbers are told.
 */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { TableCheck } from './checked-table.tsx';

const REASONS: { id: 'margin' | 'ledger' | 'limit'; label: MessageKey }[] = [
  { id: 'margin', label: 'check.secondary.margin' },
  { id: 'ledger', label: 'check.secondary.ledger' },
  { id: 'limit', label: 'check.secondary.limit' },
];

export function SuppressionNote({ check }: { check: TableCheck }) {
  const { t, num } = useI18n();
  const primary = check.withheld ? (check.withheld.findings.suppressed ?? 0) : (check.rules?.suppressed?.length ?? 0);
  const secondaryCells = check.rules?.secondary ?? [];
  const secondary = check.withheld ? (check.withheld.findings.secondary ?? 0) : secondaryCells.length;
  if (primary === 0 && secondary === 0) return null;
  return (
    <div className="notice suppression-note" role="note" data-primary={primary} data-secondary={secondary}>
      <strong>{t('check.blanked')}</strong>
      <ul>
        <li>{t('check.blanked.primary', { n: num(primary) })}</li>
        {secondary > 0 ? <li>{t('check.blanked.secondary', { n: num(secondary) })}</li> : null}
        {REASONS.map((r) => {
          const n = secondaryCells.filter((c) => c.reason === r.id).length;
          return n > 0 ? (
            <li key={r.id} className="suppression-reason" data-reason={r.id}>
              {t(r.label, { n: num(n) })}
            </li>
          ) : null;
        })}
      </ul>
    </div>
  );
}
