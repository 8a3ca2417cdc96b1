/** Access administrator: every project's permit with its versions and expiry, and amendments. */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Permit, Project } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
import { PermitView } from '../components/permit-view.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

const CASES = ['new_period', 'extra_order', 'project_change', 'rolling', 'one_off'];

function AmendForm({ projectId, onDone }: { projectId: string; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body: Record<string, unknown> = { caseType: String(f.get('caseType')), reason: String(f.get('reason')) };
    if (f.get('expires')) body.expiresAt = new Date(`${String(f.get('expires'))}T23:59:59Z`).toISOString();
    if (f.get('from') && f.get('to')) body.period = { from: String(f.get('from')), to: String(f.get('to')) };
    try {
      await api('POST', EP.amendPermit(projectId), body);
      announce(t('permits.amendedOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details>
      <summary>{t('permits.amend')}</summary>
      <form onSubmit={submit} className="grid-form">
        <label htmlFor={`ct-${projectId}`}>{t('apply.caseType')}</label>
        <select id={`ct-${projectId}`} name="caseType">
          {CASES.map((c) => (
            <option key={c} value={c}>
              {t(`caseType.${c}` as MessageKey)}
            </option>
          ))}
        </select>
        <label htmlFor={`ar-${projectId}`}>{t('permits.amendReason')}</label>
        <input id={`ar-${projectId}`} name="reason" required minLength={3} />
        <label htmlFor={`ae-${projectId}`}>{t('permits.newExpiry')}</label>
        <input id={`ae-${projectId}`} name="expires" type="date" />
        <label htmlFor={`af-${projectId}`}>{t('apply.dataFrom')}</label>
        <input id={`af-${projectId}`} name="from" type="date" />
        <label htmlFor={`at-${projectId}`}>{t('apply.dataTo')}</label>
        <input id={`at-${projectId}`} name="to" type="date" />
        <span />
        <button type="submit">{t('permits.amendSubmit')}</button>
        {error ? <ErrorView error={error} /> : null}
      </form>
    </details>
  );
}

function ProjectPermits({ project }: { project: Project }) {
  const { t, date } = useI18n();
  const versions = useApi<Permit[]>(EP.permitVersions(project.id));
  return (
    <li className="card inner">
      <h2>
        {project.title} <code>{project.id}</code>
      </h2>
      <Loaded state={versions}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('permits.noneForProject')}</Empty>
          ) : (
            <>
              <table className="data">
                <caption>{t('permits.versions')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('permits.version')}</th>
                    <th scope="col">{t('permit.caseType')}</th>
                    <th scope="col">{t('permit.issued')}</th>
                    <th scope="col">{t('permit.expires')}</th>
                    <th scope="col">{t('permit.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.version}>
                      <td>{p.version}</td>
                      <td>{t(`caseType.${p.caseType}` as MessageKey)}</td>
                      <td>
                        {date(p.issuedAt)} · {p.issuedBy}
                      </td>
                      <td>
                        {date(p.expiresAt)}
                        {new Date(p.expiresAt).getTime() < Date.now() ? <span className="badge bad"> {t('permit.expired')}</span> : null}
                      </td>
                      <td>{p.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <details>
                <summary>{t('permits.latestTerms')}</summary>
                <PermitView permit={list[list.length - 1]!} />
              </details>
              <AmendForm projectId={project.id} onDone={versions.reload} />
            </>
          )
        }
      </Loaded>
    </li>
  );
}

export function PermitsPage() {
  const { t } = useI18n();
  const projects = useApi<Project[]>(EP.projects);
  return (
    <Page title={t('nav.adminPermits')}>
      <Loaded state={projects}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('projects.none')}</Empty>
          ) : (
            <ul className="plain">
              {list.map((p) => (
                <ProjectPermits key={p.id} project={p} />
              ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  );
}
