/** Data copies (approved extracts) with their manifests: variables, row counts, source versions, file hashes. */
import { useI18n } from '../i18n/index.tsx';
import { useApi } from '../lib/use-api.ts';
import { Empty, Loaded } from './status.tsx';

interface Copy {
  id?: string;
  projectId?: string;
  version?: number;
  permitVersion?: number;
  state?: string;
  status?: string;
  createdAt?: string;
  rows?: number;
  rowCount?: number;
  manifest?: {
    files?: { name?: string; path?: string; rows?: number; rowCount?: number; sha256?: string; bytes?: number; size?: number }[];
    sources?: { dataset?: string; version?: string }[] | Record<string, string>;
    variables?: unknown;
    permitVersion?: number;
  };
}

export function CopiesView({ path }: { path: string }) {
  const { t, date, num } = useI18n();
  const copies = useApi<Copy[] | { copies: Copy[] }>(path);
  return (
    <Loaded state={copies}>
      {(raw) => {
        const list = Array.isArray(raw) ? raw : raw.copies ?? [];
        if (!list.length) return <Empty>{t('copies.none')}</Empty>;
        return (
          <ul className="plain">
            {list.map((c, i) => (
              <li key={c.id ?? i} className="card inner">
                <h3>{t('copies.copy', { v: c.version ?? i + 1 })} {c.projectId ? <code>{c.projectId}</code> : null}</h3>
                <dl className="facts">
                  <dt>{t('copies.state')}</dt><dd>{c.state ?? c.status ?? ''}</dd>
                  <dt>{t('copies.created')}</dt><dd>{date(c.createdAt, true)}</dd>
                  <dt>{t('copies.permitVersion')}</dt><dd>{c.permitVersion ?? c.manifest?.permitVersion ?? ''}</dd>
                </dl>
                {c.manifest?.files?.length ? (
                  <table className="data">
                    <caption>{t('copies.manifest')}</caption>
                    <thead><tr><th scope="col">{t('copies.file')}</th><th scope="col">{t('copies.rows')}</th><th scope="col">{t('copies.sha256')}</th></tr></thead>
                    <tbody>
                      {c.manifest.files.map((f, j) => (
                        <tr key={f.name ?? f.path ?? j}>
                          <td><code>{f.name ?? f.path}</code></td>
                          <td>{num(f.rows ?? f.rowCount ?? 0)}</td>
                          <td><code className="hash">{f.sha256}</code></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
                {c.manifest ? (
                  <details><summary>{t('copies.rawManifest')}</summary><pre>{JSON.stringify(c.manifest, null, 2)}</pre></details>
                ) : null}
              </li>
            ))}
          </ul>
        );
      }}
    </Loaded>
  );
}
