/**
 * A staged export file as its reviewer reads it: the server's parsed view (`GET
 * /api/exports/:id/files/:f/view`), rendered by React as text nodes only. Tables are cells;
 * notebooks are read-only cells of plain text (markdown shown as its source, never rendered, so it
 * loads nothing remote), raster outputs as images from their base64; text is text; images come
 * from the content route, which is sent sandboxed. The file's own HTML is never injected.
 * Loaded when the reviewer opens it, so every read in the audit log is a read someone asked for.
 */
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { ColumnSummary, ExportFile, StagedFileView } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Loaded } from './status.tsx';

type Cell = string | number | boolean | null;

function Summary({ summary }: { summary: ColumnSummary[] }) {
  const { t, num } = useI18n();
  if (summary.length === 0) return null;
  const n = (v: number | null) => (v === null ? '—' : num(v));
  return (
    <table className="data compact" data-summary="">
      <caption>{t('staged.summary')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('staged.column')}</th>
          <th scope="col">{t('staged.min')}</th>
          <th scope="col">{t('staged.nonZeroMin')}</th>
          <th scope="col">{t('staged.sum')}</th>
          <th scope="col">{t('staged.roundedTo5')}</th>
          <th scope="col">{t('staged.missing')}</th>
        </tr>
      </thead>
      <tbody>
        {summary.map((s) => (
          <tr key={s.column} data-column={s.column}>
            <th scope="row">{s.column}</th>
            <td>{n(s.min)}</td>
            <td>{n(s.nonZeroMin)}</td>
            <td>{n(s.sum)}</td>
            <td>{s.roundedTo5 ? t('staged.yes') : t('staged.no')}</td>
            <td>{num(s.missing)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TableView({ view, name }: { view: Extract<StagedFileView, { kind: 'table' }>; name: string }) {
  const { t, num } = useI18n();
  const cell = (v: Cell) => (v === null ? '—' : typeof v === 'number' ? num(v) : String(v));
  return (
    <>
      <Summary summary={view.summary} />
      <p className="muted small">
        {view.truncated
          ? t('staged.rowsShown', { shown: num(view.rows.length), total: num(view.totalRows) })
          : t('staged.rows', { total: num(view.totalRows) })}
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-label={name}>
        <table className="data compact" data-staged-table="">
          <thead>
            <tr>
              {view.columns.map((c, i) => (
                <th key={i} scope="col">
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => (
                  <td key={j}>{cell(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function NotebookView({ view }: { view: Extract<StagedFileView, { kind: 'notebook' }> }) {
  const { t } = useI18n();
  return (
    <ol className="notebook plain" data-notebook="">
      {view.cells.map((c, i) => (
        <li key={i} className={`nb-cell nb-${c.type}`}>
          <p className="muted small">{c.type === 'code' ? t('staged.codeCell') : c.type === 'markdown' ? t('staged.markdownCell') : c.type}</p>
          <pre>{c.source}</pre>
          {c.outputs.map((o, j) =>
            o.kind === 'image' ? (
              <img key={j} src={`data:${o.mime};base64,${o.base64}`} alt={t('staged.imageOutput')} className="nb-image" />
            ) : o.kind === 'omitted' ? (
              <p key={j} className="muted small" data-omitted={o.mimes.join(' ')}>
                {t('staged.omitted', { types: o.mimes.join(', ') })}
              </p>
            ) : (
              <pre key={j} className={o.kind === 'error' ? 'nb-error' : 'nb-output'}>
                {o.text}
              </pre>
            ),
          )}
        </li>
      ))}
      {view.truncated ? <li className="muted">{t('staged.truncated')}</li> : null}
    </ol>
  );
}

function View({ exportId, file }: { exportId: string; file: ExportFile }) {
  const { t } = useI18n();
  const view = useApi<StagedFileView>(EP.exportFileView(exportId, file.id));
  return (
    <Loaded state={view}>
      {(v) => {
        switch (v.kind) {
          case 'table':
            return <TableView view={v} name={file.name} />;
          case 'notebook':
            return <NotebookView view={v} />;
          case 'text':
            return (
              <>
                <pre data-staged-text="">{v.text}</pre>
                {v.truncated ? <p className="muted small">{t('staged.truncated')}</p> : null}
              </>
            );
          case 'image':
            return <img src={EP.exportFileContent(exportId, file.id)} alt={file.description || file.name} className="staged-image" />;
          default:
            return <p className="muted">{v.detail}</p>;
        }
      }}
    </Loaded>
  );
}

/** The "show the file" control and, once opened, the file. */
export function StagedFile({ exportId, file }: { exportId: string; file: ExportFile }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <div className="staged-file" data-staged={file.id}>
      <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)} data-action="show-file">
        {open ? t('staged.hide') : t('staged.show')} <span className="visually-hidden">{file.name}</span>
      </button>
      {open ? <View exportId={exportId} file={file} /> : null}
    </div>
  );
}
