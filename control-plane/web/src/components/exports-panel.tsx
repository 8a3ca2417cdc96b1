/** The researcher's side of the airlock: request an export of files from /outputs, follow its review, download what was released. */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ExportRequest } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ExportView } from './export-view.tsx';
import { outputList, useOutputs } from './outputs-panel.tsx';
import { Empty, ErrorView, Loaded } from './status.tsx';

function RequestForm({ projectId, onDone }: { projectId: string; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const outputs = useOutputs(projectId);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const files = f.getAll('file').map((p) => ({ path: String(p), description: String(f.get(`desc:${String(p)}`) ?? '') }));
    if (!files.length) {
      setError(new Error(t('export.pickFiles')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('POST', EP.exports, { projectId, purpose: String(f.get('purpose') ?? ''), files });
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
    <Loaded state={outputs}>
      {(raw) => {
        const files = outputList(raw);
        if (!files.length) return <Empty>{t('outputs.none')}</Empty>;
        return (
          <form onSubmit={submit} className="stack">
            <fieldset>
              <legend>{t('export.pickFiles')}</legend>
              {files.map((o) => (
                <div key={o.path} className="file-pick">
                  <label className="inline"><input type="checkbox" name="file" value={o.path} /> <code>{o.path}</code></label>
                  <label className="visually-hidden" htmlFor={`desc-${o.path}`}>{t('export.fileDescription', { file: o.path })}</label>
                  <input id={`desc-${o.path}`} name={`desc:${o.path}`} placeholder={t('export.describe')} />
                </div>
              ))}
            </fieldset>
            <label htmlFor="exp-purpose">{t('export.purpose')}</label>
            <textarea id="exp-purpose" name="purpose" required minLength={3} rows={2} />
            <button type="submit" disabled={busy} data-action="request-export">{t('export.request')}</button>
            {error ? <ErrorView error={error} /> : null}
          </form>
        );
      }}
    </Loaded>
  );
}

export function ExportsPanel({ projectId }: { projectId: string }) {
  const { t, date } = useI18n();
  const exports = useApi<ExportRequest[]>(`${EP.exports}${qs({ projectId })}`);
  return (
    <>
      <section className="card" aria-labelledby="h-request-export">
        <h2 id="h-request-export">{t('export.newRequest')}</h2>
        <RequestForm projectId={projectId} onDone={exports.reload} />
      </section>
      <section className="card" aria-labelledby="h-my-exports">
        <h2 id="h-my-exports">{t('export.myRequests')}</h2>
        <Loaded state={exports}>
          {(list) => list.length === 0 ? <Empty>{t('export.none')}</Empty> : (
            <ul className="plain">
              {list.map((x) => (
                <li key={x.id} className="card inner">
                  <h3>{t('export.request1', { id: x.id })} {x.createdAt ? <span className="muted">· {date(x.createdAt)}</span> : null}</h3>
                  <ExportView exp={x} downloads />
                </li>
              ))}
            </ul>
          )}
        </Loaded>
      </section>
    </>
  );
}
