/**
 * A table checked by the airlock engine, failing cells marked by rule. Each rule has a colour
 * AND a symbol shown in the cell, and each marked cell names its rules for screen readers, so
 * colour is never the only cue. Shape: the `tre outputs check-table --json` result.
 */
import { useI18n, type MessageKey } from '../i18n/index.tsx';

import type { TableCheckAnswer } from '../lib/types.ts';
import { SuppressionNote } from './suppression-note.tsx';

type Label = string | number | boolean | null;
/**
 * What the engine reports of a table: a check's answer or a staged file's table check. Outside the
 * room a table that does not pass comes `withheld`: without labels and values, with the findings per rule.
 */
export type TableCheck = Pick<TableCheckAnswer, 'status' | 'table' | 'rules' | 'withheld'>;

interface CellRef {
  row: Label[];
  col: Label[];
}
const isCell = (c: unknown): c is CellRef => !!c && typeof c === 'object' && Array.isArray((c as CellRef).row) && Array.isArray((c as CellRef).col);
interface Differencing {
  earlier: string;
  variables: string[];
  labels: Label[];
  difference: number;
}

/** The cell rules, each a key of the report's `rules`. */
type CellRule = Exclude<keyof TableCheck['rules'], 'differencing'>;

export const RULES: { id: CellRule; symbol: string; colour: string; label: MessageKey }[] = [
  { id: 'threshold', symbol: 'T', colour: '#f6c6c0', label: 'rule.threshold' },
  { id: 'zeros', symbol: '0', colour: '#f7dfa6', label: 'rule.zeros' },
  { id: 'nk', symbol: 'D', colour: '#d9c7ef', label: 'rule.nk' },
  { id: 'p-ratio', symbol: 'P', colour: '#c6dcf5', label: 'rule.pRatio' },
  { id: 'dof', symbol: 'F', colour: '#cfe8cf', label: 'rule.dof' },
  { id: 'missing', symbol: 'M', colour: '#e3e3e3', label: 'rule.missing' },
  { id: 'negative', symbol: '−', colour: '#f5cbe3', label: 'rule.negative' },
  { id: 'all-values-are-same', symbol: '=', colour: '#f2d5b8', label: 'rule.allValuesSame' },
  { id: 'suppressed', symbol: 'S', colour: '#d9dde2', label: 'rule.suppressed' },
  { id: 'secondary', symbol: 'C', colour: '#eceff3', label: 'rule.secondary' },
];

const key = (row: Label[], col: Label[]) => JSON.stringify([row, col]);

/**
 * `spec`: the row and column variables the table was made from, named above it and in its corner.
 * `roundingBase`: the policy's rounding, stated where the numbers are. `overall`: the status of
 * the file the table is part of; when it differs (the file scan found more), the table's verdict is
 * called the table rules' so that "passes" never stands beside "needs review" unexplained.
 */
export function CheckedTable({
  check,
  caption,
  spec,
  roundingBase,
  overall,
}: {
  check: TableCheck;
  caption?: string;
  spec?: { index: readonly string[]; columns: readonly string[] } | undefined;
  roundingBase?: number | null | undefined;
  overall?: TableCheck['status'] | undefined;
}) {
  const { t, num } = useI18n();
  const marks = new Map<string, string[]>();
  for (const [rule, cells] of Object.entries(check.rules ?? {})) {
    for (const c of cells ?? []) {
      if (!isCell(c)) continue;
      const k = key(c.row, c.col);
      marks.set(k, [...(marks.get(k) ?? []), rule]);
    }
  }
  const count = (id: CellRule) => (check.withheld ? (check.withheld.findings[id] ?? 0) : (check.rules?.[id]?.length ?? 0));
  const used = RULES.filter((r) => count(r.id) > 0);
  const ruleOf = (id: string) => RULES.find((r) => r.id === id);
  const { rowLabels, colLabels, values } = check.table;
  const fmt = (l: Label[]) => l.map((v) => (v === null ? '—' : String(v))).join(' · ');
  const keyOf = (s: TableCheck['status']): MessageKey => (s === 'pass' ? 'check.pass' : s === 'review' ? 'check.review' : 'check.fail');
  const differs = overall !== undefined && overall !== check.status;
  const rowVars = spec?.index.join(', ') ?? '';
  const colVars = spec?.columns.join(', ') ?? '';
  return (
    <div className="checked-table">
      <p className={`check-status check-${check.status}`} data-table-status={check.status}>
        <strong>{t(differs ? 'check.tableVerdict' : 'check.status')}:</strong> {t(keyOf(check.status))}
      </p>
      {differs ? (
        <p className={`check-status check-${overall}`} data-file-status={overall}>
          {t('check.fileVerdictDiffers', { status: t(keyOf(overall)) })}
        </p>
      ) : null}
      {spec ? (
        <p className="table-vars" data-table-vars="">
          {t('check.tableRows', { vars: rowVars })}
          {colVars ? ` · ${t('check.tableColumns', { vars: colVars })}` : ''}
        </p>
      ) : null}
      {roundingBase ? (
        <p className="notice" role="note" data-rounded={roundingBase}>
          {t('check.rounded', { base: roundingBase })}
        </p>
      ) : null}
      {check.withheld ? (
        <p className="notice" role="note" data-withheld={check.withheld.reason}>
          {t(check.status === 'pass' ? 'check.withheldOwnFile' : 'check.withheld')}
        </p>
      ) : null}
      {check.withheld ? null : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={caption ?? t('check.table')}>
          <table>
            {caption ? <caption>{caption}</caption> : null}
            <thead>
              <tr>
                <td className="corner">{spec ? `${rowVars}${colVars ? ` \\ ${colVars}` : ''}` : null}</td>
                {colLabels.map((c) => (
                  <th key={JSON.stringify(c)} scope="col">
                    {fmt(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rowLabels.map((r, i) => (
                <tr key={JSON.stringify(r)}>
                  <th scope="row">{fmt(r)}</th>
                  {colLabels.map((c, j) => {
                    const rules = marks.get(key(r, c)) ?? [];
                    const first = rules[0] ? ruleOf(rules[0]) : undefined;
                    const v = values[i]?.[j];
                    const names = rules.map((id) => (ruleOf(id) ? t(ruleOf(id)!.label) : id)).join(', ');
                    return (
                      <td
                        key={JSON.stringify(c)}
                        style={first ? { background: first.colour } : undefined}
                        data-rules={rules.join(' ') || undefined}
                        aria-description={rules.length ? t('check.cellFails', { rules: names }) : undefined}
                        title={rules.length ? names : undefined}
                      >
                        {v === null || v === undefined ? '—' : typeof v === 'number' ? num(v) : String(v)}
                        {rules.length ? (
                          <sup className="rule-marks" aria-hidden="true" data-symbol="">
                            {rules.map((id) => ruleOf(id)?.symbol ?? '?').join('')}
                          </sup>
                        ) : null}
                        {rules.length ? <span className="visually-hidden"> ({names})</span> : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(check.rules?.differencing as Differencing[] | undefined)?.length ? (
        <div className="notice" role="note">
          <strong>{t('rule.differencing')}</strong>
          <ul>
            {(check.rules.differencing as Differencing[]).map((d, i) => (
              <li key={i}>{t('check.differencingCell', { labels: d.labels.join(' · ') || t('check.total'), earlier: d.earlier, difference: d.difference })}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <SuppressionNote check={check} />
      <div className="legend-block">
        <h4>{t('check.legend')}</h4>
        {used.length === 0 ? <p className="muted">{t('check.noFailures')}</p> : null}
        <ul className="legend">
          {RULES.map((r) => (
            <li key={r.id} className={used.includes(r) ? '' : 'muted'}>
              <span className="swatch" style={{ background: r.colour }} aria-hidden="true" data-symbol="">
                {r.symbol}
              </span>
              <span>
                {t(r.label)}: {num(count(r.id))}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
