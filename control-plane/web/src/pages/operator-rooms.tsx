/**
 * Operator: all live rooms with project, state, driver, age and idle time; stop a room. Below,
 * the room history: rooms of every state, newest first, when each started and stopped and why,
 * for all projects or one (picked by title), paged by creation time.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Room, RoomHistoryEntry } from '../lib/types.ts';
import { qs } from '../lib/api.ts';
import { useApi } from '../lib/use-api.ts';
import { Page, Section } from '../components/page.tsx';
import { ACTIVE_ROOM_STATES } from '../components/room-panel.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

export function duration(ms: number, t: (k: MessageKey, v?: Record<string, number>) => string): string {
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 60) return t('time.minutes', { n: m });
  const h = Math.floor(m / 60);
  if (h < 48) return t('time.hoursMinutes', { h, m: m % 60 });
  return t('time.days', { n: Math.floor(h / 24) });
}

export function OperatorRoomsPage() {
  const { t } = useI18n();
  const { announce } = useSession();
  const rooms = useApi<Room[]>(EP.operatorRooms);
  const [error, setError] = useState<unknown>(null);
  const stop = async (r: Room) => {
    setError(null);
    try {
      await api('POST', EP.stopRoom(r.id));
      announce(t('room.stopping'));
      rooms.reload();
    } catch (err) {
      setError(err);
    }
  };
  const now = Date.now();
  return (
    <Page title={t('nav.operatorRooms')}>
      <Section title={t('roomHistory.live')} id="live-rooms">
        {error ? <ErrorView error={error} /> : null}
        <Loaded state={rooms}>
          {(list) =>
            list.length === 0 ? (
              <Empty>{t('operator.noRooms')}</Empty>
            ) : (
              <div className="table-scroll" tabIndex={0} role="region" aria-label={t('roomHistory.live')}>
                <table className="data">
                  <thead>
                    <tr>
                      {(
                        [
                          'operator.room',
                          'operator.project',
                          'operator.user',
                          'room.state',
                          'room.driver',
                          'operator.age',
                          'operator.idle',
                          'operator.actions',
                        ] as MessageKey[]
                      ).map((k) => (
                        <th key={k} scope="col">
                          {t(k)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((r) => {
                      return (
                        <tr key={r.id}>
                          <td>
                            <code>{r.id}</code>
                          </td>
                          <td>{r.projectId}</td>
                          <td>{r.owner ?? ''}</td>
                          <td>{t(`roomState.${r.state}` as MessageKey)}</td>
                          <td>{r.driver ?? ''}</td>
                          <td>
                            {r.ageSeconds !== undefined
                              ? duration(r.ageSeconds * 1000, t)
                              : r.createdAt
                                ? duration(now - new Date(r.createdAt).getTime(), t)
                                : ''}
                          </td>
                          <td>{r.idleSeconds !== undefined && r.idleSeconds !== null ? duration(r.idleSeconds * 1000, t) : '—'}</td>
                          <td>
                            {ACTIVE_ROOM_STATES.includes(r.state) && r.state !== 'stopping' ? (
                              <button type="button" onClick={() => stop(r)}>
                                {t('room.stop')} <span className="visually-hidden">{r.id}</span>
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
      </Section>
      <Section title={t('roomHistory.title')} id="room-history">
        <RoomHistory />
      </Section>
    </Page>
  );
}

/** The stop reasons the server records (`ROOM_STOP_REASONS`), each with its words. */
const STOP_REASONS = [
  'owner',
  'operator',
  'standby_recycled',
  'idle',
  'max_lifetime',
  'no_such_project',
  'not_a_member',
  'project_closed',
  'no_permit',
  'permit_expired',
  'not_authorised_by_permit',
];

/** A stop reason in words: who asked, or the rule that ended the room; an unknown one as recorded. */
function stopReasonText(reason: string | null, t: (k: MessageKey) => string): string {
  if (!reason) return '—';
  return STOP_REASONS.includes(reason) ? t(`roomStop.${reason}` as MessageKey) : reason;
}

const PAGE = 50;

function RoomHistory() {
  const { t, date } = useI18n();
  const [filter, setFilter] = useState<{ project?: string; owner?: string }>({});
  const [before, setBefore] = useState<string[]>([]);
  const history = useApi<RoomHistoryEntry[]>(`${EP.roomHistory}${qs({ ...filter, before: before.at(-1), limit: PAGE })}`);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const project = String(f.get('project') ?? '').trim();
    const owner = String(f.get('owner') ?? '').trim();
    setBefore([]);
    setFilter({ ...(project ? { project } : {}), ...(owner ? { owner } : {}) });
  };
  return (
    <>
      <form className="filter-form" onSubmit={submit} role="search" aria-label={t('roomHistory.title')}>
        <div>
          <label htmlFor="rh-project">{t('roomHistory.projectId')}</label>
          <input id="rh-project" name="project" />
        </div>
        <div>
          <label htmlFor="rh-owner">{t('operator.user')}</label>
          <input id="rh-owner" name="owner" />
        </div>
        <div className="actions">
          <button type="submit" data-action="room-history">
            {t('roomHistory.show')}
          </button>
        </div>
      </form>
      <Loaded state={history}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('operator.noRooms')}</Empty>
          ) : (
            <>
              <div className="table-scroll" tabIndex={0} role="region" aria-label={t('roomHistory.title')}>
                <table className="data compact">
                  <thead>
                    <tr>
                      {(
                        [
                          'operator.room',
                          'operator.project',
                          'operator.user',
                          'room.state',
                          'roomHistory.created',
                          'roomHistory.running',
                          'roomHistory.stopped',
                          'roomHistory.reason',
                        ] as MessageKey[]
                      ).map((k) => (
                        <th key={k} scope="col">
                          {t(k)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((r) => (
                      <tr key={r.id} data-room={r.id}>
                        <td>
                          <code>{r.id}</code>
                        </td>
                        <td>
                          <button
                            type="button"
                            className="link"
                            onClick={() => {
                              setBefore([]);
                              setFilter({ project: r.projectId });
                            }}
                            aria-label={t('roomHistory.onlyProject', { title: r.projectTitle })}
                          >
                            {r.projectTitle}
                          </button>{' '}
                          <span className="muted small">({r.projectId})</span>
                        </td>
                        <td>{r.owner}</td>
                        <td>{t(`roomState.${r.state}` as MessageKey)}</td>
                        <td>{date(r.createdAt, true)}</td>
                        <td>{r.runningAt ? date(r.runningAt, true) : '—'}</td>
                        <td>{r.stoppedAt ? date(r.stoppedAt, true) : '—'}</td>
                        <td data-stop-reason={r.stopReason ?? r.failureReason ?? ''}>
                          {r.failureReason ? `${t('roomState.failed')}: ${r.failureReason}` : stopReasonText(r.stopReason, t)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="actions">
                {before.length ? (
                  <button type="button" onClick={() => setBefore(before.slice(0, -1))}>
                    {t('audit.previousPage')}
                  </button>
                ) : null}
                {list.length === PAGE ? (
                  <button type="button" onClick={() => setBefore([...before, list.at(-1)!.createdAt])}>
                    {t('audit.nextPage')}
                  </button>
                ) : null}
              </div>
            </>
          )
        }
      </Loaded>
    </>
  );
}
