/** Checking a table of the room's /outputs or of the data copy with the airlock engine before asking for export. */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import type { TableCheckAnswer } from '../lib/types.ts';
import { CheckedTable } from './checked-table.tsx';
import { ErrorView } from './status.tsx';

const list = (s: FormDataEntryValue | null) =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The airlock's table request `{source, spec}` from the fields of `TableFields` with `prefix`. */
export function tableRequestOf(f: FormData, prefix: string): { source: { output: string } | { copy: string }; spec: Record<string, unknown> } {
  const aggfunc = String(f.get(`${prefix}aggfunc`) ?? '');
  const values = String(f.get(`${prefix}values`) ?? '').trim();
  const file = String(f.get(`${prefix}file`) ?? '').trim();
  return {
    source: f.get(`${prefix}kind`) === 'copy' ? { copy: file } : { output: file },
    spec: {
      method: String(f.get(`${prefix}method`) ?? 'crosstab'),
      index: list(f.get(`${prefix}index`)),
      columns: list(f.get(`${prefix}columns`)),
      values: values || null,
      aggfunc: aggfunc || null,
      margins: f.get(`${prefix}margins`) === 'on',
    },
  };
}

/** The fields of a table check; ids and names carry `prefix` so a form can hold several. */
export function TableFields({ prefix, fileRequired = true, defaultFile }: { prefix: string; fileRequired?: boolean; defaultFile?: string }) {
  const { t } = useI18n();
  const id = (n: string) => `${prefix}${n}`;
  return (
    <div className="grid-form">
      <span id={id('kind-label')}>{t('check.source')}</span>
      <div role="radiogroup" aria-labelledby={id('kind-label')}>
        <label className="inline">
          <input type="radio" name={id('kind')} value="output" defaultChecked /> {t('check.sourceOutput')}
        </label>
        <label className="inline">
          <input type="radio" name={id('kind')} value="copy" /> {t('check.sourceCopy')}
        </label>
      </div>
      <label htmlFor={id('file')}>{t('check.file')}</label>
      <input
        id={id('file')}
        name={id('file')}
        required={fileRequired}
        defaultValue={defaultFile}
        placeholder={t('example.outputPath')}
        aria-describedby={id('file-hint')}
      />
      <p id={id('file-hint')} className="hint">
        {t('check.fileHint')}
      </p>
      <label htmlFor={id('method')}>{t('check.method')}</label>
      <select id={id('method')} name={id('method')} defaultValue="crosstab">
        <option value="crosstab">{t('check.crosstab')}</option>
        <option value="pivot_table">{t('check.pivot')}</option>
      </select>
      <label htmlFor={id('index')}>{t('check.index')}</label>
      <input id={id('index')} name={id('index')} required={fileRequired} aria-describedby={id('list-hint')} />
      <label htmlFor={id('columns')}>{t('check.columns')}</label>
      <input id={id('columns')} name={id('columns')} aria-describedby={id('list-hint')} />
      <p id={id('list-hint')} className="hint">
        {t('check.listHint')}
      </p>
      <label htmlFor={id('values')}>{t('check.values')}</label>
      <input id={id('values')} name={id('values')} />
      <label htmlFor={id('aggfunc')}>{t('check.aggfunc')}</label>
      <select id={id('aggfunc')} name={id('aggfunc')} defaultValue="">
        <option value="">{t('check.frequency')}</option>
        {['count', 'mean', 'sum', 'median', 'std', 'min', 'max', 'mode'].map((a) => (
          <option key={a} value={a}>
            {t(`agg.${a}` as 'agg.count')}
          </option>
        ))}
      </select>
      <span />
      <label className="inline">
        <input type="checkbox" name={id('margins')} /> {t('check.margins')}
      </label>
    </div>
  );
}

export function CheckTableForm({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const [result, setResult] = useState<TableCheckAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await api<TableCheckAnswer>('POST', EP.checkTable(projectId), tableRequestOf(new FormData(e.currentTarget), 'ct-')));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <form className="stack" onSubmit={submit}>
        <TableFields prefix="ct-" />
        <button type="submit" disabled={busy} data-action="check-table">
          {t('check.run')}
        </button>
      </form>
      <p className="hint" data-testid="check-in-room">
        {t('check.inRoom')} <code>!analyserom-airlock check-table --output FILE --index VAR --save NAME</code> {t('check.inNotebook')}{' '}
        <code>import analyserom_airlock</code>
      </p>
      <div aria-live="polite">
        {busy ? <p role="status">{t('check.running')}</p> : null}
        {error ? <ErrorView error={error} /> : null}
        {result ? <CheckedTable check={result} caption={t('check.result')} spec={result.spec} roundingBase={result.policy.tables.roundingBase} /> : null}
      </div>
    </div>
  );
}
