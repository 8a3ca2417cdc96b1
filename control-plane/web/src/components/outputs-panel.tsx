/** The files in the room's /outputs, and checking a table of them with the airlock engine before asking for export. */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import { CheckedTable, type TableCheck } from './checked-table.tsx';
import { Empty, ErrorView, Loaded } from './status.tsx';

export interface OutputFile {
  path: string;
  size?: number;
  modifiedAt?: string;
}

export function useOutputs(projectId: string) {
  return useApi<OutputFile[] | { files: OutputFile[] }>(EP.projectOutputs(projectId));
}

export function outputList(raw: OutputFile[] | { files: OutputFile[] } | undefined): OutputFile[] {
  if (!raw) return [];
  return Array.isArray(raw) ? raw : raw.files ?? [];
}

export function OutputsList({ projectId }: { projectId: string }) {
  const { t, date, num } = useI18n();
  const outputs = useOutputs(projectId);
  return (
    <Loaded state={outputs}>
      {(raw) => {
        const files = outputList(raw);
        if (!files.length) return <Empty>{t('outputs.none')}</Empty>;
        return (
          <table className="data">
            <thead><tr><th scope="col">{t('outputs.file')}</th><th scope="col">{t('outputs.size')}</th><th scope="col">{t('outputs.modified')}</th></tr></thead>
            <tbody>{files.map((f) => <tr key={f.path}><td><code>{f.path}</code></td><td>{f.size === undefined ? '' : num(f.size)}</td><td>{date(f.modifiedAt, true)}</td></tr>)}</tbody>
          </table>
        );
      }}
    </Loaded>
  );
}

const list = (s: FormDataEntryValue | null) => String(s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export function CheckTableForm({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const [result, setResult] = useState<TableCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const aggfunc = String(f.get('aggfunc') ?? '');
    const values = String(f.get('values') ?? '').trim();
    const spec = {
      method: String(f.get('method')),
      index: list(f.get('index')),
      columns: list(f.get('columns')),
      values: values || null,
      aggfunc: aggfunc || null,
      margins: f.get('margins') === 'on',
    };
    setBusy(true);
    setError(null);
    try {
      setResult(await api<TableCheck>('POST', EP.checkTable(projectId), { file: String(f.get('file')), spec }));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <form className="grid-form" onSubmit={submit}>
        <label htmlFor="ct-file">{t('check.file')}</label>
        <input id="ct-file" name="file" required placeholder="outputs/table.csv" aria-describedby="ct-file-hint" />
        <p id="ct-file-hint" className="hint">{t('check.fileHint')}</p>
        <label htmlFor="ct-method">{t('check.method')}</label>
        <select id="ct-method" name="method" defaultValue="crosstab">
          <option value="crosstab">{t('check.crosstab')}</option>
          <option value="pivot_table">{t('check.pivot')}</option>
        </select>
        <label htmlFor="ct-index">{t('check.index')}</label>
        <input id="ct-index" name="index" required aria-describedby="ct-list-hint" />
        <label htmlFor="ct-columns">{t('check.columns')}</label>
        <input id="ct-columns" name="columns" aria-describedby="ct-list-hint" />
        <p id="ct-list-hint" className="hint">{t('check.listHint')}</p>
        <label htmlFor="ct-values">{t('check.values')}</label>
        <input id="ct-values" name="values" />
        <label htmlFor="ct-aggfunc">{t('check.aggfunc')}</label>
        <select id="ct-aggfunc" name="aggfunc" defaultValue="">
          <option value="">{t('check.frequency')}</option>
          {['count', 'mean', 'sum', 'median', 'std', 'min', 'max', 'mode'].map((a) => <option key={a} value={a}>{t(`agg.${a}` as 'agg.count')}</option>)}
        </select>
        <span />
        <label className="inline"><input type="checkbox" name="margins" /> {t('check.margins')}</label>
        <span />
        <button type="submit" disabled={busy} data-action="check-table">{t('check.run')}</button>
      </form>
      <div aria-live="polite">
        {busy ? <p role="status">{t('check.running')}</p> : null}
        {error ? <ErrorView error={error} /> : null}
        {result ? <CheckedTable check={result} caption={t('check.result')} /> : null}
      </div>
    </div>
  );
}
