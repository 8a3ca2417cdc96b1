/** Operator: all rooms with project, state, driver, age and idle time; stop a room. */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Room } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
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
      {error ? <ErrorView error={error} /> : null}
      <Loaded state={rooms}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('operator.noRooms')}</Empty>
          ) : (
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
                        {r.ageSeconds !== undefined ? duration(r.ageSeconds * 1000, t) : r.createdAt ? duration(now - new Date(r.createdAt).getTime(), t) : ''}
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
          )
        }
      </Loaded>
    </Page>
  );
}
