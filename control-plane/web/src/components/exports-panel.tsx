/**
 * The researcher's side of the airlock: request an export of files from /outputs (a table may
 * name how it was computed, so it is checked cell by cell), follow its review, withdraw or
 * resubmit it, and download what was approved.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ExportDetail, ExportSummary } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { useLive } from '../lib/use-live.ts';
import { ExportView } from './export-view.tsx';
import { TableFields, tableRequestOf } from './outputs-panel.tsx';
import { Empty, ErrorView, Loaded } from './status.tsx';

function RequestForm({ projectId, previous, onDone }: { projectId: string; previous?: ExportDetail; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [rows, setRows] = useState<number[]>(() => (previous?.files.length ? previous.files.map((_, i) => i) : [0]));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const p = previous ? `re-${previous.id}-` : 'ex-';
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const files = rows.map((r) => {
      const file: Record<string, unknown> = { path: String(f.get(`${p}${r}-path`) ?? '').trim(), description: String(f.get(`${p}${r}-desc`) ?? '').trim() };
      if (f.get(`${p}${r}-is-table`) === 'on') file.table = tableRequestOf(f, `${p}${r}-t-`);
      return file;
    });
    setBusy(true);
    setError(null);
    try {
      const purpose = String(f.get(`${p}purpose`) ?? '').trim();
      if (previous) await api('POST', EP.exportResubmit(previous.id), { ...(purpose ? { purpose } : {}), files });
      else await api('POST', EP.projectExports(projectId), { purpose, files });
      announce(t('export.requestedOk'));
      form.reset();
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-form={previous ? 'resubmit' : 'request'}>
      {rows.map((r, i) => (
        <fieldset key={r}>
          <legend>{t('export.fileN', { n: i + 1 })}</legend>
          <div className="grid-form">
            <label htmlFor={`${p}${r}-path`}>{t('export.path')}</label>
            <input id={`${p}${r}-path`} name={`${p}${r}-path`} required placeholder={t('example.outputPath')} defaultValue={previous?.files[r]?.name} />
            <label htmlFor={`${p}${r}-desc`}>{t('export.describe')}</label>
            <input id={`${p}${r}-desc`} name={`${p}${r}-desc`} required defaultValue={previous?.files[r]?.description} />
          </div>
          <details>
            <summary>{t('export.isTable')}</summary>
            <label className="inline">
              <input type="checkbox" name={`${p}${r}-is-table`} /> {t('export.checkAsTable')}
            </label>
            <TableFields prefix={`${p}${r}-t-`} fileRequired={false} />
          </details>
          {rows.length > 1 ? (
            <button type="button" onClick={() => setRows(rows.filter((x) => x !== r))}>
              {t('export.removeFile', { n: i + 1 })}
            </button>
          ) : null}
        </fieldset>
      ))}
      <button type="button" onClick={() => setRows([...rows, Math.max(-1, ...rows) + 1])}>
        {t('export.addFile')}
      </button>
      <label htmlFor={`${p}purpose`}>{t('export.purpose')}</label>
      <textarea id={`${p}purpose`} name={`${p}purpose`} required={!previous} rows={2} defaultValue={previous?.purpose} />
      <button type="submit" disabled={busy} data-action={previous ? 'resubmit-export' : 'request-export'}>
        {t(previous ? 'export.resubmit' : 'export.request')}
      </button>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

function ExportItem({ summary, projectId, onChange }: { summary: ExportSummary; projectId: string; onChange(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const detail = useApi<ExportDetail>(EP.exportOne(summary.id));
  useLive((n) => n.kind === 'export.reviewed' && n.params.export === summary.id, detail.reload);
  const [error, setError] = useState<unknown>(null);
  const withdraw = async () => {
    try {
      await api('POST', EP.exportWithdraw(summary.id), {});
      announce(t('export.withdrawnOk'));
      detail.reload();
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <li className="card inner">
      <h3>{t('export.request1', { id: summary.id })}</h3>
      <Loaded state={detail}>
        {(d) => (
          <>
            <ExportView exp={d} downloads />
            {d.status === 'in_review' || d.status === 'returned' ? (
              <button type="button" onClick={withdraw} data-action="withdraw-export">
                {t('export.withdraw')}
              </button>
            ) : null}
            {(d.status === 'returned' || d.status === 'withdrawn' || d.status === 'rejected') && !d.nextId ? (
              <details>
                <summary>{t('export.resubmitTitle')}</summary>
                <RequestForm
                  projectId={projectId}
                  previous={d}
                  onDone={() => {
                    detail.reload();
                    onChange();
                  }}
                />
              </details>
            ) : null}
          </>
        )}
      </Loaded>
      {error ? <ErrorView error={error} /> : null}
    </li>
  );
}

export function ExportsPanel({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const exports = useApi<ExportSummary[]>(EP.projectExports(projectId));
  useLive((n) => n.projectId === projectId && n.kind === 'export.reviewed', exports.reload);
  return (
    <>
      <section className="card" aria-labelledby="h-request-export">
        <h2 id="h-request-export">{t('export.newRequest')}</h2>
        <RequestForm projectId={projectId} onDone={exports.reload} />
      </section>
      <section className="card" aria-labelledby="h-my-exports">
        <h2 id="h-my-exports">{t('export.myRequests')}</h2>
        <Loaded state={exports}>
          {(list) =>
            list.length === 0 ? (
              <Empty>{t('export.none')}</Empty>
            ) : (
              <ul className="plain">
                {[...list].reverse().map((x) => (
                  <ExportItem key={x.id} summary={x} projectId={projectId} onChange={exports.reload} />
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
    </>
  );
}
