/**
 * Auditor tools: the verification of the log against its latest signed checkpoint, a timeline of
 * activity by action and by project, search with filters (and CSV export), one person's trail
 * and one project's history.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, ApiError, qs } from '../lib/api.ts';
import { verifyLog, type Failure, type Verification } from '../lib/verify-log.ts';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import { LineChart, type Series } from '../components/chart.tsx';
import { Page, Section } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

import type { ActivityCounts as Activity, AuditEntry as Entry, AuditPage as EntryPage, ProjectHistory as History } from '../lib/types.ts';
const ROLES = ['researcher', 'project_lead', 'access_admin', 'auditor', 'platform_admin', 'citizen'];

function EntriesTable({ entries, caption }: { entries: Entry[]; caption: string }) {
  const { t, date } = useI18n();
  if (!entries.length) return <Empty>{t('audit.noEntries')}</Empty>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="data compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {(
              [
                'audit.seq',
                'audit.time',
                'audit.actor',
                'audit.role',
                'audit.action',
                'audit.object',
                'audit.project',
                'audit.outcome',
                'audit.reason',
              ] as MessageKey[]
            ).map((k) => (
              <th key={k} scope="col">
                {t(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq} className={`outcome-${e.outcome}`}>
              <td>{e.seq}</td>
              <td>{date(e.time, true)}</td>
              <td>{e.actor}</td>
              <td>{ROLES.includes(e.role) ? t(`role.${e.role}` as MessageKey) : e.role}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.object}</td>
              <td>{e.projectId ?? ''}</td>
              <td>{t(`outcome.${e.outcome}` as MessageKey)}</td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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

function Timeline() {
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
            <LineChart title={t('audit.byProject')} series={series(d.byProject, 'projectId', t('audit.otherProjects'))} />
          </div>
        )}
      </Loaded>
    </>
  );
}

const FILTERS = ['actor', 'project', 'action', 'object'] as const;

function Search() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [after, setAfter] = useState<number | undefined>(undefined);
  const res = useApi<EntryPage>(`${EP.auditEntries}${qs({ ...filter, after, limit: 50 })}`);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next: Record<string, string> = {};
    for (const k of [...FILTERS, 'outcome']) if (String(f.get(k) ?? '').trim()) next[k] = String(f.get(k)).trim();
    for (const k of ['from', 'to']) if (f.get(k)) next[k] = new Date(`${String(f.get(k))}T00:00:00Z`).toISOString();
    setAfter(undefined);
    setFilter(next);
  };
  return (
    <>
      <form onSubmit={submit} className="filter-form" role="search" aria-label={t('audit.search')}>
        {FILTERS.map((k) => (
          <div key={k}>
            <label htmlFor={`f-${k}`}>{t(`audit.${k}` as MessageKey)}</label>
            <input id={`f-${k}`} name={k} />
          </div>
        ))}
        <div>
          <label htmlFor="f-outcome">{t('audit.outcome')}</label>
          <select id="f-outcome" name="outcome" defaultValue="">
            <option value="">{t('common.all')}</option>
            {['initiated', 'success', 'denied', 'failure'].map((o) => (
              <option key={o} value={o}>
                {t(`outcome.${o}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-from">{t('audit.from')}</label>
          <input id="f-from" name="from" type="date" />
        </div>
        <div>
          <label htmlFor="f-to">{t('audit.to')}</label>
          <input id="f-to" name="to" type="date" />
        </div>
        <div className="actions">
          <button type="submit" data-action="audit-search">
            {t('audit.searchButton')}
          </button>
          <a
            className="button"
            href={`${EP.auditExport}${qs({ from: filter.from, to: filter.to, format: 'csv' })}`}
            download
            data-action="audit-csv"
            aria-describedby="csv-hint"
          >
            {t('audit.csv')}
          </a>
          <span id="csv-hint" className="hint">
            {t('audit.csvHint')}
          </span>
        </div>
      </form>
      <Loaded state={res}>
        {(p) => (
          <>
            <EntriesTable entries={p.entries} caption={t('audit.results')} />
            <div className="actions">
              {after !== undefined ? (
                <button type="button" onClick={() => setAfter(undefined)}>
                  {t('audit.firstPage')}
                </button>
              ) : null}
              {p.next !== null ? (
                <button type="button" onClick={() => setAfter(p.next!)}>
                  {t('audit.nextPage')}
                </button>
              ) : null}
            </div>
          </>
        )}
      </Loaded>
    </>
  );
}

const GROUPS = ['applications', 'decisions', 'permits', 'membership', 'dataAccess', 'exports', 'denied'] as const satisfies readonly (keyof History)[];

function Lookup({ kind }: { kind: 'person' | 'project' }) {
  const { t, num } = useI18n();
  const [id, setId] = useState('');
  const res = useApi<EntryPage | History>(id ? (kind === 'person' ? EP.auditTrail(id) : EP.auditProject(id)) : null);
  const label = t(kind === 'person' ? 'audit.personId' : 'audit.projectId');
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
        <input id={`lookup-${kind}`} name="id" required />
        <button type="submit" data-action={`audit-${kind}`}>
          {t('audit.show')}
        </button>
      </form>
      {id ? (
        <Loaded state={res}>
          {(r) =>
            'entries' in r ? (
              <EntriesTable entries={r.entries} caption={label} />
            ) : (
              <div data-history={r.projectId}>
                <p>{t('audit.historyTotal', { n: num(r.total) })}</p>
                {GROUPS.map((g) => (
                  <div key={g}>
                    <h3>
                      {t(`audit.group.${g}` as MessageKey)} ({num(r[g].length)})
                    </h3>
                    {r[g].length ? <EntriesTable entries={r[g]} caption={t(`audit.group.${g}` as MessageKey)} /> : null}
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
  return (
    <Page title={t('nav.audit')}>
      <Section title={t('audit.verification')} id="verify">
        <VerifyPanel />
      </Section>
      <Section title={t('audit.timeline')} id="timeline">
        <Timeline />
      </Section>
      <Section title={t('audit.search')} id="search">
        <Search />
      </Section>
      <Section title={t('audit.personTrail')} id="person">
        <Lookup kind="person" />
      </Section>
      <Section title={t('audit.projectHistory')} id="project">
        <Lookup kind="project" />
      </Section>
    </Page>
  );
}
