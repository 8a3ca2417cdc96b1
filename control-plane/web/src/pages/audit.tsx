/**
 * Auditor tools: the verification of the log against its latest signed checkpoint, a timeline of
 * activity by action and by project, search by words and filters (and the export of exactly what
 * they select), one person's trail and one project's history, the project picked by its title.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, ApiError, qs } from '../lib/api.ts';
import { verifyLog, type Failure, type Verification } from '../lib/verify-log.ts';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import { LineChart, type Series } from '../components/chart.tsx';
import { Page, Section } from '../components/page.tsx';
import { ErrorView, Loaded } from '../components/status.tsx';
import { EntriesTable } from '../components/audit-entries.tsx';
import { AuditSearch, ProjectSelect } from '../components/audit-search.tsx';

import type { ActivityCounts as Activity, AuditPage as EntryPage, AuditProjects, ProjectHistory as History } from '../lib/types.ts';
function VerifyPanel() {
  const { t, date, num } = useI18n();
  const [state, setState] = useState<{ result?: Verification; error?: unknown; busy: boolean }>({ busy: true });
  const run = useCallback(async () => {
    setState({ busy: true });
    try {
      const [cp, key] = await Promise.all([
        api<{ note: string; treeSize: number }>('GET', EP.auditCheckpoint),
        api<{ base64: string }>('GET', EP.auditPublicKey),
      ]);
      const res = await fetch(`${EP.auditExport}?format=jsonl`, { credentials: 'same-origin' });
      if (!res.ok) throw new ApiError(res.status, res.statusText, res.status === 404 ? 'no_such_route' : null, EP.auditExport);
      setState({ busy: false, result: await verifyLog({ note: cp.note, publicKeyB64: key.base64, jsonl: await res.text() }) });
    } catch (error) {
      setState({ busy: false, error });
    }
  }, []);
  useEffect(() => {
    void run();
  }, [run]);
  const r = state.result;
  const failure = (f: Failure) => {
    switch (f.kind) {
      case 'signature':
        return t('audit.failSignature');
      case 'noCrypto':
        return t('audit.failNoCrypto');
      case 'root':
        return t('audit.failRoot');
      case 'missing':
        return t('audit.failMissing');
      case 'seq':
        return t('audit.failSeq', { index: f.index });
      case 'chain':
        return t('audit.failChain', { index: f.index });
      case 'hash':
        return t('audit.failHash', { index: f.index });
    }
  };
  return (
    <div aria-live="polite">
      {state.busy ? <p role="status">{t('audit.verifying')}</p> : null}
      {state.error instanceof ApiError && state.error.reason === 'no_such_checkpoint' ? (
        <p>{t('audit.noCheckpoint')}</p>
      ) : state.error ? (
        <ErrorView error={state.error} />
      ) : null}
      {r ? (
        <div className={`verify ${r.ok ? 'good' : 'bad'}`} data-verified={r.ok ? 'yes' : 'no'}>
          <p className="big">{r.ok ? `✔ ${t('audit.verifiedOk')}` : `✘ ${t('audit.verifiedFailed')}`}</p>
          {r.failure ? (
            <p>
              <strong>{failure(r.failure)}</strong>
            </p>
          ) : null}
          {r.time ? <p>{t('audit.checkpoint', { size: num(r.treeSize), time: date(r.time, true) })}</p> : null}
          {r.ok ? <p>{t('audit.verifiedEntries', { n: num(r.entries) })}</p> : null}
          {r.rootHash ? (
            <p className="muted">
              {t('audit.rootHash')} <code className="hash">{r.rootHash}</code>
            </p>
          ) : null}
          <p className="muted small">{t('audit.verifiedInBrowser')}</p>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => void run()} disabled={state.busy} data-action="verify-log">
          {t('audit.verifyNow')}
        </button>
        <button
          type="button"
          disabled={state.busy}
          data-action="publish-checkpoint"
          onClick={() => void api('POST', EP.auditPublishCheckpoint).then(run, (error: unknown) => setState({ busy: false, error }))}
        >
          {t('audit.publishCheckpoint')}
        </button>
      </div>
    </div>
  );
}

function series<K extends string>(rows: ({ at: string; count: number } & Record<K, string | null>)[], key: K, other: string): Series[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r[key] ?? '—', (totals.get(r[key] ?? '—') ?? 0) + r.count);
  const top = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k]) => k);
  const by = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const name = top.includes(r[key] ?? '—') ? (r[key] ?? '—') : other;
    const m = by.get(name) ?? new Map<string, number>();
    m.set(r.at, (m.get(r.at) ?? 0) + r.count);
    by.set(name, m);
  }
  return [...by.entries()].map(([name, m]) => ({ name, points: [...m.entries()].map(([at, value]) => ({ at, value })) }));
}

function Timeline({ titles }: { titles: ReadonlyMap<string, string> }) {
  const { t } = useI18n();
  const [bucket, setBucket] = useState<'day' | 'hour'>('day');
  const a = useApi<Activity>(`${EP.auditStats}${qs({ bucket })}`);
  return (
    <>
      <div className="filters">
        <label htmlFor="bucket">{t('audit.bucket')}</label>
        <select id="bucket" value={bucket} onChange={(e) => setBucket(e.target.value as 'day' | 'hour')}>
          <option value="day">{t('audit.perDay')}</option>
          <option value="hour">{t('audit.perHour')}</option>
        </select>
      </div>
      <Loaded state={a}>
        {(d) => (
          <div className="charts">
            <LineChart title={t('audit.byAction')} series={series(d.byAction, 'action', t('audit.otherActions'))} />
            <LineChart
              title={t('audit.byProject')}
              series={series(
                d.byProject.map((r) => ({ ...r, projectId: titles.get(r.projectId) ?? r.projectId })),
                'projectId',
                t('audit.otherProjects'),
              )}
            />
          </div>
        )}
      </Loaded>
    </>
  );
}

const GROUPS = ['applications', 'decisions', 'permits', 'membership', 'dataAccess', 'exports', 'denied'] as const satisfies readonly (keyof History)[];

function Lookup({ kind, projects, titles }: { kind: 'person' | 'project'; projects: AuditProjects; titles: ReadonlyMap<string, string> }) {
  const { t, num } = useI18n();
  const [id, setId] = useState('');
  const res = useApi<EntryPage | History>(id ? (kind === 'person' ? EP.auditTrail(id) : EP.auditProject(id)) : null);
  const label = t(kind === 'person' ? 'audit.personId' : 'audit.project');
  return (
    <>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setId(String(new FormData(e.currentTarget).get('id') ?? '').trim());
        }}
      >
        <label htmlFor={`lookup-${kind}`}>{label}</label>
        {kind === 'project' ? (
          <ProjectSelect id="lookup-project" name="id" projects={projects} allLabel={t('audit.pickProject')} />
        ) : (
          <input id={`lookup-${kind}`} name="id" required />
        )}
        <button type="submit" data-action={`audit-${kind}`}>
          {t('audit.show')}
        </button>
      </form>
      {id ? (
        <Loaded state={res}>
          {(r) =>
            'entries' in r ? (
              <EntriesTable entries={r.entries} caption={label} titles={titles} />
            ) : (
              <div data-history={r.projectId}>
                <p>
                  <strong>{titles.get(r.projectId) ?? r.projectId}</strong> — {t('audit.historyTotal', { n: num(r.total) })}
                </p>
                {GROUPS.map((g) => (
                  <div key={g}>
                    <h3>
                      {t(`audit.group.${g}` as MessageKey)} ({num(r[g].length)})
                    </h3>
                    {r[g].length ? <EntriesTable entries={r[g]} caption={t(`audit.group.${g}` as MessageKey)} titles={titles} /> : null}
                  </div>
                ))}
              </div>
            )
          }
        </Loaded>
      ) : null}
    </>
  );
}

export function AuditPage() {
  const { t } = useI18n();
  const projectList = useApi<AuditProjects>(EP.auditProjects);
  const projects = projectList.data ?? [];
  const titles = useMemo(() => new Map((projectList.data ?? []).map((p) => [p.id, p.title])), [projectList.data]);
  return (
    <Page title={t('nav.audit')}>
      <Section title={t('audit.verification')} id="verify">
        <VerifyPanel />
      </Section>
      <Section title={t('audit.timeline')} id="timeline">
        <Timeline titles={titles} />
      </Section>
      <Section title={t('audit.search')} id="search">
        <AuditSearch projects={projects} titles={titles} />
      </Section>
      <Section title={t('audit.personTrail')} id="person">
        <Lookup kind="person" projects={projects} titles={titles} />
      </Section>
      <Section title={t('audit.projectHistory')} id="project">
        <Lookup kind="project" projects={projects} titles={titles} />
      </Section>
    </Page>
  );
}
