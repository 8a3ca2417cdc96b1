/**
 * A project's data copies (approved extracts) with their manifests: datasets with source versions,
 * persons and rows, variables, pseudonym scheme, files with hashes. Extract progress (rows done /
 * total) comes live from the copies' server-sent events; an access administrator can ask for the
 * copy of the permit in force now.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { CopyList, CopyProgress } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { useLive } from '../lib/use-live.ts';
import { Empty, ErrorView, Loaded } from './status.tsx';

type Progress = CopyProgress;
type Copy = CopyList['copies'][number];

function useCopyProgress(projectId: string, initial: Progress | null, onDone: () => void): Progress | null {
  const [p, setP] = useState<Progress | null>(initial);
  useEffect(() => setP(initial), [initial]);
  const extracting = p?.state === 'extracting';
  useEffect(() => {
    if (!extracting) return;
    const es = new EventSource(EP.copyEvents(projectId), { withCredentials: true });
    es.addEventListener('progress', ((ev: MessageEvent<string>) => {
      const next = JSON.parse(ev.data) as Progress;
      setP(next);
      if (next.state !== 'extracting') {
        es.close();
        onDone();
      }
    }) as EventListener);
    es.onerror = () => es.close();
    return () => es.close();
  }, [projectId, extracting]); // eslint-disable-line react-hooks/exhaustive-deps
  return p;
}

function CopyCard({ c }: { c: Copy }) {
  const { t, date, num } = useI18n();
  const m = c.manifest;
  return (
    <li className="card inner" data-copy={c.copyVersion}>
      <h3>
        {t('copies.copy', { v: c.copyVersion })} {c.current ? <span className="badge status-approved">{t('copies.current')}</span> : null}
        {c.deletedAt ? <span className="badge bad">{t('copies.deleted')}</span> : null}
      </h3>
      <dl className="facts">
        <dt>{t('copies.created')}</dt>
        <dd>
          {date(c.createdAt, true)} · {c.createdBy}
        </dd>
        <dt>{t('copies.permitVersion')}</dt>
        <dd>{c.permitVersion}</dd>
        <dt>{t('copies.persons')}</dt>
        <dd>{num(c.personCount)}</dd>
        {m?.pseudonym ? (
          <>
            <dt>{t('copies.pseudonym')}</dt>
            <dd>
              {m.pseudonym.scheme} · <code>{m.pseudonym.keyFingerprint}</code>
            </dd>
          </>
        ) : null}
        {c.deletedAt ? (
          <>
            <dt>{t('copies.deleted')}</dt>
            <dd>{date(c.deletedAt, true)}</dd>
          </>
        ) : null}
      </dl>
      {m ? (
        <>
          <table className="data">
            <caption>{t('copies.manifest')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('permit.datasets')}</th>
                <th scope="col">{t('copies.sources')}</th>
                <th scope="col">{t('copies.persons')}</th>
                <th scope="col">{t('copies.rows')}</th>
                <th scope="col">{t('copies.variables')}</th>
              </tr>
            </thead>
            <tbody>
              {m.datasets.map((d) => (
                <tr key={d.dataset}>
                  <td>
                    <code>{d.dataset}</code>
                  </td>
                  <td>{d.sourceVersion}</td>
                  <td>{num(d.persons)}</td>
                  <td>{num(d.rows)}</td>
                  <td>{d.variables.map((v) => v.name).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="data compact">
            <thead>
              <tr>
                <th scope="col">{t('copies.file')}</th>
                <th scope="col">{t('copies.rows')}</th>
                <th scope="col">{t('copies.bytes')}</th>
                <th scope="col">{t('copies.sha256')}</th>
              </tr>
            </thead>
            <tbody>
              {m.files.map((f) => (
                <tr key={f.name}>
                  <td>
                    <code>{f.name}</code>
                  </td>
                  <td>{num(f.rows)}</td>
                  <td>{num(f.bytes)}</td>
                  <td>
                    <code className="hash">{f.sha256}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <details>
            <summary>{t('copies.rawManifest')}</summary>
            <pre>{JSON.stringify(m, null, 2)}</pre>
          </details>
        </>
      ) : null}
    </li>
  );
}

export function CopiesView({ projectId }: { projectId: string }) {
  const { t, num } = useI18n();
  const { me, announce } = useSession();
  const copies = useApi<CopyList>(EP.projectCopies(projectId));
  useLive((n) => n.projectId === projectId && (n.kind === 'copy.new_version' || n.kind === 'permit.issued'), copies.reload);
  const progress = useCopyProgress(projectId, copies.data?.progress ?? null, () => {
    announce(t('copies.ready'));
    copies.reload();
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', EP.projectCopies(projectId));
      copies.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Loaded state={copies}>
      {(d) => (
        <div data-copies={projectId}>
          {progress && progress.state === 'extracting' ? (
            <div className="progress">
              <label htmlFor={`cp-${projectId}`}>{t('copies.extracting')}</label>
              <progress id={`cp-${projectId}`} max={progress.total || 1} value={progress.done} />
              <span aria-live="polite">{t('copies.progressText', { stage: progress.stage, done: num(progress.done), total: num(progress.total) })}</span>
            </div>
          ) : null}
          {progress?.state === 'failed' ? (
            <p className="notice error">
              {t('copies.failed')} {progress.error}
            </p>
          ) : null}
          {d.copies.length === 0 ? (
            <Empty>{t('copies.none')}</Empty>
          ) : (
            <ul className="plain">
              {[...d.copies].reverse().map((c) => (
                <CopyCard key={c.copyVersion} c={c} />
              ))}
            </ul>
          )}
          {me.roles.includes('access_admin') ? (
            <button type="button" onClick={make} disabled={busy || progress?.state === 'extracting'} data-action="make-copy">
              {t('copies.make')}
            </button>
          ) : null}
          {error ? <ErrorView error={error} /> : null}
        </div>
      )}
    </Loaded>
  );
}
