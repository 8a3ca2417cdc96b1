/**
 * The dummy-data button: synthetic files with the exact layout of a project's permitted data copy
 * (no real person in them), to write and test an analysis before the copy exists. The files come
 * in the answer and are offered for download from the browser's memory.
 */
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { DummyAnswer } from '../lib/types.ts';
import { ErrorView } from './status.tsx';

const download = (name: string, base64: string) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: name.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' }));
};

export function DummyData() {
  const { t } = useI18n();
  const { me } = useSession();
  const [projectId, setProjectId] = useState(me.memberships[0]?.projectId ?? '');
  const [answer, setAnswer] = useState<DummyAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api<DummyAnswer>('POST', EP.exploreDummy, { projectId }));
    } catch (err) {
      setAnswer(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="dummy-title" className="stack">
      <h2 id="dummy-title">{t('explore.dummyTitle')}</h2>
      <p>{t('explore.dummyIntro')}</p>
      {me.memberships.length === 0 ? (
        <p className="muted">{t('explore.dummyNoProjects')}</p>
      ) : (
        <div className="grid-form">
          <label htmlFor="dummy-project">{t('explore.dummyProject')}</label>
          <select id="dummy-project" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            {me.memberships.map((m) => (
              <option key={m.projectId} value={m.projectId}>
                {m.title}
              </option>
            ))}
          </select>
          <button type="button" disabled={busy || !projectId} onClick={() => void make()} data-action="explore-dummy">
            {t('explore.dummyMake')}
          </button>
        </div>
      )}
      {error ? <ErrorView error={error} /> : null}
      {answer ? (
        <ul className="plain" data-testid="dummy-files">
          {answer.files.map((f) => (
            <li key={f.name}>
              <a href={download(f.name, f.contentBase64)} download={f.name}>
                {f.name}
              </a>
            </li>
          ))}
          <li>
            <a href={URL.createObjectURL(new Blob([answer.readme], { type: 'text/markdown' }))} download="README_SYNTHETIC.md">
              README_SYNTHETIC.md
            </a>
          </li>
        </ul>
      ) : null}
    </section>
  );
}
