/**
 * Audit log entries as a table an auditor reads on any screen: each row opens its whole entry
 * (details as recorded, request, client address, the hashes that chain it), the project named by
 * its title where the auditor's list of projects knows it. The table scrolls inside its region.
 */
import { Fragment, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { AuditEntry as Entry } from '../lib/types.ts';
import { Empty } from './status.tsx';

const ROLES = ['researcher', 'project_lead', 'access_admin', 'auditor', 'platform_admin', 'citizen'];
const COLUMNS: MessageKey[] = [
  'audit.seq',
  'audit.time',
  'audit.actor',
  'audit.role',
  'audit.action',
  'audit.object',
  'audit.project',
  'audit.outcome',
  'audit.reason',
];

function EntryDetails({ e, id }: { e: Entry; id: string }) {
  const { t } = useI18n();
  return (
    <div id={id} className="entry-details" data-entry-details={e.seq}>
      <dl className="facts">
        <dt>{t('audit.requestId')}</dt>
        <dd>{e.requestId ? <code>{e.requestId}</code> : '—'}</dd>
        <dt>{t('audit.clientAddress')}</dt>
        <dd>{e.clientAddress ?? '—'}</dd>
        <dt>{t('audit.prevHash')}</dt>
        <dd>
          <code className="hash">{e.prevHash}</code>
        </dd>
        <dt>{t('audit.hash')}</dt>
        <dd>
          <code className="hash">{e.hash}</code>
        </dd>
      </dl>
      <h4>{t('audit.details')}</h4>
      {Object.keys(e.details).length ? <pre className="wrap">{JSON.stringify(e.details, null, 2)}</pre> : <p className="muted">{t('audit.noDetails')}</p>}
    </div>
  );
}

export function EntriesTable({ entries, caption, titles }: { entries: Entry[]; caption: string; titles?: ReadonlyMap<string, string> }) {
  const { t, date } = useI18n();
  const [open, setOpen] = useState<Set<number>>(new Set());
  if (!entries.length) return <Empty>{t('audit.noEntries')}</Empty>;
  const toggle = (seq: number) => {
    const next = new Set(open);
    if (next.has(seq)) next.delete(seq);
    else next.add(seq);
    setOpen(next);
  };
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="data compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {COLUMNS.map((k) => (
              <th key={k} scope="col">
                {t(k)}
              </th>
            ))}
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const detailsId = `entry-${caption.replace(/\W+/g, '-')}-${e.seq}`;
            const title = e.projectId ? titles?.get(e.projectId) : undefined;
            return (
              <Fragment key={e.seq}>
                <tr className={`outcome-${e.outcome}`} data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td>{date(e.time, true)}</td>
                  <td>{e.actor}</td>
                  <td>{ROLES.includes(e.role) ? t(`role.${e.role}` as MessageKey) : e.role}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="break">{e.object}</td>
                  <td>{e.projectId ? (title ?? e.projectId) : ''}</td>
                  <td>{t(`outcome.${e.outcome}` as MessageKey)}</td>
                  <td>{e.reason ?? ''}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-expanded={open.has(e.seq)}
                      aria-controls={detailsId}
                      onClick={() => toggle(e.seq)}
                      data-action="entry-details"
                    >
                      {t(open.has(e.seq) ? 'audit.hideDetails' : 'audit.showDetails')} <span className="visually-hidden">{e.seq}</span>
                    </button>
                  </td>
                </tr>
                {open.has(e.seq) ? (
                  <tr className="details-row">
                    <td colSpan={COLUMNS.length + 1}>
                      <EntryDetails e={e} id={detailsId} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
